"""The media rules on their own: who may publish, who receives what, what is forwarded."""

from __future__ import annotations

import pytest

from classroom_server.room import Actor, RoomError
from classroom_server.room import media_policy as policy
from classroom_server.room.media_policy import Preference, Publication


def pub(
    user: int, kind: str, source: policy.Source, quality: policy.Quality = "high"
) -> Publication:
    return Publication(f"{user}/{source}-{quality}", user, kind, source, quality)


EDUCATOR = 1
ROOM = [
    pub(EDUCATOR, "video", "camera", "high"),
    pub(EDUCATOR, "video", "camera", "low"),
    pub(EDUCATOR, "audio", "microphone"),
    pub(EDUCATOR, "video", "screen"),
    pub(7, "audio", "microphone"),
]


def test_everyone_receives_everything_but_their_own_and_one_camera_quality() -> None:
    assert policy.receives(5, Preference(), ROOM) == {
        "1/camera-high",
        "1/microphone-high",
        "1/screen-high",
        "7/microphone-high",
    }
    assert policy.receives(7, Preference(quality="low"), ROOM) == {
        "1/camera-low",
        "1/microphone-high",
        "1/screen-high",
    }
    only_low = [p for p in ROOM if p.publication_id != "1/camera-low"]
    assert "1/camera-high" in policy.receives(5, Preference(quality="low"), only_low)


def test_audio_only_receives_no_video() -> None:
    assert policy.receives(5, Preference(video=False), ROOM) == {
        "1/microphone-high",
        "7/microphone-high",
    }


def test_mute_holds_audio_and_revoked_sources_are_held() -> None:
    microphone, camera = pub(7, "audio", "microphone"), pub(7, "video", "camera")
    assert policy.forwarded(microphone, set(), policy.INVITED)
    assert not policy.forwarded(microphone, {7}, policy.INVITED)
    assert policy.forwarded(camera, {7}, policy.INVITED)  # mute is about sound
    assert not policy.forwarded(camera, set(), frozenset())


def test_publishing_needs_the_right_and_the_right_kind() -> None:
    policy.check_publish(policy.EVERYTHING, "screen", "video")
    with pytest.raises(RoomError) as refused:
        policy.check_publish(frozenset(), "microphone", "audio")
    assert refused.value.code == "forbidden" and "invite" in refused.value.message
    with pytest.raises(RoomError) as refused:
        policy.check_publish(policy.INVITED, "screen", "video")
    assert refused.value.code == "forbidden"
    with pytest.raises(RoomError) as refused:
        policy.check_publish(policy.EVERYTHING, "microphone", "video")
    assert refused.value.code == "invalid"


async def test_both_sides_of_a_meeting_publish_everything() -> None:
    student = Actor(9, "Student", "student")
    # A meeting grants everything before any store or database is consulted.
    assert await policy.publish_rights(None, student, meeting=True) == policy.EVERYTHING  # type: ignore[arg-type]


def test_quality_goes_down_at_once_and_up_after_clean_reports() -> None:
    assert policy.adapt_quality("high", 0.15, 0.05, 3) == ("low", 0)
    assert policy.adapt_quality("high", 0.0, 0.6, 3) == ("low", 0)  # slow, not lossy
    quality, streak = "low", 0
    for _ in range(policy.CLEAN_REPORTS - 1):
        quality, streak = policy.adapt_quality(quality, 0.0, 0.05, streak)
        assert quality == "low"
    assert policy.adapt_quality(quality, 0.0, 0.05, streak) == ("high", 0)
    assert policy.adapt_quality("low", 0.05, 0.05, 3) == ("low", 0)  # not clean: start over


def test_a_flapping_link_waits_longer_each_time_before_going_up() -> None:
    assert [policy.clean_reports_needed(d) for d in (0, 1, 2, 3, 6)] == [4, 4, 8, 16, 64]
    assert policy.adapt_quality("low", 0.0, 0.05, 6, needed=8) == ("low", 7)
    assert policy.adapt_quality("low", 0.0, 0.05, 7, needed=8) == ("high", 0)
