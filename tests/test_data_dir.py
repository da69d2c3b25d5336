"""The data directory is private: 0700, and what the server creates in it 0600.

The class: every file a process creates takes its umask (often 022, world-readable), so the
SQLite database, the signing key, recordings and uploads were readable by every local user.
"""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

from classroom_server.data_dir import prepare_data_dir
from tests.conftest import CLI, PASSWORD, run_cli


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _loose(root: Path) -> list[str]:
    """Everything under ``root`` that group or others may read, write or enter."""
    return [
        f"{p} {oct(_mode(p))}"
        for p in [root, *root.rglob("*")]
        if not p.is_symlink() and _mode(p) & 0o077
    ]


def test_cli_creates_a_private_data_dir_under_a_lax_umask(tmp_path: Path) -> None:
    data = tmp_path / "var"
    # demo makes the database (and its WAL) and the course rows.
    old = os.umask(0o022)  # the child inherits it
    try:
        subprocess.run(
            [*CLI, "demo", "--password", PASSWORD, "--data-dir", str(data)],
            check=True,
            capture_output=True,
            env={k: v for k, v in os.environ.items() if k != "QOU_SECRET_KEY"},
        )
    finally:
        os.umask(old)
    assert (data / "classroom.sqlite3").is_file()
    assert _loose(data) == []


def test_an_existing_lax_data_dir_is_tightened(tmp_path: Path) -> None:
    data = tmp_path / "var"
    data.mkdir(mode=0o755)
    data.chmod(0o755)
    database = data / "classroom.sqlite3"
    database.write_bytes(b"")
    database.chmod(0o644)
    run_cli("create-user", "someone", "--password", PASSWORD, "--data-dir", str(data))
    assert _mode(data) == 0o700 and _mode(database) == 0o600


def test_files_made_later_are_private(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        prepare_data_dir(tmp_path / "var")
        (tmp_path / "var" / "recordings" / "1").mkdir(parents=True)
        (tmp_path / "var" / "recordings" / "1" / "track.json").write_text("{}")
        assert _loose(tmp_path / "var") == []
    finally:
        os.umask(old)
