"""What else hears of a lecture room's moments that its Socket.IO events do not reach: a
user's last connection closing, the recording starting or stopping (the BBB API's webhooks).
The room's signalling tells; the composition root subscribes the listeners, so the room knows
none of them (layers stay one way)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


class RoomListener(Protocol):
    """Called in the room's event loop: must not block (start a task)."""

    def left(self, lecture_id: int, user_id: int) -> None: ...

    def recording(self, lecture_id: int, recording: bool) -> None: ...


@dataclass
class RoomNotices:
    _listeners: list[RoomListener] = field(default_factory=list)

    def subscribe(self, listener: RoomListener) -> None:
        self._listeners.append(listener)

    def left(self, lecture_id: int, user_id: int) -> None:
        """The user's last connection to the lecture's room closed."""
        for listener in self._listeners:
            listener.left(lecture_id, user_id)

    def recording(self, lecture_id: int, recording: bool) -> None:
        """A take started (True) or was stopped in the room (False)."""
        for listener in self._listeners:
            listener.recording(lecture_id, recording)
