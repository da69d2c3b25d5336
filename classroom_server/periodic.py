"""Work that any server process may take, looked for every few seconds by each of them (the
rows it touches are claimed in the database, so each piece is done once): BBB callbacks, mail,
LTI grades, breakout timers. A failed look is logged and the next one comes all the same."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


class Periodic:
    def __init__(self, look: Callable[[], Awaitable[object]], interval: float, what: str) -> None:
        self._look = look
        self._interval = interval
        self._what = what
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                await self._look()
            except Exception:  # a bad row or a database away for a moment: look again later
                log.exception("%s failed; looking again in %s s", self._what, self._interval)
            await asyncio.sleep(self._interval)
