"""Flag beats environment beats default."""

from __future__ import annotations

from pathlib import Path

import pytest

from classroom_server.cli import settings_from
from classroom_server.config import Settings


def test_precedence(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert Settings().port == 8080 and Settings().host == "127.0.0.1"
    monkeypatch.setenv("QOU_PORT", "9000")
    monkeypatch.setenv("QOU_LOG_LEVEL", "WARNING")
    assert settings_from(port=None).port == 9000
    assert settings_from(port=9100).port == 9100
    assert settings_from().log_level == "warning"


def test_embedded_database_lives_in_the_data_dir(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    assert settings.is_sqlite
    assert settings.effective_database_url.endswith(str(tmp_path / "classroom.sqlite3"))
    pg = Settings(database_url="postgresql+asyncpg://u@h/db")
    assert not pg.is_sqlite


def test_signing_key_is_generated_once_and_private(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    key = settings.signing_key()
    assert len(key) >= 32 and Settings(data_dir=tmp_path).signing_key() == key
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert Settings(data_dir=tmp_path, secret_key="k" * 40).signing_key() == "k" * 40
