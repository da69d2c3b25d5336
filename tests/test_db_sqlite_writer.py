"""Many simultaneous writers on the embedded SQLite file: none is refused, readers never wait."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select

from classroom_server.db import Course, Database, upgrade


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'writers.sqlite3'}")
    await upgrade(db)

    def short_patience(dbapi_connection: Any, _record: Any) -> None:
        # SQLite's own wait gives up after 50 ms here: only the queue can keep writers apart.
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout=50")
        cursor.close()

    event.listen(db.engine.sync_engine, "connect", short_patience)
    await db.engine.dispose()
    yield db
    await db.close()


async def add_course(db: Database, code: str, hold: float, commit: bool = True) -> None:
    async with db.session() as session:
        session.add(Course(code=code, title=code))
        await session.flush()
        await asyncio.sleep(hold)  # a handler that awaits something between write and commit
        if commit:
            await session.commit()


async def count(db: Database) -> int:
    async with db.session() as session:
        return await session.scalar(select(func.count()).select_from(Course)) or 0


async def test_thirty_writers_holding_the_lock_all_commit(database: Database) -> None:
    await asyncio.gather(*(add_course(database, f"W{i}", 0.02) for i in range(30)))
    assert await count(database) == 30


async def test_a_writer_that_never_commits_frees_the_queue(database: Database) -> None:
    await add_course(database, "GONE", 0.0, commit=False)
    await asyncio.wait_for(add_course(database, "KEPT", 0.0), 2)
    async with database.session() as session:
        codes = (await session.scalars(select(Course.code))).all()
    assert codes == ["KEPT"]


async def test_readers_do_not_wait_for_a_writer(database: Database) -> None:
    writer = asyncio.create_task(add_course(database, "SLOW", 1.0))
    await asyncio.sleep(0.2)
    assert await asyncio.wait_for(count(database), 0.5) == 0
    await writer
    assert await count(database) == 1
