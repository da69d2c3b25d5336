"""A course's presentation library: decks that belong to the course rather than one lecture,
shown in any of its lectures, shared publicly and offered for download as uploaded."""

from __future__ import annotations

import re

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession

from classroom_server.db import Database, Deck, User
from classroom_server.policy import can_manage_course
from classroom_server.room.views import deck_view
from classroom_server.slide_decks import SlideDecks, course_decks, deck_access
from classroom_server.web_auth import require_user
from classroom_server.web_problems import Problem, forbidden, not_found
from classroom_server.web_ranges import file_response
from portal_api.access import require_course
from portal_api.decks import DeckOut, receive_deck, viewable
from portal_api.router import ApiRouter, path_id
from portal_api.schemas import ListPage, Page

router = ApiRouter()
EDUCATORS_ONLY = "Only the course's educators manage its presentations"


class LibraryDeckOut(DeckOut):
    course_id: int | None
    public: bool
    downloadable: bool
    share_url: str | None = Field(description="the public page of a public deck")
    download_url: str | None = Field(description="the file as uploaded, when you may have it")

    @classmethod
    def of(cls, deck: Deck, download: bool) -> LibraryDeckOut:
        return cls(
            **deck_view(deck),
            course_id=deck.course_id,
            public=deck.public,
            downloadable=deck.downloadable,
            share_url=f"/decks/{deck.id}" if deck.public else None,
            download_url=f"/api/v1/decks/{deck.id}/original" if download else None,
        )


class LibraryDeckList(ListPage[LibraryDeckOut]):
    pass


class DeckUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(None, min_length=1, max_length=200)
    public: bool | None = None
    downloadable: bool | None = None


async def _managed(session: AsyncSession, user: User, deck_id: int) -> Deck:
    """The deck if ``user`` may change it (its course's educators, admins)."""
    access = await deck_access(session, user, deck_id)
    if access is None:
        raise not_found(f"deck {deck_id}")
    if not access.manage:
        raise forbidden(EDUCATORS_ONLY)
    return access.deck


@router.route(
    "POST",
    "/courses/{course_id}/decks",
    tag="slides",
    response=LibraryDeckOut,
    status=202,
    upload=True,
    errors=(413, 415, 422),
)
async def upload_to_library(
    request: web.Request, db: Database, slides: SlideDecks
) -> LibraryDeckOut:
    """Add a deck to the course's presentation library (PDF, images, or PowerPoint, Word and
    OpenDocument files converted by LibreOffice); poll it until it is ready."""
    user = await require_user(request)
    course_id = path_id(request, "course_id", "course")
    async with db.session() as session:
        await require_course(session, user, course_id, manage=True, denied=EDUCATORS_ONLY)
    deck = await receive_deck(
        request,
        slides,
        lambda title, kind, extension: slides.add_to_course(course_id, title, kind, extension),
    )
    return LibraryDeckOut.of(deck, download=True)


@router.route(
    "GET", "/courses/{course_id}/decks", tag="slides", query=Page, response=LibraryDeckList
)
async def list_library(request: web.Request, query: Page, db: Database) -> LibraryDeckList:
    """The course's presentation library (students see the ready decks)."""
    user = await require_user(request)
    course_id = path_id(request, "course_id", "course")
    async with db.session() as session:
        await require_course(session, user, course_id)
        manage = await can_manage_course(session, user, course_id)
        decks, total = await course_decks(session, user, course_id, query.limit, query.offset)
    items = (LibraryDeckOut.of(d, manage or d.downloadable) for d in decks)
    return LibraryDeckList.of(items, total, query)


@router.route(
    "GET",
    "/decks/{deck_id}",
    tag="slides",
    response=LibraryDeckOut,
    auth=False,
    errors=(401, 403),
)
async def get_deck(request: web.Request, db: Database) -> LibraryDeckOut:
    """A deck (its course's members; anyone for a public deck: its share page reads this)."""
    access = await viewable(request, db, path_id(request, "deck_id", "deck"))
    return LibraryDeckOut.of(access.deck, access.download)


@router.route("PATCH", "/decks/{deck_id}", tag="slides", body=DeckUpdate, response=LibraryDeckOut)
async def patch_deck(request: web.Request, body: DeckUpdate, db: Database) -> LibraryDeckOut:
    """Rename a deck, share it publicly or not, offer its file for download or not."""
    user = await require_user(request)
    deck_id = path_id(request, "deck_id", "deck")
    async with db.session() as session:
        deck = await _managed(session, user, deck_id)
        for name, value in body.model_dump(exclude_none=True).items():
            setattr(deck, name, value)
        await session.commit()
    return LibraryDeckOut.of(deck, download=True)


@router.route("DELETE", "/decks/{deck_id}", tag="slides", errors=(409,))
async def delete_deck(request: web.Request, db: Database, slides: SlideDecks) -> None:
    """Remove a deck of the library, its pages and its file."""
    user = await require_user(request)
    deck_id = path_id(request, "deck_id", "deck")
    async with db.session() as session:
        if (await _managed(session, user, deck_id)).lecture_id is not None:
            raise Problem(409, "conflict", "Conflict", "Only library decks are deleted here")
    await slides.discard(deck_id)


@router.route(
    "GET",
    "/decks/{deck_id}/original",
    tag="slides",
    produces="application/octet-stream",
    auth=False,
    errors=(401, 403),
)
async def download_original(
    request: web.Request, db: Database, slides: SlideDecks
) -> web.FileResponse:
    """The file as uploaded, when its educators offer it (they always have it)."""
    deck_id = path_id(request, "deck_id", "deck")
    access = await viewable(request, db, deck_id)
    if not access.download:
        raise forbidden("The course's educators do not offer this file for download")
    deck = access.deck
    path = slides.upload_path(deck)
    if not path.is_file():
        raise not_found(f"the file of deck {deck_id}")
    name = re.sub(r"[^\w\- ]", "_", deck.title, flags=re.ASCII).strip() or "slides"
    extension = f".{deck.original_ext}" if deck.original_ext else ""
    headers = {
        "Content-Type": "application/octet-stream",
        "Content-Disposition": f'attachment; filename="{name}{extension}"',
        "Cache-Control": "private, no-cache",
    }
    return await file_response(request, path, headers)
