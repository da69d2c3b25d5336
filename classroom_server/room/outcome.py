"""What a room operation produces: an ack for the caller, events for others, and effects.

Operations never talk to Socket.IO themselves; they return ``Outcome``s, and the signaling
layer delivers them. That keeps the rules testable and transport-free. Effects are what the
operation asks of the parts outside the room (the recorder): typed, so nothing outside has to
recognise an operation by the names of the events it emits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

AudienceKind = Literal["room", "educators", "users"]


class RoomError(Exception):
    def __init__(self, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.extra = extra

    def as_ack(self) -> dict[str, Any]:
        return {"ok": False, "error": {"code": self.code, "message": self.message, **self.extra}}


@dataclass(frozen=True)
class Audience:
    kind: AudienceKind
    user_ids: frozenset[int] = frozenset()


ROOM = Audience("room")
EDUCATORS = Audience("educators")


def users(*ids: int) -> Audience:
    return Audience("users", frozenset(ids))


@dataclass(frozen=True)
class Emit:
    event: str
    data: dict[str, Any]
    to: Audience = ROOM


@dataclass(frozen=True)
class StartRecording:
    """A take starts (the first one creates the lecture's recording)."""


@dataclass(frozen=True)
class StopRecording:
    """The running take ends; the recording stays open for the next."""


@dataclass(frozen=True)
class LectureEnded:
    """The lecture is over: its recording is finished and handed to the library."""


Effect = StartRecording | StopRecording | LectureEnded


@dataclass
class Outcome:
    ack: dict[str, Any] = field(default_factory=dict)
    emits: list[Emit] = field(default_factory=list)
    disconnect_users: list[int] = field(default_factory=list)
    disconnect_sids: list[str] = field(default_factory=list)
    """Connections that are in no roster (someone waiting in the lobby) to close."""
    end_room: bool = False
    effects: list[Effect] = field(default_factory=list)
    elsewhere: dict[int, Outcome] = field(default_factory=dict)
    """What other lectures' rooms get, by lecture id (a breakout's group rooms): delivered
    there as their own outcomes, events, disconnects and effects alike."""

    def emit(self, event: str, data: dict[str, Any], to: Audience = ROOM) -> Outcome:
        self.emits.append(Emit(event, data, to))
        return self

    def effect(self, effect: Effect) -> Outcome:
        self.effects.append(effect)
        return self

    def there(self, lecture_id: int) -> Outcome:
        """The outcome for another lecture's room, made on first use."""
        return self.elsewhere.setdefault(lecture_id, Outcome())

    def disconnects(self) -> bool:
        """Whether delivering it disconnects anyone, here or elsewhere."""
        here = bool(self.disconnect_users or self.disconnect_sids) or self.end_room
        return here or any(other.disconnects() for other in self.elsewhere.values())
