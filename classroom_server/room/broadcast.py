"""The port through which HTTP-side work (ending a lecture, slide processing) reaches a room.

The signaling layer implements it; the domain only knows this interface.
"""

from __future__ import annotations

from typing import Protocol

from classroom_server.room.outcome import Outcome


class RoomBroadcaster(Protocol):
    async def deliver(self, lecture_id: int, outcome: Outcome) -> None: ...
