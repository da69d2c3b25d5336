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
from signaling.media_events import MEDIA_EVENTS, MediaEvent
from signaling.media_relay import MediaRelay


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


def from_media(name: str, event: MediaEvent, media: MediaRelay) -> ClientEvent:
    async def run(sender: Sender, payload: Any) -> Outcome:
        return await media.run(name, event, sender.sid, sender.actor, sender.ctx, payload)

    return ClientEvent(event.payload, run, event.who, event.rate)


def client_events(media: MediaRelay) -> dict[str, ClientEvent]:
    """The whole table; media events run where ``media`` says the lecture's media is."""
    table = {name: from_room(event) for name, event in EVENTS.items()}
    table.update({name: from_media(name, event, media) for name, event in MEDIA_EVENTS.items()})
    return table
