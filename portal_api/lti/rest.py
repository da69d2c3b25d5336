"""LTI under ``/api/v1``: the platforms an admin registers, and an educator's roster sync."""

from __future__ import annotations

from datetime import datetime

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from classroom_server.db import Database, LtiPlatform, Role
from classroom_server.lti_links import LinkRace, context_of_course
from classroom_server.lti_platforms import (
    PlatformExists,
    PlatformRefused,
    Registration,
    add_platform,
    list_platforms,
    remove_platform,
)
from classroom_server.web_auth import require_user
from classroom_server.web_problems import Problem, not_found
from portal_api.access import require_course
from portal_api.lti.service_tokens import ServiceError
from portal_api.lti.tool import Lti
from portal_api.router import ApiRouter, path_id

router = ApiRouter()
Url = Field(min_length=8, max_length=2048, pattern=r"^https?://")


class PlatformIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    issuer: str = Field(min_length=1, max_length=512, description="the platform's iss")
    client_id: str = Field(min_length=1, max_length=256)
    deployment_ids: list[str] = Field(min_length=1, max_length=50)
    auth_url: str = Url
    token_url: str = Url
    jwks_url: str = Url


class PlatformOut(BaseModel):
    """A registered LTI 1.3 platform."""

    id: int
    issuer: str
    client_id: str
    deployment_ids: list[str]
    auth_url: str
    token_url: str
    jwks_url: str
    created_at: datetime

    @classmethod
    def of(cls, row: LtiPlatform) -> PlatformOut:
        return cls.model_validate(row, from_attributes=True)


class PlatformList(BaseModel):
    """Every registered LTI 1.3 platform."""

    items: list[PlatformOut]


class LmsLink(BaseModel):
    """Whether the course is an LMS's (LTI) course, and which of its services the LMS gave."""

    linked: bool
    roster: bool = Field(description="the LMS gave its roster service: a sync is possible")
    gradebook: bool = Field(description="quiz scores go to the LMS's gradebook")
    synced_at: datetime | None


class RosterSynced(BaseModel):
    """The roster the LMS listed, applied to the course."""

    enrolled: int
    educators: int
    skipped: int


@router.route("GET", "/admin/lti/platforms", tag="lti", response=PlatformList)
async def get_platforms(request: web.Request, db: Database) -> PlatformList:
    """The LTI 1.3 platforms (LMSs) that may launch the tool."""
    await require_user(request, Role.ADMIN)
    async with db.session() as session:
        return PlatformList(items=[PlatformOut.of(p) for p in await list_platforms(session)])


@router.route(
    "POST",
    "/admin/lti/platforms",
    tag="lti",
    body=PlatformIn,
    response=PlatformOut,
    status=201,
    errors=(409, 422),
)
async def post_platform(request: web.Request, body: PlatformIn, db: Database) -> PlatformOut:
    """Register an LTI 1.3 platform (what the LMS shows for its registration of the tool)."""
    await require_user(request, Role.ADMIN)
    fields = body.model_dump()
    fields["deployment_ids"] = tuple(fields["deployment_ids"])
    async with db.session() as session:
        try:
            row = await add_platform(session, Registration(**fields))
        except PlatformExists as exc:
            raise Problem(409, "conflict", "Conflict", str(exc)) from exc
        except PlatformRefused as exc:
            raise Problem(422, "invalid_platform", "Invalid platform", str(exc)) from exc
        await session.commit()
        return PlatformOut.of(row)


@router.route("DELETE", "/admin/lti/platforms/{platform_id}", tag="lti", errors=(404,))
async def delete_platform(request: web.Request, db: Database) -> None:
    """Forget a platform: its launches are refused from then on (accounts and courses stay)."""
    await require_user(request, Role.ADMIN)
    platform_id = path_id(request, "platform_id", "platform")
    async with db.session() as session:
        if not await remove_platform(session, platform_id):
            raise not_found(f"platform {platform_id}")
        await session.commit()


@router.route("GET", "/courses/{course_id}/lti", tag="lti", response=LmsLink, errors=(404,))
async def get_lms_link(request: web.Request, db: Database) -> LmsLink:
    """The course's link to an LMS (its educators)."""
    user = await require_user(request)
    course_id = path_id(request, "course_id", "course")
    async with db.session() as session:
        await require_course(session, user, course_id, manage=True)
        context = await context_of_course(session, course_id)
    if context is None:
        return LmsLink(linked=False, roster=False, gradebook=False, synced_at=None)
    return LmsLink(
        linked=True,
        roster=bool(context.memberships_url),
        gradebook=bool(context.lineitems_url or context.lineitem_url),
        synced_at=context.synced_at,
    )


@router.route(
    "POST",
    "/courses/{course_id}/lti/roster-sync",
    tag="lti",
    response=RosterSynced,
    errors=(404, 409, 502),
)
async def post_roster_sync(request: web.Request, db: Database, lti: Lti) -> RosterSynced:
    """Read the course's roster from its LMS (Names and Role Provisioning) and enrol it."""
    user = await require_user(request)
    course_id = path_id(request, "course_id", "course")
    async with db.session() as session:
        await require_course(session, user, course_id, manage=True)
        context = await context_of_course(session, course_id)
    if context is None or not context.memberships_url:
        raise Problem(
            409,
            "no_roster_service",
            "No roster service",
            "this course is not linked to an LMS roster (launch it from the LMS first)",
        )
    try:
        synced = await lti.sync(context.id)
    except ServiceError as exc:
        raise Problem(502, "lms_failed", "The LMS failed", str(exc)) from exc
    except LinkRace as exc:
        raise Problem(409, "sync_under_way", "A sync is under way", str(exc)) from exc
    return RosterSynced(
        enrolled=synced.enrolled, educators=synced.educators, skipped=synced.skipped
    )
