"""The ``qou-classroom`` command line, run as a user runs it."""

from __future__ import annotations

import asyncio
import re
import socket
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from alembic.script import ScriptDirectory

from classroom_server.commands import main
from classroom_server.db import Database
from classroom_server.db.migrate import alembic_config, upgrade
from tests.conftest import DATABASES, run_cli, run_postgres_url, scratch_postgres


def _commands(command: click.Command, path: str) -> Iterator[tuple[str, click.Command]]:
    yield path, command
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            yield from _commands(sub, f"{path} {name}")


def test_help_lists_commands_and_explains_flags() -> None:
    out = run_cli("--help").stdout
    for command in ("serve", "demo", "migrate", "create-user"):
        assert command in out
    serve_help = run_cli("serve", "--help").stdout
    for flag in ("--host", "--port", "--data-dir", "--database-url", "--redis-url", "--log-level"):
        assert flag in serve_help
    assert "QOU_DATABASE_URL" in serve_help
    assert "Least severe log lines" in serve_help
    assert "--display-name" in run_cli("create-user", "--help").stdout
    undocumented = [
        f"{path} {'/'.join(param.opts)}"
        for path, command in _commands(main, "qou-classroom")
        for param in command.params
        if isinstance(param, click.Option) and not (param.help or "").strip()
    ]
    assert undocumented == []
    assert all((c.help or "").strip() for _, c in _commands(main, "qou-classroom"))


def _fails_cleanly(result: subprocess.CompletedProcess[str], *needles: str) -> str:
    """A bad setting or an unusable database: exit status != 0, one ``Error:`` line, no
    traceback."""
    assert result.returncode != 0, result
    assert "QOU Classroom on" not in result.stdout, "no banner for a server that never listened"
    err = result.stderr
    assert "Traceback" not in err and 'File "' not in err, err
    errors = [line for line in err.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, err
    for needle in needles:
        assert needle in errors[0], err
    return errors[0]


@pytest.mark.parametrize(
    ("args", "env", "needles"),
    [
        (["serve"], {"QOU_PORT": "abc"}, ["QOU_PORT", "integer", "abc"]),
        (["serve", "--port", "99999"], {}, ["--port", "65535"]),
        (["serve"], {"QOU_LOG_LEVEL": "verbose"}, ["QOU_LOG_LEVEL", "verbose"]),
        (["serve", "--trusted-proxies", "10.0.0.0/8,nope"], {}, ["--trusted-proxies", "nope"]),
        (["migrate", "--database-url", "no-such-scheme"], {}, ["--database-url", "not a database"]),
        (["migrate", "--database-url", "postgresql://u@h/db"], {}, ["postgresql+asyncpg"]),
    ],
)
def test_bad_settings_are_one_line_errors(
    tmp_path: Path, args: list[str], env: dict[str, str], needles: list[str]
) -> None:
    result = run_cli(*args, "--data-dir", str(tmp_path), env=env, check=False)
    _fails_cleanly(result, *needles)


@pytest.mark.parametrize("command", ["serve", "migrate", "demo"])
def test_unreachable_database_is_a_one_line_error(tmp_path: Path, command: str) -> None:
    url = "postgresql+asyncpg://postgres:hunter2@127.0.0.1:1/nothing"
    result = run_cli(command, "--data-dir", str(tmp_path), "--database-url", url, check=False)
    line = _fails_cleanly(result, "cannot use the database", "127.0.0.1:1", "Refused")
    assert "hunter2" not in line


def test_port_in_use_is_a_one_line_error(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        result = run_cli("serve", "--data-dir", str(tmp_path), "--port", port, check=False)
    _fails_cleanly(result, f"cannot listen on 127.0.0.1:{port}", "in use")


@pytest.mark.skipif("postgresql" not in DATABASES, reason="PostgreSQL not under test")
def test_serve_refuses_a_postgresql_schema_behind_the_code(tmp_path: Path) -> None:
    url = asyncio.run(scratch_postgres(run_postgres_url("behind")))
    flags = ("--data-dir", str(tmp_path), "--database-url", url)
    script = ScriptDirectory.from_config(alembic_config())
    head = script.get_current_head()
    assert head is not None
    previous = script.get_revision(head).down_revision
    assert isinstance(previous, str)
    empty = _fails_cleanly(run_cli("serve", *flags, check=False), "qou-classroom migrate")
    assert f"(head {head})" in empty and "empty database" in empty
    assert f"--database-url {url}" in empty
    _fails_cleanly(run_cli("create-user", "x", "--password", "long-enough", *flags, check=False))

    async def migrate_to_previous() -> None:
        database = Database(url)
        await upgrade(database, previous)
        await database.close()

    asyncio.run(migrate_to_previous())
    behind = _fails_cleanly(run_cli("serve", *flags, check=False), "qou-classroom migrate")
    assert f"at {previous} (head {head})" in behind
    run_cli("migrate", *flags)
    assert (
        "created student x" in run_cli("create-user", "x", "--password", "long-pass", *flags).stdout
    )


def test_demo_prints_working_logins_and_can_rerun(tmp_path: Path) -> None:
    first = run_cli("demo", "--data-dir", str(tmp_path)).stdout
    assert "Introduction to Open Learning" in first
    logins = re.findall(r"^\s+(educator|student)\s+(\S+)\s+(\S+)", first, re.M)
    assert [role for role, _, _ in logins] == ["educator", "student", "student", "student"]
    again = run_cli("demo", "--data-dir", str(tmp_path)).stdout
    assert re.findall(r"^\s+\w+\s+(\S+)\s+(\S+)", again, re.M) != [(u, p) for _, u, p in logins]
    assert (tmp_path / "classroom.sqlite3").is_file()


def test_create_user_rejects_duplicates_and_bad_zones(tmp_path: Path) -> None:
    flags = ("--data-dir", str(tmp_path))
    ok = run_cli(
        "create-user",
        "Rana",
        "--role",
        "educator",
        "--password",
        "long-enough",
        "--time-zone",
        "Asia/Hebron",
        *flags,
    )
    assert "created educator Rana" in ok.stdout
    dup = run_cli("create-user", "rana", "--password", "long-enough", *flags, check=False)
    assert dup.returncode != 0 and "taken" in dup.stderr
    zone = run_cli(
        "create-user",
        "x1",
        "--password",
        "long-enough",
        "--time-zone",
        "Nowhere/X",
        *flags,
        check=False,
    )
    assert zone.returncode != 0 and "IANA" in zone.stderr


def test_create_user_prompts_for_the_password(tmp_path: Path) -> None:
    done = run_cli(
        "create-user", "prompted", "--data-dir", str(tmp_path), input="secret-pass\nsecret-pass\n"
    )
    assert "created student prompted" in done.stdout


def test_passwords_are_stored_as_argon2id(tmp_path: Path) -> None:
    run_cli("create-user", "hashed", "--password", "plain-text-1", "--data-dir", str(tmp_path))
    with sqlite3.connect(tmp_path / "classroom.sqlite3") as db:
        (stored,) = db.execute(
            "SELECT password_hash FROM users WHERE username = 'hashed'"
        ).fetchone()
    assert stored.startswith("$argon2id$") and "plain-text-1" not in stored
