"""The guest-link rules that need no server: names and how long a guest's session lasts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from classroom_server.db import Lecture
from classroom_server.guest_links import (
    MAX_NAME,
    MIN_SESSION,
    GuestRefused,
    guest_name,
    session_lifetime,
)


def test_a_name_is_trimmed_squeezed_and_bounded() -> None:
    assert guest_name("  Sami    Haddad ") == "Sami Haddad"
    assert guest_name("سامي حداد") == "سامي حداد"
    assert guest_name("x" * MAX_NAME) == "x" * MAX_NAME
    for bad in (
        "",
        "   ",
        "x" * (MAX_NAME + 1),
        "tab\t",
        "bell\x07",
        "nul\x00",
        "esc\x1b[31m",
        "del\x7f",
    ):
        with pytest.raises(GuestRefused) as refused:
            guest_name(bad)
        assert refused.value.code == "invalid_name", bad


def test_a_guest_session_ends_an_hour_after_the_lecture_and_lasts_half_an_hour_at_least() -> None:
    now = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)
    lecture = Lecture(scheduled_start=now - timedelta(minutes=30), duration_minutes=90)
    assert session_lifetime(lecture, now) == timedelta(hours=2)
    overrun = Lecture(scheduled_start=now - timedelta(hours=5), duration_minutes=60)
    assert session_lifetime(overrun, now) == MIN_SESSION
