"""Ends breakout rooms when their time is up, in every process.

The end time is stored with the breakout, so a restart loses nothing: the first look after
start-up ends what ran out meanwhile. Every process looks; ``room.breakout.finish`` lets only
one of them end each breakout, and that one tells the rooms (through the broadcaster, which
reaches every process's clients).
"""

from __future__ import annotations

from classroom_server.db import Database
from classroom_server.periodic import Periodic
from classroom_server.room.breakout import end_due
from classroom_server.room.broadcast import RoomBroadcaster

INTERVAL_SECONDS = 1.0
"""How late past its end a breakout may close (and the cost: one small query a second)."""


class BreakoutTimer:
    def __init__(
        self,
        database: Database,
        broadcaster: RoomBroadcaster,
        interval: float = INTERVAL_SECONDS,
    ) -> None:
        self._database = database
        self._broadcaster = broadcaster
        self._looks = Periodic(self.tick, interval, "ending due breakout rooms")

    def start(self) -> None:
        self._looks.start()

    async def stop(self) -> None:
        await self._looks.stop()

    async def tick(self) -> int:
        """One look: ends what is due and tells the rooms; how many it ended."""
        async with self._database.session() as session:
            ended = await end_due(session)
        for lecture_id, outcome in ended:
            await self._broadcaster.deliver(lecture_id, outcome)
        return len(ended)
