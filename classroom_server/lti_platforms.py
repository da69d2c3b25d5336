"""The LTI 1.3 platforms (LMSs) an admin registered: the rules a registration follows, and
finding the one a login or launch names.

A platform is named by its issuer and the client id it gave this tool (one LMS may register
the tool twice); it launches only from the deployments registered for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom_server.db import LtiPlatform, add_unique

MAX_DEPLOYMENTS = 50
MAX_PLATFORMS = 200


class PlatformRefused(ValueError):
    """The registration breaks a rule; the message says which."""


class PlatformExists(Exception):
    """This issuer already registered this client id."""


@dataclass(frozen=True)
class Registration:
    issuer: str
    client_id: str
    deployment_ids: tuple[str, ...]
    auth_url: str
    token_url: str
    jwks_url: str

    def check(self) -> None:
        """Web URLs only (the server fetches the JWKS and asks the token endpoint), at least
        one deployment, sizes the columns hold."""
        for name in ("auth_url", "token_url", "jwks_url"):
            url = getattr(self, name)
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > 2048:
                raise PlatformRefused(f"{name} must be an http(s) URL")
        if not self.issuer or len(self.issuer) > 512:
            raise PlatformRefused("the issuer must be 1 to 512 characters")
        if not self.client_id or len(self.client_id) > 256:
            raise PlatformRefused("the client id must be 1 to 256 characters")
        if not self.deployment_ids or len(self.deployment_ids) > MAX_DEPLOYMENTS:
            raise PlatformRefused(f"give 1 to {MAX_DEPLOYMENTS} deployment ids")
        if any(not d or len(d) > 256 for d in self.deployment_ids):
            raise PlatformRefused("a deployment id must be 1 to 256 characters")


async def add_platform(session: AsyncSession, registration: Registration) -> LtiPlatform:
    """Registers the platform (PlatformRefused, PlatformExists); the caller commits."""
    registration.check()
    count = len((await session.scalars(select(LtiPlatform.id))).all())
    if count >= MAX_PLATFORMS:
        raise PlatformRefused(f"at most {MAX_PLATFORMS} platforms")
    row = LtiPlatform(
        issuer=registration.issuer,
        client_id=registration.client_id,
        deployment_ids=list(dict.fromkeys(registration.deployment_ids)),
        auth_url=registration.auth_url,
        token_url=registration.token_url,
        jwks_url=registration.jwks_url,
    )
    if not await add_unique(session, row):
        raise PlatformExists(f"{registration.issuer} already registered {registration.client_id}")
    return row


async def list_platforms(session: AsyncSession) -> list[LtiPlatform]:
    return list((await session.scalars(select(LtiPlatform).order_by(LtiPlatform.id))).all())


async def remove_platform(session: AsyncSession, platform_id: int) -> bool:
    """Forgets the registration (its users' accounts and its courses stay); the caller
    commits. False if there was none."""
    row = await session.get(LtiPlatform, platform_id)
    if row is None:
        return False
    await session.delete(row)
    return True


async def find_platform(
    session: AsyncSession, issuer: str, client_id: str | None
) -> LtiPlatform | None:
    """The registration a login names; without a client id, the issuer's only one."""
    query = select(LtiPlatform).where(LtiPlatform.issuer == issuer)
    if client_id:
        query = query.where(LtiPlatform.client_id == client_id)
    rows = (await session.scalars(query.limit(2))).all()
    return rows[0] if len(rows) == 1 else None


def deployment_allowed(platform: LtiPlatform, deployment_id: str) -> bool:
    return deployment_id in platform.deployment_ids
