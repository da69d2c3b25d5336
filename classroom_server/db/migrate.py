"""Alembic upgrades run from code, on the application's own async engine.

The alembic environment receives an open connection through ``config.attributes`` (Alembic's
"programmatic API" recipe), so upgrading works inside a running event loop.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import SQLAlchemyError

from classroom_server.db.engine import Database

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


async def upgrade(database: Database, revision: str = "head") -> None:
    def run(connection: Connection) -> None:
        command.upgrade(alembic_config(connection), revision)

    async with database.engine.begin() as conn:
        await conn.run_sync(run)


class DatabaseProblem(Exception):
    """The database cannot be used as it is; the message tells the operator what to do."""


def _known_revisions() -> tuple[str, set[str]]:
    script = ScriptDirectory.from_config(alembic_config())
    return ",".join(sorted(script.get_heads())), {r.revision for r in script.walk_revisions()}


async def schema_revision(database: Database) -> str | None:
    """The revision the database is at (None: never migrated)."""

    def read(connection: Connection) -> str | None:
        heads = MigrationContext.configure(connection).get_current_heads()
        return ",".join(sorted(heads)) or None

    async with database.engine.connect() as conn:
        return await conn.run_sync(read)


async def prepare(database: Database, *, migrate: bool) -> None:
    """Upgrades (the embedded SQLite) or insists the schema is already at head (PostgreSQL,
    which ``qou-classroom migrate`` upgrades so that several nodes do not race): a server
    serving an old schema would fail on its first query with ``relation ... does not exist``."""
    safe_url = make_url(database.url).render_as_string(hide_password=True)
    try:
        if migrate:
            await upgrade(database)
            return
        current = await schema_revision(database)
    except (OSError, TimeoutError, SQLAlchemyError) as exc:
        raise DatabaseProblem(f"cannot use the database {safe_url}: {_reason(exc)}") from exc
    head, known = _known_revisions()
    if current == head:
        return
    if current is not None and not set(current.split(",")) <= known:
        raise DatabaseProblem(
            f"database schema is at {current}, which this version does not know (head {head}): "
            "was it migrated by a newer QOU Classroom?"
        )
    raise DatabaseProblem(
        f"database schema is at {current or 'nothing (empty database)'} (head {head}): "
        f"run `qou-classroom migrate --database-url {safe_url}`"
    )


def _reason(exc: BaseException) -> str:
    """The driver's own words, on one line, without SQLAlchemy's boilerplate."""
    inner = getattr(exc, "orig", None) or exc
    inner = inner.__cause__ or inner  # the driver's exception under the DB-API adapter's
    text = str(inner).strip().splitlines()
    return f"{type(inner).__name__}: {text[0] if text else ''}".rstrip(": ")
