"""Flag beats environment beats default."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
from pydantic import ValidationError

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


def test_trusted_proxies_are_comma_separated_networks(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().trusted_proxies == []
    monkeypatch.setenv("QOU_TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8,::1")
    assert Settings().trusted_proxies == ["127.0.0.1/32", "10.0.0.0/8", "::1/128"]
    assert settings_from(trusted_proxies="192.168.1.7").trusted_proxies == ["192.168.1.7/32"]
    with pytest.raises(ValidationError):
        Settings(trusted_proxies="10.0.0.0/8,proxy.example.org")


def test_database_url_needs_an_async_driver() -> None:
    for url in ("sqlite+aiosqlite:///x.db", "postgresql+asyncpg://u:p@h:5432/db"):
        assert Settings(database_url=url).database_url == url
    for url in ("not a url", "postgresql://u@h/db", "mysql+aiomysql://u@h/db"):
        with pytest.raises(ValidationError):
            Settings(database_url=url)


def _key_of(data_dir: Path) -> str:
    return Settings(data_dir=data_dir).signing_key()


def test_processes_starting_together_share_one_key(tmp_path: Path) -> None:
    """serve --workers starts its processes at once on a data dir without a key."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(8, mp_context=context) as pool:
        keys = set(pool.map(_key_of, [tmp_path] * 32))
    assert len(keys) == 1 and len(keys.pop()) >= 32
    assert [p.name for p in tmp_path.iterdir() if "secret" in p.name] == ["secret_key"]
