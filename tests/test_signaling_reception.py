"""Which students the SFU really delivers audio and video to (``media:reception``).

The rules of the judgement first (pure), then the whole path: aiortc clients on a real server,
an educator publishing, students receiving in different ways, and what the educator is told.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from signaling.reception import Counters, delivered, link_state
from tests.media_peer import ToneTrack
from tests.room_client import Participant, join_token
from tests.sfu_peer import TestCardTrack
from tests.test_signaling_media_events import Room, media_server, room

__all__ = ["media_server", "room"]  # fixtures


def test_link_state_is_up_on_its_way_or_absent() -> None:
    assert link_state("connected") == "connected"
    for state in ("new", "connecting", "disconnected"):
        assert link_state(state) == "connecting"
    for state in ("failed", "closed", None):
        assert link_state(state) == "none"


def test_a_kind_counts_only_when_its_packets_grew_on_a_connected_link() -> None:
    audio, video = object(), object()
    before: Counters = {"0": ("audio", audio, 100), "1": ("video", video, 500)}
    assert delivered(
        "connected", before, {"0": ("audio", audio, 150), "1": ("video", video, 500)}
    ) == (
        True,
        False,
    )  # the video counter stood still: a paused publisher or a dead transport
    grown: Counters = {"0": ("audio", audio, 150), "1": ("video", video, 900)}
    assert delivered("connected", before, grown) == (True, True)
    assert delivered("connecting", before, grown) == (False, False)
    assert delivered("connected", {}, grown) == (False, False)  # a first look proves nothing
    # A new sender on the same mid (a new peer connection) starts from its own first look.
    assert delivered("connected", before, {"0": ("audio", object(), 400)}) == (False, False)
    # A camera and a screen: video counts when either flows.
    both: Counters = {"1": ("video", video, 500), "2": ("video", audio, 10)}
    assert delivered("connected", both, {**both, "2": ("video", audio, 20)}) == (False, True)


async def reception_until(
    person: Participant, condition: Callable[[dict[str, Any]], bool], within: float = 15.0
) -> dict[str, Any]:
    """The latest ``media:reception`` users map once ``condition(users)`` holds."""
    deadline = time.monotonic() + within
    latest: dict[str, Any] = {}
    while time.monotonic() < deadline:
        for update in person.drain("media:reception"):
            latest = update["users"]
        if condition(latest):
            return latest
        await asyncio.sleep(0.1)
    raise AssertionError(f"media:reception never satisfied the condition; last {latest}")


def gets(users: dict[str, Any], person: Participant, **expected: Any) -> bool:
    entry = users.get(str(person.user_id))
    return entry is not None and all(entry[key] == value for key, value in expected.items())


async def test_the_educator_sees_who_receives_audio_and_video(room: Room) -> None:
    educator = await room.join("educator")
    await educator.media_join()
    ack = await educator.publish([(TestCardTrack(), "camera"), (ToneTrack(), "microphone")])
    assert ack["ok"], ack
    watching, listening = await room.join("student1"), await room.join("student2")
    await watching.media_join()
    await listening.media_join(video=False)  # "audio and slides only"
    # Joined media but never answers the server's offer: subscribed, yet nothing can flow.
    stuck = Participant("student3")
    token = await join_token(room.http, room.server, room.lecture_id, "student3")
    await stuck.connect(room.server, token)
    try:
        await reception_checks(room, educator, watching, listening, stuck)
    finally:
        await stuck.leave()


async def reception_checks(
    room: Room,
    educator: Participant,
    watching: Participant,
    listening: Participant,
    stuck: Participant,
) -> None:
    assert (await stuck.call("media:join", {"video": True}))["ok"]
    users = await reception_until(
        educator,
        lambda users: (
            gets(users, watching, state="connected", audio=True, video=True)
            and gets(users, listening, state="connected", audio=True, video=False, audio_only=True)
            and gets(users, stuck, audio=False, video=False)
        ),
    )
    assert users[str(stuck.user_id)]["state"] == "connecting"
    assert str(educator.user_id) not in users  # students only
    for student in (watching, listening, stuck):
        assert student.drain("media:reception") == []  # educators and presenters only

    # A late (or reconnecting) educator is told at once, in the join flow.
    await educator.leave()
    again = await room.join("educator")
    latest = await again.next("media:reception")
    assert gets(latest["users"], watching, state="connected", video=True)

    # The student's media goes: the educator hears of it within a check or two.
    assert (await watching.call("media:leave"))["ok"]
    await reception_until(again, lambda users: gets(users, watching, state="none", audio=False))


async def test_a_presenter_sees_reception_too(room: Room) -> None:
    educator = await room.join("educator")
    presenter, student = await room.join("student1"), await room.join("student2")
    assert (
        await educator.call("presenter:set", {"user_id": presenter.user_id, "presenter": True})
    )["ok"]
    await educator.media_join()
    assert (await educator.publish([(ToneTrack(), "microphone")]))["ok"]
    await student.media_join()
    await reception_until(presenter, lambda users: gets(users, student, audio=True))
    assert student.drain("media:reception") == []
