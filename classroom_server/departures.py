"""Who else hears that a user's last connection to a lecture's room closed (the BBB API's
``user-left`` webhook). The room's signalling tells; the composition root subscribes the
listeners, so the room knows none of them (layers stay one way)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

Listener = Callable[[int, int], None]
"""Called with the lecture's and the user's id; it must not block (start a task)."""


@dataclass
class Departures:
    _listeners: list[Listener] = field(default_factory=list)

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def left(self, lecture_id: int, user_id: int) -> None:
        for listener in self._listeners:
            listener(lecture_id, user_id)
