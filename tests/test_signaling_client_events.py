"""One table of client events: the room's and the media signalling's entries, one shape.

The namespace runs every entry through one pipeline (tests/test_signaling_classroom_namespace.py
and tests/test_signaling_media_events.py drive it over Socket.IO); here, the table itself, and a
media entry running on a lecture's media with nothing but what it is handed (no namespace).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from classroom_server.config import Settings
from classroom_server.room import EVENTS, Actor, Outcome, RoomContext, RoomError
from signaling.client_events import Sender, client_events
from signaling.media_events import MEDIA_EVENTS, MEDIA_RATE
from signaling.media_nodes import OneNode
from signaling.media_payloads import Empty, Join, Prefer
from signaling.media_registry import MediaRegistry
from signaling.media_relay import MediaRelay
from signaling.namespace_media import NamespaceMedia
from tests.room_domain import live_lecture_context

FORWARDING = {
    "participant:mute",
    "participant:mute_all",
    "participant:ask_unmute",
    "presenter:set",
    "media:invite",
    "media:revoke",
}
"""Room events after which the SFU's forwarding is reconciled."""


class Sent:
    """What the media sent through the two ways it is handed."""

    def __init__(self) -> None:
        self.to_rooms: list[tuple[int, Outcome]] = []
        self.to_sockets: list[tuple[str, str, dict[str, Any]]] = []

    async def room(self, lecture_id: int, outcome: Outcome) -> None:
        self.to_rooms.append((lecture_id, outcome))

    async def socket(self, event: str, sid: str, data: dict[str, Any]) -> None:
        self.to_sockets.append((event, sid, data))


@pytest.fixture
async def registry() -> AsyncIterator[MediaRegistry]:
    registry = MediaRegistry(Settings())
    yield registry
    await registry.close_all()


@pytest.fixture
async def ctx(tmp_path: Path) -> AsyncIterator[RoomContext]:
    async with live_lecture_context(tmp_path) as ctx:
        yield ctx


def one_node(registry: MediaRegistry, sent: Sent, ctx: RoomContext | None = None) -> MediaRelay:
    """The embedded default: this process holds every lecture's media."""

    def context(_lecture_id: int) -> RoomContext:
        assert ctx is not None
        return ctx

    local = NamespaceMedia(registry, sent.room, sent.socket)
    return MediaRelay(local, OneNode(), None, context, sent.room, beat_seconds=1.0)


def test_one_table_holds_every_client_event(registry: MediaRegistry) -> None:
    sent = Sent()
    table = client_events(one_node(registry, sent))
    assert not EVENTS.keys() & MEDIA_EVENTS.keys()
    assert table.keys() == EVENTS.keys() | MEDIA_EVENTS.keys()
    sources: dict[str, Any] = {**EVENTS, **MEDIA_EVENTS}
    for name, entry in table.items():
        source = sources[name]
        assert (entry.payload, entry.who, entry.rate) == (source.payload, source.who, source.rate)
    assert {name for name, entry in table.items() if entry.media} == FORWARDING
    assert {(e.who, e.rate) for e in MEDIA_EVENTS.values()} == {("anyone", MEDIA_RATE)}


async def test_a_media_entry_runs_on_what_it_is_handed(
    registry: MediaRegistry, ctx: RoomContext
) -> None:
    """The lecture's media is made on first use and delivers through the functions the
    namespace hands in; handlers answer with an Outcome, or a coded RoomError."""
    sent = Sent()
    table = client_events(one_node(registry, sent, ctx))
    sender = Sender("sid-1", Actor(7, "S", "student"), ctx)
    with pytest.raises(RoomError) as refused:
        await table["media:prefer"].run(sender, Prefer())
    assert refused.value.code == "media_not_joined"
    joined = await table["media:join"].run(sender, Join())
    assert joined.ack == {"ice_servers": [], "tracks": [], "resumed": False}
    assert joined.emits == []
    lecture = registry.lecture(ctx.lecture_id)
    assert lecture is not None and lecture.sids == {7: "sid-1"}
    other = Sender("sid-2", sender.actor, ctx)  # another tab: not the media's socket
    with pytest.raises(RoomError):
        await table["media:leave"].run(other, Empty())
    assert (await table["media:leave"].run(sender, Empty())).ack == {}
    assert lecture.sids == {}
