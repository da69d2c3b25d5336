"""Uploaded slide decks: stored source, rendering in worker processes, progress to the room.

Sources and page images live under ``<data dir>/slides/<deck id>/``; every path is built from
integer ids, never from anything a user sent.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom_server import office_convert
from classroom_server.db import Database, Deck, DeckPage, Lecture, User
from classroom_server.db.paging import paginate
from classroom_server.office_convert import ConversionError
from classroom_server.policy import can_manage_course, course_role
from classroom_server.room import Outcome, RoomBroadcaster
from classroom_server.room.outcome import EDUCATORS, ROOM
from classroom_server.room.views import deck_view
from classroom_server.slide_render import RenderError, SlideRenderer

log = logging.getLogger(__name__)
MAX_UPLOAD_BYTES = 100 * 1024 * 1024
MAX_PAGES = 500
RENDER_TIMEOUT_SECONDS = 300.0


def page_image_path(data_dir: Path, deck_id: int, page: int) -> Path:
    """A rendered page's PNG; the composed video export reads it too."""
    return data_dir / "slides" / str(int(deck_id)) / "pages" / f"{int(page)}.png"


class SlideDecks:
    def __init__(self, data_dir: Path, database: Database, broadcaster: RoomBroadcaster) -> None:
        self.root = data_dir / "slides"
        self._database = database
        self.broadcaster = broadcaster
        self._renderer: SlideRenderer | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def deck_dir(self, deck_id: int) -> Path:
        return self.root / str(int(deck_id))

    def source_path(self, deck_id: int) -> Path:
        return self.deck_dir(deck_id) / "source"

    def original_path(self, deck_id: int) -> Path:
        """An Office deck's document as uploaded; ``source`` becomes its PDF."""
        return self.deck_dir(deck_id) / "original"

    def page_path(self, deck_id: int, page: int) -> Path:
        return page_image_path(self.root.parent, deck_id, page)

    async def add(self, lecture_id: int, title: str, kind: str) -> Deck:
        """A new deck row, before its source is stored: its id names the source's folder."""
        return await self._add(Deck(lecture_id=lecture_id, title=title, kind=kind))

    async def add_to_course(self, course_id: int, title: str, kind: str, extension: str) -> Deck:
        """A deck of the course's presentation library; ``extension`` names its download."""
        deck = Deck(course_id=course_id, title=title, kind=kind, original_ext=extension)
        return await self._add(deck)

    async def _add(self, deck: Deck) -> Deck:
        async with self._database.session() as session:
            session.add(deck)
            await session.commit()
        return deck

    def upload_path(self, deck: Deck) -> Path:
        """The file as it was uploaded: an Office deck's document, else its source."""
        original = self.original_path(deck.id)
        return original if original.exists() else self.source_path(deck.id)

    async def discard(self, deck_id: int) -> None:
        """Forgets a deck and its files: one whose source could not be stored (too large,
        upload cut off), or one its educators removed from the library."""
        async with self._database.session() as session:
            deck = await session.get(Deck, deck_id)
            if deck is not None:
                await session.delete(deck)
                await session.commit()
        await asyncio.to_thread(shutil.rmtree, self.deck_dir(deck_id), True)

    def start(self, deck_id: int) -> None:
        """Renders in the background; the upload's response does not wait for it."""
        task = asyncio.get_running_loop().create_task(self._process(deck_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def resume_interrupted(self) -> int:
        """Decks a crash left half-rendered start again from their kept source."""
        async with self._database.session() as session:
            ids = list(await session.scalars(select(Deck.id).where(Deck.status == "processing")))
        for deck_id in ids:
            self.start(deck_id)
        return len(ids)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._renderer is not None:
            await self._renderer.close()

    def _renderer_for_use(self) -> SlideRenderer:
        if self._renderer is None:
            self._renderer = SlideRenderer(
                max_workers=1, max_pages=MAX_PAGES, timeout_seconds=RENDER_TIMEOUT_SECONDS
            )
        return self._renderer

    async def _process(self, deck_id: int) -> None:
        async with self._database.session() as session:
            deck = await session.get(Deck, deck_id)
        if deck is None:
            return
        pages_dir = self.deck_dir(deck_id) / "pages"
        shutil.rmtree(pages_dir, ignore_errors=True)
        kind: Literal["pdf", "image"] = "image" if deck.kind == "image" else "pdf"
        try:
            if deck.kind == "office":
                await self._convert(deck)
            result = await self._renderer_for_use().render(
                self.source_path(deck_id),
                kind,
                pages_dir,
                progress=lambda percent: self._progress(deck, percent),
            )
        except (RenderError, ConversionError) as exc:
            await self._finish(deck, "failed", error=f"{exc.code}: {exc}")
            return
        except Exception:
            log.exception("rendering deck %s failed", deck_id)
            await self._finish(deck, "failed", error="internal error while rendering")
            return
        async with self._database.session() as session:
            session.add_all(
                DeckPage(
                    deck_id=deck_id, number=p.number, width=p.width, height=p.height, text=p.text
                )
                for p in result.pages
            )
            await session.commit()
        await self._finish(deck, "ready", page_count=len(result.pages))

    async def _convert(self, deck: Deck) -> None:
        """PowerPoint, Word or OpenDocument to the PDF that renders; the upload is kept (a
        restart converts again from it)."""
        source, original = self.source_path(deck.id), self.original_path(deck.id)
        if not original.exists():
            source.rename(original)
        await self._progress(deck, 5)
        await office_convert.to_pdf(original, source)
        await self._progress(deck, 30)

    async def _progress(self, deck: Deck, percent: int) -> None:
        async with self._database.session() as session:
            row = await session.get(Deck, deck.id)
            if row is None:
                return
            row.progress = min(percent, 99)
            await session.commit()
            view = deck_view(row)
        if deck.lecture_id is not None:  # a library deck's progress is polled
            await self.broadcaster.deliver(
                deck.lecture_id, Outcome().emit("slides:deck", view, EDUCATORS)
            )

    async def _finish(
        self, deck: Deck, status: str, page_count: int = 0, error: str | None = None
    ) -> None:
        async with self._database.session() as session:
            row = await session.get(Deck, deck.id)
            if row is None:
                return
            row.status, row.error = status, error
            row.page_count, row.progress = page_count, 100 if status == "ready" else row.progress
            await session.commit()
            view = deck_view(row)
        audience = ROOM if status == "ready" else EDUCATORS
        if deck.lecture_id is not None:
            await self.broadcaster.deliver(
                deck.lecture_id, Outcome().emit("slides:deck", view, audience)
            )


async def lecture_decks(
    session: AsyncSession, user: User, lecture: Lecture, limit: int, offset: int
) -> tuple[list[Deck], int]:
    """A page of the lecture's decks in upload order (the ready ones only for its students)."""
    query = select(Deck).where(Deck.lecture_id == lecture.id)
    if not await can_manage_course(session, user, lecture.course_id):
        query = query.where(Deck.status == "ready")
    return await paginate(session, query.order_by(Deck.id), limit, offset)


async def course_decks(
    session: AsyncSession, user: User, course_id: int, limit: int, offset: int
) -> tuple[list[Deck], int]:
    """A page of the course's presentation library (the ready decks only for its students)."""
    query = select(Deck).where(Deck.course_id == course_id, Deck.lecture_id.is_(None))
    if not await can_manage_course(session, user, course_id):
        query = query.where(Deck.status == "ready")
    return await paginate(session, query.order_by(Deck.id), limit, offset)


async def deck_course(session: AsyncSession, deck: Deck) -> int:
    """The course a deck belongs to: its own, or its lecture's."""
    if deck.course_id is not None:
        return deck.course_id
    course_id = await session.scalar(select(Lecture.course_id).where(Lecture.id == deck.lecture_id))
    assert course_id is not None  # decks go with their lecture (ON DELETE CASCADE)
    return course_id


@dataclass(frozen=True)
class DeckAccess:
    deck: Deck
    view: bool
    """Its pages: the course's members, admins, and anyone for a public ready deck."""
    manage: bool
    """Edit, share, delete: the course's educators and admins."""

    @property
    def download(self) -> bool:
        return self.manage or (self.view and self.deck.downloadable)


async def deck_access(session: AsyncSession, user: User | None, deck_id: int) -> DeckAccess | None:
    """The deck and what ``user`` (None: not logged in) may do with it; None if there is none."""
    deck = await session.get(Deck, deck_id)
    if deck is None:
        return None
    course_id = await deck_course(session, deck)
    public = deck.public and deck.status == "ready"
    if user is None:
        return DeckAccess(deck, public, False)
    manage = await can_manage_course(session, user, course_id)
    member = manage or await course_role(session, user, course_id) is not None
    return DeckAccess(deck, public or member, manage)
