"""What the notification e-mails say, in English and Arabic (the recipient's language)."""

# ruff: noqa: RUF001 (Arabic letters are not look-alikes of Latin ones here)

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from classroom_server.db import User

TEXTS: dict[str, dict[str, tuple[str, str]]] = {
    # key: (subject, body), formatted with the names the callers give.
    "en": {
        "booked": (
            "Office hour booked: {when}",
            "Your office hour with {other} is booked for {when} ({zone}).\n\nJoin: {url}\n",
        ),
        "reminder": (
            "Reminder: office hour at {when}",
            "Your office hour with {other} starts at {when} ({zone}).\n\nJoin: {url}\n",
        ),
        "cancelled": (
            "Office hour cancelled: {when}",
            "The office hour with {other} on {when} ({zone}) is cancelled.\n",
        ),
        "rescheduled": (
            "Office hour moved to {when}",
            "The office hour with {other} moved from {before} to {when} ({zone}).\n\nJoin: {url}\n",
        ),
        "live": (
            "Live now: {title}",
            '{course}: the lecture "{title}" has started.\n\nJoin: {url}\n',
        ),
        "recording": (
            "Recording ready: {title}",
            '{course}: the recording of "{title}" is ready to watch.\n\nWatch: {url}\n',
        ),
    },
    "ar": {
        "booked": (
            "تم حجز الساعة المكتبية: {when}",
            "تم حجز ساعتك المكتبية مع {other} في {when} ({zone}).\n\nالانضمام: {url}\n",
        ),
        "reminder": (
            "تذكير: ساعة مكتبية في {when}",
            "تبدأ ساعتك المكتبية مع {other} في {when} ({zone}).\n\nالانضمام: {url}\n",
        ),
        "cancelled": (
            "أُلغيت الساعة المكتبية: {when}",
            "أُلغيت الساعة المكتبية مع {other} في {when} ({zone}).\n",
        ),
        "rescheduled": (
            "نُقلت الساعة المكتبية إلى {when}",
            "نُقلت الساعة المكتبية مع {other} من {before} إلى {when} ({zone}).\n\nالانضمام: {url}\n",
        ),
        "live": (
            "مباشر الآن: {title}",
            '{course}: بدأت المحاضرة "{title}".\n\nالانضمام: {url}\n',
        ),
        "recording": (
            "التسجيل جاهز: {title}",
            '{course}: تسجيل "{title}" جاهز للمشاهدة.\n\nالمشاهدة: {url}\n',
        ),
    },
}


def local_time(moment: datetime, user: User) -> str:
    """``moment`` on the recipient's clock: students abroad live in many time zones."""
    return moment.astimezone(ZoneInfo(user.time_zone)).strftime("%Y-%m-%d %H:%M")


def letter(user: User, key: str, **names: str) -> tuple[str, str]:
    """The (subject, body) of ``key`` for ``user``, in their language."""
    subject, body = TEXTS.get(user.preferred_language, TEXTS["en"])[key]
    names.setdefault("zone", user.time_zone)
    return subject.format(**names), body.format(**names)
