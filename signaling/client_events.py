"""Every event a client may send on ``/classroom``, in one table of one shape.

The room's events (``classroom_server.room.EVENTS``: rules, transport-free) and the media
signalling (``signaling.media_events.MEDIA_EVENTS``: async, on the SFU) are two tables of the
same shape: payload model, what runs, who may send it, rate class. Here both become
``ClientEvent`` entries, and the namespace runs any entry the same way: one rate limit, one
authorization, one validation, one ``Outcome`` delivered, one ack or error shape.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from classroom_server.room import EVENTS, Actor, Outcome, RoomContext
from classroom_server.room.events import RateClass, RoomEvent, Who
from signaling.media_events import MEDIA_EVENTS, MediaCall, MediaEvent
from signaling.namespace_media import NamespaceMedia


@dataclass(frozen=True)
class Sender:
    """Who sent an event, from which socket, to which lecture's room."""

    sid: str
    actor: Actor
    ctx: RoomContext


Run = Callable[[Sender, Any], Awaitable[Outcome]]
"""Runs an event whose payload (the entry's model) is validated and whose sender may send it."""


@dataclass(frozen=True)
class ClientEvent:
    payload: type[BaseModel]
    run: Run
    who: Who
    rate: RateClass
    media: bool = False
    """The event changes what the SFU may forward: the lecture's media is reconciled after."""


def from_room(event: RoomEvent) -> ClientEvent:
    operation = event.operation

    async def run(sender: Sender, payload: Any) -> Outcome:
        return await operation(sender.ctx, sender.actor, payload)

    return ClientEvent(event.payload, run, event.who, event.rate, event.media)


def from_media(event: MediaEvent, media: NamespaceMedia) -> ClientEvent:
    handler = event.handler

    async def run(sender: Sender, payload: Any) -> Outcome:
        lecture = await media.lecture(sender.ctx)
        call = MediaCall(sender.sid, sender.actor, lecture, media.ice_servers)
        return await handler(call, payload)

    return ClientEvent(event.payload, run, event.who, event.rate)


def client_events(media: NamespaceMedia) -> dict[str, ClientEvent]:
    """The whole table; media events run on the lectures' media that ``media`` gives."""
    table = {name: from_room(event) for name, event in EVENTS.items()}
    table.update({name: from_media(event, media) for name, event in MEDIA_EVENTS.items()})
    return table
