"""Validating a launch: the ``id_token`` a platform POSTs to ``/lti/launch`` after the OIDC
login (LTI 1.3 Core, IMS Security Framework 5.1.3).

The token must be signed by the platform the login started with (its JWKS), be for this tool
(``aud``/``azp`` = the client id), be current (``exp``/``iat``), carry the login's nonce, come
from a registered deployment, and be an LTI 1.3.0 message of a type the tool handles. Each
refusal says which of these failed.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import jwt
from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from classroom_server.db import LtiLogin, LtiPlatform
from classroom_server.lti_platforms import deployment_allowed
from portal_api.lti.platform_keys import KeysUnavailable, PlatformKeys

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
RESOURCE_LINK = "LtiResourceLinkRequest"
DEEP_LINKING = "LtiDeepLinkingRequest"
MESSAGE_TYPES = frozenset({RESOURCE_LINK, DEEP_LINKING})
LEEWAY = timedelta(seconds=60)
LOGIN_LIFETIME = timedelta(minutes=10)
MAX_LIVE_LOGINS = 20_000


class LaunchRefused(Exception):
    """The launch is refused; the message says why (shown to the user and logged)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Launch:
    platform: LtiPlatform
    claims: dict[str, Any]

    @property
    def message_type(self) -> str:
        return str(self.claims[LTI + "message_type"])

    @property
    def sub(self) -> str:
        return str(self.claims["sub"])

    @property
    def roles(self) -> list[str]:
        roles = self.claims.get(LTI + "roles")
        return [str(r) for r in roles] if isinstance(roles, list) else []

    def claim(self, name: str) -> dict[str, Any]:
        """An object claim (``context``, ``custom``...), empty if absent or not an object."""
        value = self.claims.get(name if name.startswith("http") else LTI + name)
        return value if isinstance(value, dict) else {}

    @property
    def name(self) -> str:
        given = " ".join(
            str(self.claims.get(part) or "") for part in ("given_name", "family_name")
        ).strip()
        return str(self.claims.get("name") or given or "LMS user")[:120]


async def new_login(session: AsyncSession, platform: LtiPlatform) -> LtiLogin:
    """A login's state and nonce, kept until the launch uses them; the caller commits.
    Expired logins go as new ones come; at most ``MAX_LIVE_LOGINS`` are kept at once, so
    login requests (anyone may send them) cannot fill the database."""
    now = datetime.now(UTC)
    await session.execute(delete(LtiLogin).where(LtiLogin.expires_at < now))
    live = await session.scalar(select(func.count()).select_from(LtiLogin))
    if (live or 0) >= MAX_LIVE_LOGINS:
        raise LaunchRefused("Too many logins under way; try again in a few minutes.", 429)
    row = LtiLogin(
        state=secrets.token_urlsafe(32),
        nonce=secrets.token_urlsafe(32),
        platform_id=platform.id,
        used=False,
        expires_at=now + LOGIN_LIFETIME,
    )
    session.add(row)
    return row


async def _use_login(session: AsyncSession, state: str) -> tuple[LtiLogin, LtiPlatform]:
    """The login ``state`` names, marked used in one statement so that of two launches with
    one state (a replayed token) exactly one proceeds."""
    login = await session.get(LtiLogin, state)
    if login is None or login.expires_at < datetime.now(UTC):
        raise LaunchRefused("This launch's login is unknown or expired: start again from the LMS.")
    claimed = await session.execute(
        update(LtiLogin).where(LtiLogin.state == state, LtiLogin.used.is_(False)).values(used=True)
    )
    if not getattr(claimed, "rowcount", 0):
        raise LaunchRefused("This launch was already used (its nonce is spent): replay refused.")
    platform = await session.get(LtiPlatform, login.platform_id)
    if platform is None:
        raise LaunchRefused("The platform of this launch is no longer registered.", 403)
    return login, platform


async def _verified_claims(
    http: aiohttp.ClientSession, keys: PlatformKeys, platform: LtiPlatform, token: str
) -> dict[str, Any]:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.InvalidTokenError as exc:
        raise LaunchRefused(f"The id_token is not a JWT ({exc}).") from exc
    if header.get("alg") != "RS256":
        raise LaunchRefused("The id_token must be signed with RS256.")
    try:
        key = await keys.key(http, platform.jwks_url, header.get("kid"))
    except KeysUnavailable as exc:
        raise LaunchRefused(f"The id_token's key could not be found: {exc}.", 401) from exc
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=["RS256"],
            audience=platform.client_id,
            issuer=platform.issuer,
            leeway=LEEWAY,
            options={"require": ["exp", "iat", "iss", "aud", "sub", "nonce"]},
        )
    except jwt.InvalidSignatureError as exc:
        raise LaunchRefused(
            "The id_token's signature does not match the platform's keys.", 401
        ) from exc
    except jwt.ExpiredSignatureError as exc:
        raise LaunchRefused("The id_token has expired.", 401) from exc
    except jwt.InvalidAudienceError as exc:
        raise LaunchRefused("The id_token is not for this tool (wrong audience).", 401) from exc
    except jwt.InvalidIssuerError as exc:
        raise LaunchRefused("The id_token is from another issuer than the login.", 401) from exc
    except jwt.InvalidTokenError as exc:
        raise LaunchRefused(f"The id_token is not valid ({exc}).", 401) from exc
    return claims


def _check_message(platform: LtiPlatform, claims: dict[str, Any], nonce: str) -> None:
    aud = claims["aud"]
    azp = claims.get("azp")
    if (isinstance(aud, list) and len(aud) > 1 and azp is None) or (
        azp is not None and azp != platform.client_id
    ):
        raise LaunchRefused("The id_token's azp is not this tool's client id.", 401)
    if not secrets.compare_digest(str(claims["nonce"]).encode(), nonce.encode()):
        raise LaunchRefused("The id_token's nonce is not this login's: replay refused.", 401)
    if not deployment_allowed(platform, str(claims.get(LTI + "deployment_id", ""))):
        raise LaunchRefused("This deployment of the tool is not registered.", 403)
    if claims.get(LTI + "version") != "1.3.0":
        raise LaunchRefused("Only LTI version 1.3.0 is supported.")
    message_type = claims.get(LTI + "message_type")
    if message_type not in MESSAGE_TYPES:
        raise LaunchRefused(f"The message type {message_type!r} is not supported.")
    if not str(claims.get("sub") or ""):
        raise LaunchRefused("Anonymous launches (no sub) are not supported.")
    if message_type == RESOURCE_LINK and not isinstance(claims.get(LTI + "resource_link"), dict):
        raise LaunchRefused("A resource link launch must name its resource_link.")
    settings = claims.get(DL + "deep_linking_settings")
    if message_type == DEEP_LINKING and not (
        isinstance(settings, dict) and settings.get("deep_link_return_url")
    ):
        raise LaunchRefused("A deep linking request must name its deep_link_return_url.")


async def validate_launch(
    session: AsyncSession,
    http: aiohttp.ClientSession,
    keys: PlatformKeys,
    state: str,
    token: str,
) -> Launch:
    """The launch, if the token passes every check (else LaunchRefused); the login's state
    is spent whatever the outcome, and the caller commits."""
    login, platform = await _use_login(session, state)
    claims = await _verified_claims(http, keys, platform, token)
    _check_message(platform, claims, login.nonce)
    return Launch(platform, claims)
