"""What a library search reads for a video: its title, description and tags, its chapter
titles and the text of the slides it shows, and every subtitle and live-caption line, in one
lower-cased column kept current as any of them changes (upload, edit, processing, subtitles)."""

from __future__ import annotations

import asyncio
import json
import re

from sqlalchemy import and_, false, func, literal_column, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from classroom_server.db import Database, DeckPage, Video
from vod import subtitles
from vod.captions import track_path
from vod.chapters import timeline_path
from vod.storage import VideoStorage

MAX_CHARS = 200_000
MAX_WORDS = 8
TIMING = re.compile(r"-->")
WORD = re.compile(r"\w+")


def vtt_text(track: str) -> str:
    """The words of a WebVTT track: no header, cue numbers, timings or notes."""
    said = []
    for block in track.split("\n\n"):
        lines = [line for line in block.strip().splitlines() if line.strip()]
        timed = [i for i, line in enumerate(lines) if TIMING.search(line)]
        if timed:
            said += lines[timed[0] + 1 :]
    return " ".join(said)


def _on_disk(storage: VideoStorage, video_id: int) -> tuple[list[str], list[tuple[int, int]], str]:
    """Chapter titles, the (deck, page) each chapter shows, and the tracks' words (blocking)."""
    titles, pages = [], []
    timeline = timeline_path(storage, video_id)
    if timeline.is_file():
        for chapter in json.loads(timeline.read_text()).get("chapters", []):
            titles.append(str(chapter.get("title") or ""))
            if chapter.get("deck_id") is not None:
                pages.append((int(chapter["deck_id"]), int(chapter["page"])))
    tracks = [track_path(storage, video_id)] + [
        subtitles.track_dir(storage, video_id, lang) / subtitles.TRACK
        for lang in subtitles.languages(storage, video_id)
    ]
    words = " ".join(vtt_text(p.read_text(encoding="utf-8")) for p in tracks if p.is_file())
    return titles, pages, words


async def refresh(session: AsyncSession, storage: VideoStorage, video: Video) -> None:
    """Sets ``video.search_text`` from what the video has now (the caller commits)."""
    titles, pages, words = await asyncio.to_thread(_on_disk, storage, video.id)
    slides: list[str] = []
    if pages:
        shown = tuple_(DeckPage.deck_id, DeckPage.number).in_(pages)
        slides = list(await session.scalars(select(DeckPage.text).where(shown)))
    parts = [video.title, video.description, " ".join(video.tags), *titles, *slides, words]
    video.search_text = " ".join(p for p in parts if p).lower()[:MAX_CHARS]


async def refresh_stored(database: Database, storage: VideoStorage, video_id: int) -> None:
    """Refreshes one video's text, in a session of its own, after its files changed."""
    async with database.session() as session:
        row = await session.get(Video, video_id)
        if row is not None:
            await refresh(session, storage, row)
            await session.commit()


def matches(search: str, dialect: str) -> ColumnElement[bool]:
    """PostgreSQL's full-text search (the 'simple' configuration: Arabic and English words as
    written, no stemming, each a prefix); elsewhere every word as a substring."""
    if dialect == "postgresql":
        # Each word as a prefix ("learn" finds "learning"), all of them; only word characters
        # reach the query's syntax.
        words = WORD.findall(search.lower())[:MAX_WORDS]
        if not words:
            return false()
        simple: ColumnElement[str] = literal_column("'simple'::regconfig")
        vector = func.to_tsvector(simple, Video.search_text)
        query = func.to_tsquery(simple, " & ".join(f"{word}:*" for word in words))
        return vector.bool_op("@@")(query)
    words = search.lower().split()[:MAX_WORDS]
    return and_(*(Video.search_text.like(f"%{escape_like(w)}%", escape="\\") for w in words))


def escape_like(text: str) -> str:
    """For LIKE patterns: the user's % and _ are plain characters."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
