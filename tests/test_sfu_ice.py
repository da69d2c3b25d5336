"""ICE settings: host addresses pinned to loopback, STUN/TURN servers, accepted networks."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator

import pytest
from aiortc import RTCIceServer

from signaling.sfu import ice
from signaling.sfu.loopback import TestCardTrack, publish, until
from signaling.sfu.room_media import RoomMedia


@pytest.fixture
def accepted_networks() -> Iterator[None]:
    yield
    ice.accept_checks_from(None)  # this process's other aiortc peers accept anything again


def test_configuration_uses_given_servers_and_never_the_default_stun_when_pinned() -> None:
    turn = RTCIceServer("turn:turn.example.org:3478", username="u", credential="p")
    assert ice.configuration(ice.LOOPBACK, [turn]).iceServers == [turn]
    assert ice.configuration(ice.LOOPBACK).iceServers == []


def test_addresses_outside_the_accepted_networks_are_refused(accepted_networks: None) -> None:
    ice.accept_checks_from(["127.0.0.0/8", "::1/128"])
    assert ice._is_allowed("127.0.0.1") and ice._is_allowed("::1")
    assert not ice._is_allowed("10.1.2.3")
    assert not ice._is_allowed("4f1c2b9e-2a5e-4c1d-9e0b-0a1b2c3d4e5f.local")  # mDNS


async def publish_and_count(networks: list[str]) -> int:
    """Frames the SFU receives in 2 s from a loopback publisher under ``networks``."""
    ice.accept_checks_from(networks)
    room = RoomMedia(f"ice-{uuid.uuid4().hex[:8]}", host_addresses=ice.LOOPBACK)
    client = await publish(room, "teacher", [TestCardTrack()])
    try:
        with contextlib.suppress(TimeoutError):  # the count below is what the tests judge
            await until(lambda: any(f.frames_in > 30 for f in room.forwarders.values()), 2.5)
        return max((f.frames_in for f in room.forwarders.values()), default=0)
    finally:
        await client.close()
        await room.close()


async def test_checks_from_other_networks_get_no_answer(accepted_networks: None) -> None:
    assert await publish_and_count(["10.0.0.0/8"]) == 0
    assert await publish_and_count(["127.0.0.0/8"]) > 30
