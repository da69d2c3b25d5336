"""Library search over what a video says and shows: its title and description, chapter titles,
the text of the slides it shows, subtitles and captions; Arabic and English, on both databases
(PostgreSQL's full-text search, a substring match on SQLite)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, text

from classroom_server.db import Course, Database, Deck, DeckPage, Lecture, Video, upgrade
from tests.conftest import DATABASES, run_postgres_url, scratch_postgres
from tests.test_vod_subtitles import TRACK
from vod import search_text, subtitles
from vod.chapters import timeline_path
from vod.library import VideoFilter, find
from vod.storage import VideoStorage


@pytest.fixture(params=DATABASES)
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    if request.param == "postgresql":
        db = Database(await scratch_postgres(run_postgres_url("search")))
    else:
        db = Database(f"sqlite+aiosqlite:///{tmp_path / 'search.sqlite3'}")
    await upgrade(db)
    yield db
    await db.close()


def test_the_words_of_a_track() -> None:
    words = search_text.vtt_text("WEBVTT\n\n1\n00:00.000 --> 00:01.000\nHello there\n\nNOTE x\n")
    assert words == "Hello there"
    assert "مرحبا" in search_text.vtt_text(TRACK) and "-->" not in search_text.vtt_text(TRACK)


async def test_search_finds_slides_chapters_and_subtitles(
    database: Database, tmp_path: Path
) -> None:
    storage = VideoStorage(tmp_path)
    async with database.session() as session:
        course = Course(code="S1", title="Physics")
        session.add(course)
        await session.flush()
        lecture = Lecture(course_id=course.id, title="Week 3", scheduled_start=datetime.now(UTC))
        session.add(lecture)
        await session.flush()
        deck = Deck(lecture_id=lecture.id, title="Optics", kind="pdf", status="ready")
        session.add(deck)
        await session.flush()
        session.add(
            DeckPage(deck_id=deck.id, number=2, width=960, height=540, text="Snell refraction")
        )
        recorded = Video(
            course_id=course.id,
            lecture_id=lecture.id,
            title="Week 3",
            visibility="public",
            status="ready",
        )
        other = Video(course_id=course.id, title="Kinematics 100%", visibility="public")
        session.add_all([recorded, other])
        await session.flush()
        chapters = {"chapters": [{"title": "Lenses", "deck_id": deck.id, "page": 2}]}
        timeline_path(storage, recorded.id).parent.mkdir(parents=True)
        timeline_path(storage, recorded.id).write_text(json.dumps(chapters))
        subtitles.save(storage, recorded.id, "ar", TRACK, 4.0)
        for video in (recorded, other):
            await search_text.refresh(session, storage, video)
        await session.commit()

    async def search(words: str) -> list[str]:
        async with database.session() as session:
            found, _ = await find(session, None, VideoFilter(search=words), 10, 0)
        return [v.title for v in found]

    assert await search("lenses") == ["Week 3"]  # a chapter title
    assert await search("Snell") == ["Week 3"]  # the text of a slide it shows
    assert await search("مرحبا") == ["Week 3"]  # an Arabic subtitle line
    assert await search("welcome lenses") == ["Week 3"], "every word, in any part"
    assert await search("welcome kinematics") == [], "every word, not any"
    assert await search("kinematics") == ["Kinematics 100%"]
    assert "Week 3" not in await search("%"), "a literal, never a wildcard"


async def test_postgres_search_reads_the_gin_index() -> None:
    """The query's expression is the index's (migration 0022): a library of thousands of
    videos is searched without reading each one."""
    database = Database(await scratch_postgres(run_postgres_url("search_index")))
    try:
        await upgrade(database)
        async with database.session() as session:
            where = search_text.matches("refraction lenses", "postgresql")
            query = select(Video.id).where(where)
            compiled = query.compile(session.bind, compile_kwargs={"literal_binds": True})
            await session.execute(text("SET enable_seqscan = off"))
            plan = "\n".join(await session.scalars(text(f"EXPLAIN {compiled}")))
    finally:
        await database.close()
    assert "ix_videos_search_text_fts" in plan, plan
