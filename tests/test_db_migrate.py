"""Migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from classroom_server.db import Base, Database, upgrade
from tests.conftest import DATABASES, run_postgres_url, scratch_postgres


@pytest.fixture(params=DATABASES)
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> Database:
    if request.param == "postgresql":
        return Database(await scratch_postgres(run_postgres_url("migrate")))
    return Database(f"sqlite+aiosqlite:///{tmp_path / 'm.sqlite3'}")


async def test_upgrade_matches_models_and_is_repeatable(database: Database) -> None:
    try:
        await upgrade(database)
        await upgrade(database)
        async with database.engine.connect() as conn:
            tables = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
            diff = await conn.run_sync(
                lambda c: compare_metadata(MigrationContext.configure(c), Base.metadata)
            )
    finally:
        await database.close()
    assert {"users", "courses", "enrolments", "lectures", "alembic_version"} <= tables
    assert diff == []
