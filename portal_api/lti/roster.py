"""Names and Role Provisioning (NRPS 2.0): the course's roster read from the platform and
applied — every active member gets their account (made on first sight, as at a launch) and is
enrolled with the role the LMS gives; members the LMS lists as inactive or deleted are left
as they are (an LMS may list a dropped student, and the course keeps their work).

Pages are followed through ``Link: <...>; rel="next"``, at most ``MAX_PAGES`` of them and
``MAX_MEMBERS`` members in all, so a misbehaving platform cannot keep the server busy.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import aiohttp
from sqlalchemy.ext.asyncio import AsyncSession

from classroom_server.db import Database, LtiContext, LtiPlatform
from classroom_server.lti_links import course_role, enrol, linked_account
from portal_api.lti.service_tokens import TIMEOUT, ServiceError, ServiceTokens, read_json

SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
ACCEPT = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
MAX_PAGES = 20
MAX_MEMBERS = 5000
MAX_PAGE_BYTES = 2 * 1024 * 1024
log = logging.getLogger("qou.lti")


@dataclass(frozen=True)
class Synced:
    enrolled: int
    educators: int
    skipped: int


async def fetch_members(
    http: aiohttp.ClientSession, tokens: ServiceTokens, platform: LtiPlatform, url: str
) -> list[dict[str, Any]]:
    access = await tokens.token(http, platform, [SCOPE])
    headers = {"Authorization": f"Bearer {access}", "Accept": ACCEPT}
    members: list[dict[str, Any]] = []
    next_url: str | None = url
    for _ in range(MAX_PAGES):
        if next_url is None or len(members) >= MAX_MEMBERS:
            break
        try:
            async with http.get(next_url, headers=headers, timeout=TIMEOUT) as response:
                if response.status != 200:
                    raise ServiceError(f"the memberships service answered {response.status}")
                page = await read_json(response, MAX_PAGE_BYTES)
                following = response.links.get("next")
        except aiohttp.ClientError as exc:
            raise ServiceError(f"the memberships service could not be reached ({exc})") from exc
        listed = page.get("members") if isinstance(page, dict) else None
        if not isinstance(listed, list):
            raise ServiceError("the memberships service answered no members list")
        members.extend(m for m in listed if isinstance(m, dict))
        next_url = str(following["url"]) if following else None
    return members[:MAX_MEMBERS]


async def apply_members(
    session: AsyncSession, issuer: str, course_id: int, members: list[dict[str, Any]]
) -> Synced:
    """Enrols the active members; the caller commits."""
    enrolled = educators = skipped = 0
    for member in members:
        sub = member.get("user_id")
        roles = member.get("roles")
        if not isinstance(sub, str) or not sub or member.get("status", "Active") != "Active":
            skipped += 1
            continue
        role = (
            course_role(r for r in roles if isinstance(r, str))
            if isinstance(roles, list)
            else course_role([])
        )
        name = (
            member.get("name")
            or " ".join(str(member.get(p) or "") for p in ("given_name", "family_name")).strip()
        )
        user = await linked_account(session, issuer, sub, str(name or "LMS user"), role)
        await enrol(session, course_id, user, role)
        enrolled += 1
        educators += role.value == "educator"
    return Synced(enrolled, educators, skipped)


async def sync_roster(
    database: Database,
    http: aiohttp.ClientSession,
    tokens: ServiceTokens,
    context_id: int,
) -> Synced:
    """Reads the context's roster from its platform and enrols it (ServiceError if the
    platform's service fails, or the context has no memberships URL)."""
    async with database.session() as session:
        context = await session.get(LtiContext, context_id)
        platform = (
            await session.get(LtiPlatform, context.platform_id)
            if context and context.platform_id
            else None
        )
    if context is None or platform is None or not context.memberships_url:
        raise ServiceError("this course has no roster service (launch it from the LMS first)")
    members = await fetch_members(http, tokens, platform, context.memberships_url)
    async with database.session() as session:
        synced = await apply_members(session, platform.issuer, context.course_id, members)
        row = await session.get(LtiContext, context_id)
        if row is not None:
            row.synced_at = datetime.now(UTC)
        await session.commit()
    log.info("LTI roster of course %s: %s", context.course_id, synced)
    return synced
