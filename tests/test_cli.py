"""The ``qou-classroom`` command line, run as a user runs it."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import run_cli


def test_help_lists_commands_and_explains_flags() -> None:
    out = run_cli("--help").stdout
    for command in ("serve", "demo", "migrate", "create-user"):
        assert command in out
    serve_help = run_cli("serve", "--help").stdout
    for flag in ("--host", "--port", "--data-dir", "--database-url", "--redis-url", "--log-level"):
        assert flag in serve_help
    assert "QOU_DATABASE_URL" in serve_help


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
