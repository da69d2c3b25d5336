"""A recorded lecture's chapters (WebVTT) and replay timeline (JSON), from its room timeline.

A chapter starts at every slide change and is titled from the slide's extracted text (the
first line of it; decks keep each page's text), falling back to "<deck>, page N". The player
reads ``timeline.json`` to show the slide and the chat that belong to the playback time.
Times are shifted so that 0 is the video's first frame, like the video itself.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from classroom_server.db import Database, Deck, DeckPage
from vod.storage import VideoStorage

TITLE_CHARS = 80
MAX_CHAT = 5000
MAX_EVENTS = 20000


def chapters_path(storage: VideoStorage, video_id: int) -> Path:
    return storage.video_dir(video_id) / "chapters.vtt"


def timeline_path(storage: VideoStorage, video_id: int) -> Path:
    return storage.video_dir(video_id) / "timeline.json"


@dataclass(frozen=True)
class Chapter:
    """``deck_id`` and ``page``: the slide showing when it starts (none on an upload)."""

    start: float
    end: float
    title: str
    deck_id: int | None
    page: int | None


def _slide_changes(entries: Iterable[dict[str, Any]], zero: float) -> list[tuple[float, int, int]]:
    """(time, deck, page) at each change of slide; repeats of the same slide are dropped."""
    changes: list[tuple[float, int, int]] = []
    for entry in entries:
        data = entry.get("data") or {}
        deck, page = data.get("deck_id"), data.get("page")
        if entry.get("event") != "slides:page" or not isinstance(deck, int):
            continue
        if not isinstance(page, int):
            continue
        at = max(0.0, float(entry["t"]) - zero)
        if changes and (changes[-1][1], changes[-1][2]) == (deck, page):
            continue
        if changes and changes[-1][0] == at:
            changes.pop()  # two changes at once: the later one is what was seen
        changes.append((at, deck, page))
    return changes


def title_from_text(text: str) -> str | None:
    for line in text.splitlines():
        words = " ".join(line.split())
        if words:
            return words if len(words) <= TITLE_CHARS else words[: TITLE_CHARS - 1] + "…"
    return None


def chapters(
    changes: list[tuple[float, int, int]], duration: float, titles: dict[tuple[int, int], str]
) -> list[Chapter]:
    made = []
    for index, (start, deck, page) in enumerate(changes):
        if start >= duration:
            break
        end = changes[index + 1][0] if index + 1 < len(changes) else duration
        title = titles.get((deck, page)) or f"Page {page}"
        made.append(Chapter(start, min(end, duration), title, deck, page))
    return made


def vtt_time(seconds: float) -> str:
    millis = round(seconds * 1000)
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def webvtt(made: list[Chapter]) -> str:
    cues = ["WEBVTT", ""]
    for number, chapter in enumerate(made, start=1):
        # A cue's text ends at a blank line and "-->" would start a timing line.
        title = " ".join(chapter.title.split()).replace("-->", "->")
        cues += [str(number), f"{vtt_time(chapter.start)} --> {vtt_time(chapter.end)}", title, ""]
    return "\n".join(cues)


async def slide_titles(
    database: Database, slides: Iterable[tuple[int, int]]
) -> dict[tuple[int, int], str]:
    """Each (deck, page)'s title: the page's first line of text, else "<deck>, page N"."""
    wanted = set(slides)
    deck_ids = {deck for deck, _ in wanted}
    if not deck_ids:
        return {}
    async with database.session() as session:
        decks = {d.id: d for d in await session.scalars(select(Deck).where(Deck.id.in_(deck_ids)))}
        pages = await session.scalars(select(DeckPage).where(DeckPage.deck_id.in_(deck_ids)))
        texts = {(p.deck_id, p.number): p.text for p in pages}
    titles = {}
    for deck_id, page in wanted:
        deck = decks.get(deck_id)
        fallback = f"{deck.title}, page {page}" if deck else f"Page {page}"
        titles[(deck_id, page)] = title_from_text(texts.get((deck_id, page), "")) or fallback
    return titles


def timeline_chapter(chapter: Chapter, image_decks: set[int]) -> dict[str, Any]:
    """A chapter as the player reads it; ``image`` only for decks rendered as pictures (a
    whiteboard has none)."""
    deck, page = chapter.deck_id, chapter.page
    return {
        "start": round(chapter.start, 3),
        "end": round(chapter.end, 3),
        "title": chapter.title,
        "deck_id": deck,
        "page": page,
        "image": f"/api/v1/decks/{deck}/pages/{page}" if deck in image_decks else None,
    }


def replay(
    entries: list[dict[str, Any]],
    made: list[Chapter],
    zero: float,
    image_decks: set[int],
) -> dict[str, Any]:
    """The player's timeline: chapters with their slide, the public chat, every page shown
    with the annotations it had then (``pages``), and the other room events (annotations
    drawn or removed since, polls, hands, chat deletions) for a fuller replay."""
    chat: list[dict[str, Any]] = []
    pages: list[dict[str, Any]] = []
    others: list[dict[str, Any]] = []
    for entry in entries:
        at = round(max(0.0, float(entry["t"]) - zero), 3)
        data = entry.get("data") or {}
        if entry.get("event") == "chat:message" and len(chat) < MAX_CHAT:
            sender = data.get("from") or {}
            chat.append({"t": at, "id": data.get("id"), "name": sender.get("name"),
                         "text": data.get("text")})  # fmt: skip
        elif entry.get("event") == "slides:page" and len(pages) < MAX_EVENTS:
            drawn = data.get("annotations")
            pages.append({"t": at, "deck_id": data.get("deck_id"), "page": data.get("page"),
                          "annotations": drawn if isinstance(drawn, list) else []})  # fmt: skip
        elif entry.get("event") != "slides:page" and len(others) < MAX_EVENTS:
            others.append({"t": at, "event": entry["event"], "data": data})
    return {
        "chapters": [timeline_chapter(c, image_decks) for c in made],
        "chat": chat,
        "pages": pages,
        "events": others,
    }


async def write_chapters(
    database: Database,
    storage: VideoStorage,
    video_id: int,
    entries: list[dict[str, Any]],
    zero: float,
    duration: float,
) -> list[Chapter]:
    """Writes ``chapters.vtt`` and ``timeline.json`` into the video's directory."""
    changes = _slide_changes(entries, zero)
    titles = await slide_titles(database, ((d, p) for _, d, p in changes))
    made = chapters(changes, duration, titles)
    async with database.session() as session:
        deck_ids = {d for _, d, _ in changes}
        rendered = await session.scalars(
            select(Deck.id).where(Deck.id.in_(deck_ids), Deck.kind != "whiteboard")
        )
        image_decks = set(rendered)
    directory = storage.video_dir(video_id)
    directory.mkdir(parents=True, exist_ok=True)
    chapters_path(storage, video_id).write_text(webvtt(made))
    timeline = replay(entries, made, zero, image_decks)
    timeline_path(storage, video_id).write_text(json.dumps(timeline))
    return made
