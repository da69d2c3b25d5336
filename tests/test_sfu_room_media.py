"""A room's media map: publications appear and go, subscriptions follow, metrics count."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from aiortc.mediastreams import AudioStreamTrack
from prometheus_client import REGISTRY

from signaling.sfu import ice
from signaling.sfu.room_media import RoomMedia
from tests.sfu_peer import TestCardTrack, join, publish, until


@pytest.fixture
async def room() -> AsyncIterator[RoomMedia]:
    room = RoomMedia(f"test-{uuid.uuid4().hex[:8]}", host_addresses=ice.LOOPBACK)
    yield room
    await room.close()


def metric(name: str, room: RoomMedia) -> float:
    return REGISTRY.get_sample_value(f"qou_sfu_{name}_total", {"room": room.room_id}) or 0.0


async def test_counters_are_labelled_by_room(room: RoomMedia) -> None:
    teacher = await publish(room, "teacher", [TestCardTrack(), AudioStreamTrack()])
    await asyncio.sleep(0.5)  # students who join late need a keyframe: the SFU asks for one
    students = [join(room, "s1", decode=False), join(room, "s2", decode=False)]
    try:
        await until(
            lambda: all(s.by_kind["video"] and s.by_kind["video"][0].keyframes for s in students), 5
        )
        await until(lambda: metric("forwarded_packets", room) > 100, 3)
        assert metric("forwarded_bytes", room) > metric("forwarded_packets", room)
        assert 1 <= metric("keyframe_requests", room) <= 2  # coalesced: at most one per 500 ms
        assert metric("dropped_frames", room) >= 0
        other = RoomMedia("another-room")
        assert metric("forwarded_packets", other) == 0
    finally:
        for client in (teacher, *students):
            await client.close()


async def test_a_leaving_publisher_ends_its_subscriptions() -> None:
    unpublished: list[str] = []
    room = RoomMedia("leaving", host_addresses=ice.LOOPBACK, on_unpublished=unpublished.append)
    teacher = await publish(room, "teacher", [TestCardTrack()])
    student = join(room, "student", decode=False)
    try:
        await until(lambda: student.by_kind["video"] and student.by_kind["video"][0].keyframes, 5)
        (publication_id,) = room.publications
        track = room.subscribe("student", publication_id)
        await room.disconnect("teacher")
        assert unpublished == [publication_id]
        assert track.readyState == "ended"
        assert room.publications == {} and room.forwarders == {}
        await room.disconnect("student")
        assert room.connections == {}
    finally:
        await teacher.close()
        await student.close()
        await room.close()


class Listener:
    """Records what RoomMedia tells a listener."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str]] = []
        self.forwarders: dict[str, object] = {}

    def published(self, track: object, forwarder: object) -> None:
        publication_id = track.publication_id  # type: ignore[attr-defined]
        self.events.append(("published", publication_id))
        self.forwarders[publication_id] = forwarder

    def unpublished(self, publication_id: str) -> None:
        self.events.append(("unpublished", publication_id))


async def test_listeners_hear_of_tracks_published_before_and_after_they_attach() -> None:
    callbacks: list[str] = []
    room = RoomMedia(
        "listeners", host_addresses=ice.LOOPBACK, on_published=lambda t: callbacks.append("p")
    )
    early, late, removed = Listener(), Listener(), Listener()
    room.add_listener(early)
    room.add_listener(removed)
    room.remove_listener(removed)
    teacher = await publish(room, "teacher", [TestCardTrack()])
    try:
        await until(lambda: len(room.publications) == 1, 5)
        (first,) = room.publications
        room.add_listener(late)  # told about the track already there
        room.add_listener(late)  # attaching twice is one listener
        assert early.events == [("published", first)] == late.events
        assert late.forwarders[first] is room.forwarders[first]
        assert removed.events == []
        assert callbacks == ["p"]  # the constructor callback still works
        await room.disconnect("teacher")
        assert early.events[-1] == ("unpublished", first) == late.events[-1]
        assert len(late.events) == 2
    finally:
        await teacher.close()
        await room.close()
