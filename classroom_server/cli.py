"""``qou-classroom``: serve, demo, migrate, create-user (options shared by commands that touch
data, and settings errors, live in ``cli_common``)."""

from __future__ import annotations

import asyncio
import errno
import functools
import os
from typing import Any

import click

from classroom_server.cli_common import (
    data_options,
    ensure_data_dir,
    run_with_database,
    settings_from,
)
from classroom_server.config import Settings
from classroom_server.server_processes import StartupFailed, Supervisor

__all__ = ["data_options", "main", "run_with_database", "settings_from"]

# Binding the listening socket failed: a clear message, not a traceback.
LISTEN_ERRORS = frozenset({errno.EADDRINUSE, errno.EADDRNOTAVAIL, errno.EACCES})


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="qou-classroom")
def main() -> None:
    """QOU Classroom: live lectures, the QOU Tube library and the portal API in one service."""


@main.command()
@click.option("--host", default=None, help="Address to listen on [env QOU_HOST; default 127.0.0.1]")
@click.option("--port", type=int, default=None, help="TCP port [env QOU_PORT; default 8080]")
@data_options
@click.option(
    "--redis-url",
    metavar="URL",
    default=None,
    help="Redis for pub/sub between processes [env QOU_REDIS_URL; default in-process]",
)
@click.option(
    "--log-level",
    type=click.Choice(["debug", "info", "warning", "error"], case_sensitive=False),
    default=None,
    help="Least severe log lines written to stderr; info logs every request with its id "
    "[env QOU_LOG_LEVEL; default info]",
)
@click.option(
    "--trusted-proxies",
    metavar="ADDRS",
    default=None,
    help="Comma-separated addresses or CIDRs of reverse proxies whose X-Forwarded-For names "
    "the client (login throttle, request log) [env QOU_TRUSTED_PROXIES; default none]",
)
@click.option(
    "--ice-server",
    "ice_servers",
    metavar="URL",
    multiple=True,
    help="STUN/TURN server for the SFU and browsers, e.g. stun:stun.example.org:3478 or "
    "turn:turn.example.org:3478?transport=udp (repeatable) [env QOU_ICE_SERVERS as JSON list]",
)
@click.option("--ice-username", default=None, help="TURN username [env QOU_ICE_USERNAME]")
@click.option("--ice-credential", default=None, help="TURN password [env QOU_ICE_CREDENTIAL]")
@click.option(
    "--ice-address",
    "ice_addresses",
    metavar="IP",
    multiple=True,
    help="Local address the SFU gathers ICE candidates on (repeatable) "
    "[env QOU_ICE_ADDRESSES; default: the machine's addresses]",
)
@click.option(
    "--ice-allow",
    metavar="CIDR",
    multiple=True,
    help="Network the SFU accepts ICE candidates and checks from (repeatable) "
    "[env QOU_ICE_ALLOW; default: any]",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Server processes sharing the port, one per core (needs --redis-url and "
    "--database-url; see docs/deployment.md)",
)
@click.option(
    "--media-capacity",
    type=click.IntRange(1, 100_000),
    default=None,
    help="Peer connections a process takes lectures for, with Redis "
    "[env QOU_MEDIA_CAPACITY; default 200]",
)
def serve(workers: int, **flags: Any) -> None:
    """Run the server (embedded SQLite and in-process pub/sub unless told otherwise)."""
    from classroom_server.logs import configure_logging

    for name in ("ice_servers", "ice_addresses", "ice_allow"):
        flags[name] = list(flags[name]) or None  # an unused repeatable flag is not given
    settings = settings_from(**flags)
    ensure_data_dir(settings)
    configure_logging(settings.log_level)
    if workers == 1:
        run_server(settings)
        return
    _check_workers(settings)
    click.echo(f"{_banner(settings)} in {workers} processes")
    try:
        Supervisor(run_server, settings, workers).run()
    except StartupFailed as exc:
        raise click.ClickException(f"{exc}; run without --workers to see why") from None


def _check_workers(settings: Settings) -> None:
    """Processes share rooms through Redis and rows through one database server, and one
    port needs a fixed number."""
    if settings.redis_url is None:
        raise click.UsageError("--workers needs --redis-url: the processes share rooms there")
    if settings.is_sqlite:
        raise click.UsageError(
            "--workers needs --database-url (PostgreSQL): SQLite takes one writer at a time"
        )
    if settings.port == 0:
        raise click.UsageError("--workers needs a fixed --port")


def _banner(settings: Settings) -> str:
    return (
        f"QOU Classroom on http://{settings.host}:{settings.port}/  (data: "
        f"{settings.data_dir.resolve()}, database: "
        f"{'SQLite' if settings.is_sqlite else 'external'})"
    )


def run_server(settings: Settings) -> None:
    """One server process, until it is stopped; one of several on a shared port when
    ``settings.process_index`` is set (``serve --workers``)."""
    from aiohttp import web

    from classroom_server.db.migrate import DatabaseProblem
    from classroom_server.logs import configure_logging
    from classroom_server.web_app import create_app

    shared = settings.process_index is not None
    if shared:
        configure_logging(settings.log_level)  # a spawned process starts without
    app = create_app(settings)
    tune_garbage_collector()
    try:
        web.run_app(
            app,
            host=settings.host,
            port=settings.port,
            reuse_port=shared or None,
            print=None if shared else lambda _started: click.echo(_banner(settings)),
            access_log=None,
            shutdown_timeout=5,
        )
    except DatabaseProblem as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        if exc.errno not in LISTEN_ERRORS:
            raise
        raise click.ClickException(
            f"cannot listen on {settings.host}:{settings.port}: {os.strerror(exc.errno)}"
        ) from None


def tune_garbage_collector() -> None:
    """Each chat delivery leaves a handful of short-lived Tasks and Futures queued long enough to
    reach the older GC generations, so the default thresholds set off a ~200 ms full collection
    every couple of seconds with 500 students (bench/RESULTS.md). Freezing the start-up heap and
    collecting the young generation less often removed those pauses: p99 258 -> 79 ms."""
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


@main.command()
@data_options
def migrate(**flags: Any) -> None:
    """Upgrade the database schema to the latest version."""
    from classroom_server.db import Database
    from classroom_server.db.migrate import DatabaseProblem, prepare

    settings = settings_from(**flags)
    ensure_data_dir(settings)

    async def run() -> None:
        database = Database(settings.effective_database_url)
        try:
            await prepare(database, migrate=True)
        finally:
            await database.close()

    try:
        asyncio.run(run())
    except DatabaseProblem as exc:
        raise click.ClickException(str(exc)) from None
    click.echo("database is at the latest schema")


@main.command("create-user")
@click.argument("username")
@click.option(
    "--role",
    type=click.Choice(["admin", "educator", "student"]),
    default="student",
    show_default=True,
    help="admin: everything; educator: creates courses and teaches; student: joins courses",
)
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="At least 8 characters; asked for when not given",
)
@click.option(
    "--display-name", default=None, help="Name shown to others in rooms [default: the username]"
)
@click.option(
    "--language",
    type=click.Choice(["en", "ar"]),
    default="en",
    show_default=True,
    help="Language of the web pages for this account",
)
@click.option(
    "--time-zone",
    default="UTC",
    show_default=True,
    help="IANA name the account sees times in, e.g. Asia/Hebron",
)
@data_options
def create_user_command(
    username: str,
    role: str,
    password: str,
    display_name: str | None,
    language: str,
    time_zone: str,
    **flags: Any,
) -> None:
    """Create an account."""
    from classroom_server.db import Role
    from classroom_server.users import UsernameTaken, create_user, is_time_zone

    if not is_time_zone(time_zone):
        raise click.BadParameter(
            f"{time_zone!r} is not an IANA time zone", param_hint="--time-zone"
        )
    if len(password) < 8:
        raise click.BadParameter("use at least 8 characters", param_hint="--password")

    async def work(session: Any) -> None:
        await create_user(
            session, username, password, Role(role), display_name, language, time_zone
        )
        await session.commit()

    try:
        run_with_database(settings_from(**flags), work)
    except UsernameTaken:
        raise click.ClickException(f"username {username!r} is taken") from None
    click.echo(f"created {role} {username}")


@main.command()
@click.option(
    "--password",
    default=None,
    help="Give every demo account this password (default: a new random one each)",
)
@data_options
def demo(password: str | None, **flags: Any) -> None:
    """Seed the demo course with one educator and three students; print their logins."""
    from classroom_server.demo import COURSE_TITLE, seed_demo

    logins = run_with_database(
        settings_from(**flags), functools.partial(seed_demo, password=password)
    )
    click.echo(f'Demo course "{COURSE_TITLE}" is ready. Log in with:')
    for account, secret in logins:
        click.echo(
            f"  {account.role.value:<9} {account.username:<10} {secret:<16} "
            f"({account.display_name})"
        )
