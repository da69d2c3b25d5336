"""One SQLite writer at a time, queued fairly on the event loop.

SQLite admits one writer; the others poll in their driver threads under ``busy_timeout`` and
the unlucky ones give up with "database is locked" when many write at once (fifty students
enrolling, a burst of chat). Waiting instead on an asyncio lock makes the queue first come,
first served and bounded only by :data:`WAIT_SECONDS`. Reads under WAL need no lock.

This runs inside SQLAlchemy's greenlet (every sync engine call of the async engine does), which
is what lets a sync event listener await the lock with ``await_only``.
"""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.util import await_only

WAIT_SECONDS = 30.0
_HOLDS = "qou_write_lock"
_READS = ("SELECT", "PRAGMA", "EXPLAIN")


class WriterQueue:
    """The lock, remade when the engine is used from another event loop (tests do)."""

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None

    def lock(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            self._lock, self._loop = asyncio.Lock(), loop
        return self._lock


def serialise_writes(engine: AsyncEngine) -> None:
    queue = WriterQueue()

    def before_execute(conn: Connection, _c: Any, statement: str, *_args: Any) -> None:
        if conn.info.get(_HOLDS) or statement.lstrip()[:7].upper().startswith(_READS):
            return
        lock = queue.lock()
        try:
            await_only(asyncio.wait_for(lock.acquire(), WAIT_SECONDS))
        except TimeoutError as exc:
            raise OperationalError(statement, None, exc) from exc
        conn.info[_HOLDS] = lock

    def release(_dbapi_connection: Any, record: Any) -> None:
        # The pool takes a connection back after its commit or rollback has run (a session
        # returns it on commit); releasing earlier would let the next writer meet SQLite's lock.
        lock = record.info.pop(_HOLDS, None)
        if lock is not None:
            lock.release()

    event.listen(engine.sync_engine, "before_cursor_execute", before_execute)
    event.listen(engine.sync_engine.pool, "checkin", release)
