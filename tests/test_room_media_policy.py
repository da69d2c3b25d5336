"""The media rules on their own: who may publish, who receives what, what is forwarded."""

from __future__ import annotations

import random

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


def reports(
    quality: policy.Quality, history: policy.LinkHistory, *samples: tuple[float, float | None]
) -> tuple[list[policy.Quality], policy.LinkHistory]:
    """Feed (loss, rtt) reports in turn; the quality after each."""
    seen = []
    for loss, rtt in samples:
        quality, history = policy.adapt_quality(quality, loss, rtt, history)
        seen.append(quality)
    return seen, history


def test_quality_goes_down_at_once_and_up_after_clean_reports() -> None:
    fresh = policy.LinkHistory()
    assert policy.adapt_quality("high", 0.15, 0.05, fresh)[0] == "low"  # one lossy report
    assert policy.adapt_quality("high", 0.0, 0.6, fresh)[0] == "low"  # slow, not lossy
    seen, history = reports("low", fresh, *[(0.0, 0.05)] * policy.CLEAN_REPORTS)
    assert seen == ["low"] * (policy.CLEAN_REPORTS - 1) + ["high"]
    assert history.clean_streak == 0


def test_steady_loss_of_a_few_percent_moves_down_and_keeps_the_viewer_down() -> None:
    # 5 % loss as a weak link reports it on the low layer: often 0, now and then 1 in 15.
    weak = [(0.05, 0.03), (0.07, 0.03), (0.06, 0.03)]
    seen, history = reports("high", policy.LinkHistory(), *weak)
    assert "low" in seen[:3]
    # The low layer's 15 packets a second on a link that drops 5 % of them, for a minute.
    draw = random.Random(3)  # 5.1 % lost over the minute
    losses = [sum(draw.random() < 0.05 for _ in range(15)) / 15 for _ in range(60)]
    assert "0.0, 0.0, 0.0, 0.0" in str(losses)  # four clean seconds in a row: flapped before
    seen, _ = reports("low", history, *[(loss, 0.03) for loss in losses])
    assert seen == ["low"] * 60
    seen, _ = reports("low", history, *[(0.0, 0.03)] * 20)
    assert seen[-1] == "high"  # a link that really cleared is trusted again


def test_a_queue_building_on_the_link_moves_down_before_loss_shows() -> None:
    seen, _ = reports("high", policy.LinkHistory(), (0.0, 0.01), (0.0, 0.02), (0.0, 0.21))
    assert seen == ["high", "high", "low"]


def test_a_flapping_link_waits_longer_each_time_before_going_up() -> None:
    assert [policy.clean_reports_needed(d) for d in (0, 1, 2, 3, 6)] == [4, 4, 8, 16, 64]
    twice_down = policy.LinkHistory(loss=0.0, slow_loss=0.0, base_rtt=0.05, downs=2)
    seen, _ = reports("low", twice_down, *[(0.0, 0.05)] * 8)
    assert seen == ["low"] * 7 + ["high"]
    assert policy.adapt_quality("high", 0.2, 0.05, twice_down)[1].downs == 3
