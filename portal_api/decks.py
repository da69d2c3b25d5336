"""Slide decks: streamed upload, listing, and page images with access checks."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from urllib.parse import unquote

from aiohttp import web
from pydantic import BaseModel

from classroom_server.db import Database, Deck
from classroom_server.office_convert import is_office, soffice
from classroom_server.room.views import deck_view
from classroom_server.slide_decks import (
    MAX_UPLOAD_BYTES,
    DeckAccess,
    SlideDecks,
    deck_access,
    lecture_decks,
)
from classroom_server.slide_render import sniff_kind
from classroom_server.web_auth import current_identity, require_user
from classroom_server.web_problems import Problem, forbidden, not_found, unauthenticated
from classroom_server.web_ranges import file_response
from portal_api.access import NOT_ENROLLED, require_lecture
from portal_api.router import ApiRouter, path_id
from portal_api.schemas import ListPage, Page
from portal_api.uploads import CHUNK, file_part, stream_to_disk

router = ApiRouter()
EDUCATORS_UPLOAD = "Only the course's educators upload slides"
EXTENSIONS = {"pdf", "png", "jpg", "jpeg", "pptx", "ppt", "odp", "docx", "doc", "odt"}


class DeckOut(BaseModel):
    id: int
    title: str
    kind: str
    page_count: int
    status: str
    progress: int
    error: str | None


class DeckList(ListPage[DeckOut]):
    pass


def title_of(filename: str | None) -> str:
    """Only for display: a filename never becomes a path."""
    base = re.split(r"[/\\]", unquote(filename or ""))[-1]
    base = re.sub(r"[\x00-\x1f\x7f]", "", base)  # %00 would be a 500 on PostgreSQL
    stem = re.sub(r"\.[A-Za-z0-9]{1,5}$", "", base)
    return stem.strip()[:200] or "Slides"


def refuse_kind() -> Problem:
    return Problem(
        415,
        "unsupported_media_type",
        "Unsupported media type",
        "Decks are PDF, PNG or JPEG files, or PowerPoint, Word or OpenDocument documents"
        if soffice()
        else "Decks are PDF, PNG or JPEG files",
    )


@router.route(
    "POST",
    "/lectures/{lecture_id}/decks",
    tag="slides",
    response=DeckOut,
    status=202,
    upload=True,
    errors=(413, 415, 422),
)
async def upload_deck(request: web.Request, db: Database, slides: SlideDecks) -> DeckOut:
    """Upload a PDF, PNG or JPEG deck, or a PowerPoint, Word or OpenDocument file (converted to
    PDF by LibreOffice); pages render in the background (progress in the room)."""
    user = await require_user(request)
    lecture_id = path_id(request, "lecture_id", "lecture")
    async with db.session() as session:
        await require_lecture(session, user, lecture_id, manage=True, denied=EDUCATORS_UPLOAD)
    deck = await receive_deck(
        request, slides, lambda title, kind, _extension: slides.add(lecture_id, title, kind)
    )
    return DeckOut(**deck_view(deck))


async def receive_deck(
    request: web.Request,
    slides: SlideDecks,
    add: Callable[[str, str, str], Awaitable[Deck]],
) -> Deck:
    """The uploaded file as a new deck (``add(title, kind, extension)`` makes its row), stored
    and rendering in the background; a kind told by its bytes, never by its name."""
    _, part = await file_part(request)
    head = await part.read_chunk(CHUNK)
    kind = sniff_kind(head) or ("office" if is_office(head) and soffice() else None)
    if kind is None:
        raise refuse_kind()
    deck = await add(title_of(part.filename), kind, extension_of(part.filename))
    try:
        await stream_to_disk(part, head, slides.source_path(deck.id), MAX_UPLOAD_BYTES)
    except Problem:
        await slides.discard(deck.id)
        raise
    slides.start(deck.id)
    return deck


def extension_of(filename: str | None) -> str:
    """For a download's name only, from a fixed list (never a path)."""
    found = re.search(r"\.([A-Za-z0-9]{1,5})$", filename or "")
    extension = found.group(1).lower() if found else ""
    return extension if extension in EXTENSIONS else ""


@router.route("GET", "/lectures/{lecture_id}/decks", tag="slides", query=Page, response=DeckList)
async def list_decks(request: web.Request, query: Page, db: Database) -> DeckList:
    """A lecture's decks in upload order (students see the ready ones)."""
    user = await require_user(request)
    lecture_id = path_id(request, "lecture_id", "lecture")
    async with db.session() as session:
        lecture = await require_lecture(session, user, lecture_id)
        decks, total = await lecture_decks(session, user, lecture, query.limit, query.offset)
    return DeckList.of((DeckOut(**deck_view(d)) for d in decks), total, query)


@router.route(
    "GET",
    "/decks/{deck_id}/pages/{page}",
    tag="slides",
    produces="image/png",
    auth=False,
    errors=(401, 403),  # a deck not shared: its course's members only
)
async def page_image(request: web.Request, db: Database, slides: SlideDecks) -> web.FileResponse:
    """One rendered page as PNG (course members; anyone for a public deck)."""
    deck_id = path_id(request, "deck_id", "deck")
    page = path_id(request, "page", "page")
    access = await viewable(request, db, deck_id)
    deck = access.deck
    path = slides.page_path(deck_id, page)
    if deck.status != "ready" or page > deck.page_count or not path.is_file():
        raise not_found(f"page {page} of deck {deck_id}")
    return await file_response(request, path, {"Cache-Control": "private, max-age=86400"})


async def viewable(request: web.Request, db: Database, deck_id: int) -> DeckAccess:
    """The deck if the caller may see its pages: 401 for a private one without login, 403 for
    a logged-in outsider, 404 when there is no such deck."""
    identity = await current_identity(request)
    async with db.session() as session:
        access = await deck_access(session, identity.user if identity else None, deck_id)
    if access is None:
        raise not_found(f"deck {deck_id}")
    if not access.view:
        if identity is None:
            raise unauthenticated()
        raise forbidden(NOT_ENROLLED)
    return access
