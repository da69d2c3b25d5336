"""What a room operation produces: an ack for the caller and events for others.

Operations never talk to Socket.IO themselves; they return ``Outcome``s, and the signaling
layer delivers them. That keeps the rules testable and transport-free.
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


@dataclass
class Outcome:
    ack: dict[str, Any] = field(default_factory=dict)
    emits: list[Emit] = field(default_factory=list)
    disconnect_users: list[int] = field(default_factory=list)
    end_room: bool = False

    def emit(self, event: str, data: dict[str, Any], to: Audience = ROOM) -> Outcome:
        self.emits.append(Emit(event, data, to))
        return self
