"""Slot expansion across time zones and daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from classroom_server.db import OfficeHours
from classroom_server.office_hours import Window, expand


def hours(zone: str, slot: int = 30) -> OfficeHours:
    return OfficeHours(
        educator_id=1, course_id=1, time_zone=zone, slot_minutes=slot, cutoff_minutes=0
    )


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_local_nine_oclock_moves_in_utc_when_the_clocks_change() -> None:
    # The US moved its clocks on 14 March 2027; Chicago's 09:00 is 15:00Z before, 14:00Z after.
    every_day = [Window(d, 9 * 60, 9 * 60 + 30) for d in range(7)]
    slots = expand(hours("America/Chicago"), every_day, set(), utc(2027, 3, 12), utc(2027, 3, 16))
    starts = [s.starts_at for s in slots]
    assert starts == [
        utc(2027, 3, 12, 15),
        utc(2027, 3, 13, 15),
        utc(2027, 3, 14, 14),
        utc(2027, 3, 15, 14),
    ]


def test_times_that_do_not_exist_are_not_offered() -> None:
    # 02:00-03:00 does not exist in Chicago on 14 March 2027.
    night = [Window(6, 2 * 60, 4 * 60)]  # Sunday
    slots = expand(hours("America/Chicago"), night, set(), utc(2027, 3, 14), utc(2027, 3, 15))
    chicago = ZoneInfo("America/Chicago")
    local = [s.starts_at.astimezone(chicago).strftime("%H:%M") for s in slots]
    assert local == ["03:00", "03:30"]


def test_blocked_dates_and_window_edges() -> None:
    monday = [Window(0, 10 * 60, 11 * 60)]
    slots = expand(
        hours("Asia/Hebron", 20), monday, {date(2026, 12, 14)}, utc(2026, 12, 7), utc(2026, 12, 22)
    )
    days = sorted({s.starts_at.date() for s in slots})
    assert days == [date(2026, 12, 7), date(2026, 12, 21)]
    assert len(slots) == 6 and all((s.ends_at - s.starts_at).seconds == 1200 for s in slots)
