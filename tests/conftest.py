"""Shared fixtures: real servers started as ``qou-classroom serve`` subprocesses on free ports.

Every integration test runs once per database in ``QOU_TEST_DATABASES`` (default: SQLite and
the PostgreSQL at 127.0.0.1:5432), except that browser tests run on those of them in
``QOU_BROWSER_DATABASES`` (default: SQLite only; see ``pytest_collection_modifyitems``). Each
test run creates PostgreSQL databases of its own (named after its process id) and drops them
at the end, so concurrent runs cannot disturb each other.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

ADMIN_POSTGRES_URL = os.environ.get(
    "QOU_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
RUN_PREFIX = f"qou_test_{os.getpid()}_"


def run_postgres_url(name: str) -> str:
    """A database only this test run uses."""
    return ADMIN_POSTGRES_URL.rsplit("/", 1)[0] + "/" + RUN_PREFIX + name


REDIS_URL = os.environ.get("QOU_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
DATABASES = os.environ.get("QOU_TEST_DATABASES", "sqlite,postgresql").split(",")
BROWSER_DATABASES = os.environ.get("QOU_BROWSER_DATABASES", "sqlite").split(",")
SECRET_KEY = "test-secret-key-of-sufficient-length-0123456789"
PASSWORD = "demo-password-1"
ADMIN = ("admin", "admin-password-1")
CLI = [sys.executable, "-m", "classroom_server"]


def unless_missing(why: str | None) -> pytest.MarkDecorator:
    """Skip when a system tool is missing (``why`` says which), but never under CI: .ci/run
    installs them all, so there a missing one is a broken install step, not a reason to
    pass without testing."""
    if why is not None and os.environ.get("CI"):
        raise RuntimeError(f"CI should have installed it: {why}")
    return pytest.mark.skipif(why is not None, reason=why or "")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def run_cli(
    *args: str, env: dict[str, str] | None = None, check: bool = True, input: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args],
        capture_output=True,
        text=True,
        check=check,
        timeout=120,
        env={**os.environ, "QOU_SECRET_KEY": SECRET_KEY, **(env or {})},
        input=input,
    )


async def scratch_postgres(url: str) -> str:
    """Creates the database at ``url`` if needed and empties it."""
    name = url.rsplit("/", 1)[1]
    engine = create_async_engine(ADMIN_POSTGRES_URL, isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        exists = await conn.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
        )
        if not exists:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
    await engine.dispose()
    await reset_postgres(url)
    return url


async def drop_run_databases() -> None:
    engine = create_async_engine(ADMIN_POSTGRES_URL, isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        names = await conn.scalars(
            text("SELECT datname FROM pg_database WHERE datname LIKE :p"), {"p": RUN_PREFIX + "%"}
        )
        for name in list(names):
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    await engine.dispose()


@pytest.fixture(scope="session", autouse=True)
def _run_databases() -> Iterator[None]:
    yield
    if "postgresql" in DATABASES:
        asyncio.run(drop_run_databases())


async def reset_postgres(url: str) -> None:
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


@dataclass
class Server:
    """A running ``qou-classroom serve`` and the flags that reach its data."""

    base_url: str
    data_flags: list[str]
    process: subprocess.Popen[bytes]
    log: Path
    command: list[str]
    extra: dict[str, Any] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return self.base_url + path

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()

    def restart(self) -> None:
        """Kills the server (no clean shutdown) and starts it again on the same port and data."""
        self.process.kill()
        self.process.wait(10)
        self.process = _spawn(self.command, self.log)
        _wait_listening(self)


def _spawn(command: list[str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        command,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        env={**os.environ, "QOU_SECRET_KEY": SECRET_KEY},
    )


def _wait_listening(server: Server) -> None:
    port = int(server.base_url.rsplit(":", 1)[1])
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"server exited: {server.log.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"server did not start: {server.log.read_text()}")


def start_server(
    data_dir: Path,
    database: str,
    *extra_flags: str,
    seed: bool = True,
    postgres_url: str | None = None,
) -> Server:
    """``database`` is "sqlite" or "postgresql"; a seeded PostgreSQL database is emptied first.

    Each server gets a PostgreSQL database of its own (named after its data directory) unless
    told to share one: seeding empties the database, and two servers on one database also share
    its job queue, so one's worker would take jobs whose files only the other has."""
    data_flags = ["--data-dir", str(data_dir)]
    if database == "postgresql":
        postgres_url = postgres_url or run_postgres_url(data_dir.name)
        data_flags += ["--database-url", postgres_url]
    if seed:
        if postgres_url:
            asyncio.run(scratch_postgres(postgres_url))
            run_cli("migrate", *data_flags)
        run_cli("demo", "--password", PASSWORD, *data_flags)
        run_cli("create-user", ADMIN[0], "--role", "admin", "--password", ADMIN[1], *data_flags)
    port = free_port()
    log = data_dir / "server.log"
    command = [
        *CLI,
        "serve",
        "--port",
        str(port),
        "--log-level",
        "warning",
        *data_flags,
        *extra_flags,
    ]
    server = Server(f"http://127.0.0.1:{port}", data_flags, _spawn(command, log), log, command)
    _wait_listening(server)
    return server


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Browser tests drive the pages over the same server code the REST and room tests run on
    every database, and they are the suite's slowest part: by default they run on SQLite only,
    which keeps CI inside its time budget (``QOU_BROWSER_DATABASES=sqlite,postgresql`` runs
    them on both)."""
    kept, dropped = [], []
    for item in items:
        callspec = getattr(item, "callspec", None)
        database = callspec.params.get("server") if callspec is not None else None
        browser = item.get_closest_marker("browser") is not None
        if browser and database is not None and database not in BROWSER_DATABASES:
            dropped.append(item)
        else:
            kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(scope="session", params=DATABASES)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    database: str = request.param
    srv = start_server(tmp_path_factory.mktemp(f"server-{database}"), database)
    srv.extra["database"] = database
    yield srv
    srv.stop()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
        yield session


async def bearer(
    http: aiohttp.ClientSession, server: Server, username: str, password: str = PASSWORD
) -> dict[str, str]:
    async with http.post(
        server.url("/api/v1/auth/token"), json={"username": username, "password": password}
    ) as response:
        assert response.status == 200, await response.text()
        token = (await response.json())["access_token"]
    return {"Authorization": f"Bearer {token}"}
