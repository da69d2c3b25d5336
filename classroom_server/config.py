"""Settings, read once at start-up.

Precedence is flag > environment (``QOU_*``) > default: the CLI passes only the flags a user
actually gave, so pydantic-settings fills the rest from the environment.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from classroom_server.data_dir import prepare_data_dir

LogLevel = Literal["debug", "info", "warning", "error"]
# The async drivers the code is written and tested against.
DATABASE_DRIVERS = ("sqlite+aiosqlite", "postgresql+asyncpg")
MAX_TRUSTED_PROXIES = 64


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="QOU_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(8080, ge=0, le=65535)
    data_dir: Path = Path("var")
    database_url: str | None = None
    redis_url: str | None = None
    log_level: LogLevel = "info"
    secret_key: str | None = None
    access_token_minutes: int = Field(60, ge=1, le=24 * 60)
    session_hours: int = Field(12, ge=1, le=24 * 30)
    secure_cookies: bool = False
    # With Redis: how often a server process renews its presence lease (which lasts three
    # beats) and sweeps the connections of processes whose lease lapsed.
    room_heartbeat_seconds: float = Field(5.0, ge=0.05, le=60)
    # With Redis, every server process is a media node (signaling.media_nodes): it takes new
    # lectures while it holds fewer than media_capacity peer connections (plus one per
    # lecture), and renews its lease (three beats) every media_beat_seconds; a lecture whose
    # node lost its lease is placed again within about four beats.
    media_capacity: int = Field(200, ge=1, le=100_000)
    media_beat_seconds: float = Field(1.0, ge=0.05, le=30)
    # A VOD job whose worker stopped heartbeating this long ago is taken by another worker.
    job_stale_seconds: float = Field(60.0, ge=1, le=3600)
    # Set by ``serve --workers N`` in each of its processes (0..N-1): they share one port.
    process_index: int | None = Field(None, ge=0)
    # Media (ICE). STUN/TURN URLs the SFU and the browsers use; the TURN credentials go with
    # every turn:/turns: URL. ice_addresses: the local addresses the SFU gathers host
    # candidates on (None: the machine's). ice_allow: networks (CIDR) it accepts ICE
    # candidates and checks from (None: any).
    ice_servers: list[str] = Field(default_factory=list, max_length=16)
    ice_username: str | None = None
    ice_credential: str | None = None
    ice_addresses: list[str] | None = None
    ice_allow: list[str] | None = None
    # The address people reach the server at (https://classroom.example.edu), for links in
    # e-mail and calendar feeds; None: the address a request came to.
    public_url: str | None = Field(None, pattern=r"^https?://[^/?#\s]+$")
    # E-mail notifications through SMTP (None: none are sent): smtp://user:pass@host:587
    # (STARTTLS when the server offers it), smtps://... (TLS from the start); ?from=address.
    smtp_url: str | None = Field(None, pattern=r"^smtps?://")
    # Office-hour bookings are reminded this long before they start (0: no reminder).
    booking_reminder_minutes: int = Field(60, ge=0, le=7 * 24 * 60)
    # Reverse proxies (addresses or CIDRs, comma-separated in QOU_TRUSTED_PROXIES) whose
    # X-Forwarded-For names the client; from anyone else the header is ignored.
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=list, max_length=MAX_TRUSTED_PROXIES
    )

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str | None) -> str | None:
        if not value:
            return None
        try:
            driver = make_url(value).drivername
        except ArgumentError:
            raise ValueError("not a database URL, e.g. postgresql+asyncpg://user@host/db") from None
        if driver not in DATABASE_DRIVERS:
            raise ValueError(
                f"driver {driver!r} is not supported: use {' or '.join(DATABASE_DRIVERS)}"
            )
        return value

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split_proxies(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _proxy_networks(cls, value: list[str]) -> list[str]:
        return [str(ipaddress.ip_network(n, strict=False)) for n in value]

    @field_validator("ice_servers")
    @classmethod
    def _ice_urls(cls, value: list[str]) -> list[str]:
        for url in value:
            if not url.startswith(("stun:", "stuns:", "turn:", "turns:")) or len(url) > 512:
                raise ValueError(f"not a stun:/stuns:/turn:/turns: URL: {url!r}")
        return value

    @field_validator("ice_addresses")
    @classmethod
    def _ice_addresses(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else [str(ipaddress.ip_address(a)) for a in value]

    @field_validator("ice_allow")
    @classmethod
    def _ice_networks(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        return [str(ipaddress.ip_network(n, strict=False)) for n in value]

    @field_validator("log_level", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.lower() if isinstance(value, str) else value

    @property
    def effective_database_url(self) -> str:
        """The embedded default is a SQLite file inside the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'classroom.sqlite3').resolve()}"

    @property
    def is_sqlite(self) -> bool:
        return self.effective_database_url.startswith("sqlite")

    def ensure_data_dir(self) -> Path:
        """The data directory, private to this user (``classroom_server.data_dir``)."""
        return prepare_data_dir(self.data_dir)

    def signing_key(self) -> str:
        """One key per deployment; generated and kept in the data dir when none is configured.

        Several server processes must share it (set ``QOU_SECRET_KEY``), or tokens issued by
        one would be refused by another.
        """
        if self.secret_key:
            return self.secret_key
        path = self.ensure_data_dir() / "secret_key"
        if not path.exists():
            _create_once(path, secrets.token_urlsafe(48))
        return path.read_text().strip()


def _create_once(path: Path, content: str) -> None:
    """Writes ``path`` whole, unless another process got there first: processes starting
    together (``serve --workers``, nodes on a shared data dir) must all read one key, never a
    half-written file or each their own."""
    draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w") as file:
            file.write(content)
        os.link(draft, path)
    except FileExistsError:
        pass  # the first one won: read theirs
    finally:
        draft.unlink()
