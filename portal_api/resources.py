"""Repository links of a course, listed in the educator's order."""

from __future__ import annotations

from typing import Annotated, Literal

from aiohttp import web
from pydantic import AnyUrl, BaseModel, ConfigDict, Field, UrlConstraints, model_validator

from classroom_server.courses import in_course
from classroom_server.db import Database, Resource, Video
from classroom_server.resources import add_resource as add_course_resource
from classroom_server.resources import course_resources
from classroom_server.web_auth import require_user
from classroom_server.web_problems import not_found
from portal_api.access import require_course
from portal_api.router import ApiRouter, path_id
from portal_api.schemas import DbId, ListPage, Page

router = ApiRouter()
Kind = Literal["journal_article", "book", "research", "slides", "dataset", "open_course", "video"]
WebUrl = Annotated[AnyUrl, UrlConstraints(allowed_schemes=["http", "https"], max_length=2000)]


class ResourceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=300)
    kind: Kind
    url: WebUrl | None = None
    video_id: DbId | None = None
    creator: str = Field("", max_length=300)
    date: str = Field("", max_length=32, description="Dublin Core date, e.g. 2024 or 2024-05-01")
    identifier: str = Field("", max_length=300, description="DOI, ISBN or repository handle")
    licence: str = Field("", max_length=100, examples=["CC BY 4.0"])
    language: str = Field("", max_length=16)
    position: int = Field(0, ge=0, le=10_000)

    @model_validator(mode="after")
    def _one_target(self) -> ResourceIn:
        if (self.url is None) == (self.video_id is None):
            raise ValueError("give either url or video_id")
        return self


class ResourceOut(BaseModel):
    id: int
    course_id: int
    title: str
    kind: str
    url: str | None
    video_id: int | None
    creator: str
    date: str
    identifier: str
    licence: str
    language: str
    position: int


class ResourceList(ListPage[ResourceOut]):
    pass


def _out(r: Resource) -> ResourceOut:
    return ResourceOut.model_validate(r, from_attributes=True)


@router.route(
    "GET", "/courses/{course_id}/resources", tag="resources", query=Page, response=ResourceList
)
async def list_resources(request: web.Request, query: Page, db: Database) -> ResourceList:
    """A course's repository links in order."""
    user = await require_user(request)
    course_id = path_id(request, "course_id", "course")
    async with db.session() as session:
        await require_course(session, user, course_id)
        rows, total = await course_resources(session, course_id, query.limit, query.offset)
    return ResourceList.of(map(_out, rows), total, query)


@router.route(
    "POST",
    "/courses/{course_id}/resources",
    tag="resources",
    body=ResourceIn,
    response=ResourceOut,
    status=201,
)
async def add_resource(request: web.Request, body: ResourceIn, db: Database) -> ResourceOut:
    """Attach a link (http/https only) or a library video to a course."""
    user = await require_user(request)
    course_id = path_id(request, "course_id", "course")
    async with db.session() as session:
        await require_course(
            session,
            user,
            course_id,
            manage=True,
            denied="Only the course's educators add resources",
        )
        if body.video_id is not None and not await in_course(
            session, Video, body.video_id, course_id
        ):
            raise not_found(f"video {body.video_id} in this course")
        fields = body.model_dump()
        fields["url"] = str(body.url) if body.url else None
        resource = await add_course_resource(session, course_id, fields)
        await session.commit()
        return _out(resource)


@router.route("DELETE", "/resources/{resource_id}", tag="resources")
async def delete_resource(request: web.Request, db: Database) -> None:
    """Remove a link."""
    user = await require_user(request)
    resource_id = path_id(request, "resource_id", "resource")
    async with db.session() as session:
        resource = await session.get(Resource, resource_id)
        if resource is None:
            raise not_found(f"resource {resource_id}")
        await require_course(
            session,
            user,
            resource.course_id,
            manage=True,
            denied="Only the course's educators remove resources",
        )
        await session.delete(resource)
        await session.commit()
