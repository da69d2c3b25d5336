"""The address people reach the server at, for links that leave it (mail, calendar feeds),
and whether mail goes out at all."""

from __future__ import annotations

import socket
from dataclasses import dataclass

from classroom_server.config import Settings


@dataclass(frozen=True)
class Site:
    address: str
    """``QOU_PUBLIC_URL``, else this server's own address (links in mail need one)."""
    public: bool
    """The address was configured: trust it over the address a request came to."""
    mail: bool
    """SMTP is configured: without it no mail is written, so the outbox cannot grow."""

    @classmethod
    def of(cls, settings: Settings) -> Site:
        if settings.public_url:
            address = settings.public_url.rstrip("/")
        else:
            host = socket.gethostname() if settings.host in ("0.0.0.0", "::") else settings.host
            address = f"http://{host}:{settings.port}"
        return cls(address, bool(settings.public_url), bool(settings.smtp_url))

    def origin(self, requested: str) -> str:
        """Where links in an answer to a request for ``requested`` (scheme://host) point."""
        return self.address if self.public else requested
