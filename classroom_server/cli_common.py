"""What every ``qou-classroom`` command that touches data shares: the data options, settings
read from flags and ``QOU_*`` with one-line errors, and opening the database.

Flags are passed to Settings only when given, so flag > ``QOU_*`` environment > default.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from pydantic import ValidationError
from pydantic_settings import SettingsError

from classroom_server.config import Settings

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])


def data_options(func: F) -> F:
    """The options every command that touches data shares."""
    func = click.option(
        "--database-url",
        metavar="URL",
        default=None,
        help="SQLAlchemy URL, e.g. postgresql+asyncpg://user@host/db "
        "[env QOU_DATABASE_URL; default: SQLite file in the data dir]",
    )(func)
    func = click.option(
        "--data-dir",
        type=click.Path(path_type=Path, file_okay=False),
        default=None,
        help="Where the SQLite file, media and the signing key live "
        "[env QOU_DATA_DIR; default ./var]",
    )(func)
    return func


# Values never echoed back in an error message.
SECRET_SETTINGS = frozenset({"secret_key", "ice_credential", "database_url", "redis_url"})


def settings_from(**flags: Any) -> Settings:
    """Settings from the given flags and the environment; a bad value is a one-line usage
    error naming the flag or variable it came from, not a pydantic traceback."""
    given = {k: v for k, v in flags.items() if v is not None}
    try:
        return Settings(**given)
    except ValidationError as exc:
        raise click.UsageError("; ".join(_describe(e, given) for e in exc.errors())) from None
    except SettingsError as exc:
        raise click.UsageError(str(exc)) from None


def _describe(error: Any, given: dict[str, Any]) -> str:
    name = str(error["loc"][0]) if error["loc"] else "settings"
    source = "--" + name.replace("_", "-") if name in given else f"QOU_{name.upper()}"
    message = str(error["msg"]).removeprefix("Value error, ")
    if name not in SECRET_SETTINGS and "input" in error:
        message += f" (got {error['input']!r})"
    return f"invalid {source}: {message}"


def ensure_data_dir(settings: Settings) -> None:
    try:
        settings.ensure_data_dir()
    except OSError as exc:
        raise click.ClickException(
            f"cannot create the data directory {settings.data_dir}: {exc.strerror}"
        ) from None


def run_with_database(settings: Settings, work: Callable[[Any], Awaitable[T]]) -> T:
    """Opens the database (upgrading the embedded SQLite first, insisting an external one is
    at the latest schema), runs ``work(session)``."""
    from classroom_server.db import Database
    from classroom_server.db.migrate import DatabaseProblem, prepare

    async def main() -> T:
        database = Database(settings.effective_database_url)
        try:
            await prepare(database, migrate=settings.is_sqlite)
            async with database.session() as session:
                return await work(session)
        finally:
            await database.close()

    ensure_data_dir(settings)
    try:
        return asyncio.run(main())
    except DatabaseProblem as exc:
        raise click.ClickException(str(exc)) from None
