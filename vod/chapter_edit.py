"""Chapters an educator writes on any video: an upload gets its first ones, a recorded lecture's
slide-change chapters can be renamed, merged, moved or added to.

The edit replaces the chapters in ``timeline.json`` (and ``chapters.vtt``) and keeps the rest of
the replay (chat, pages, events). Each chapter shows the slide that was showing at its start, so
the slide beside the video still follows the recording, whatever the chapters say.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from vod.chapters import Chapter, chapters_path, timeline_chapter, timeline_path, webvtt
from vod.storage import VideoStorage

MAX_CHAPTERS = 200


class BadChapters(ValueError):
    """The chapters cannot be saved as given; the message says why, for the educator."""


@dataclass(frozen=True)
class Mark:
    start: float
    title: str


def read(storage: VideoStorage, video_id: int) -> list[dict[str, Any]]:
    """The video's chapters as the player reads them (none yet: an empty list)."""
    path = timeline_path(storage, video_id)
    if not path.is_file():
        return []
    chapters: list[dict[str, Any]] = json.loads(path.read_text()).get("chapters", [])
    return chapters


def _checked(marks: list[Mark], duration: float) -> None:
    if len(marks) > MAX_CHAPTERS:
        raise BadChapters(f"at most {MAX_CHAPTERS} chapters")
    for before, after in pairwise(marks):
        if after.start <= before.start:
            raise BadChapters(f"chapter {after.title!r} must start after {before.title!r}")
    if marks and duration > 0 and marks[-1].start >= duration:
        raise BadChapters(f"chapter {marks[-1].title!r} starts after the video's end")


def _slide_at(pages: list[dict[str, Any]], seconds: float) -> tuple[int | None, int | None]:
    shown = [p for p in pages if float(p.get("t", 0)) <= seconds + 0.05]
    if not shown:
        return None, None
    return shown[-1].get("deck_id"), shown[-1].get("page")


def save(storage: VideoStorage, video_id: int, marks: list[Mark], duration: float) -> None:
    """Replaces the chapters (blocking: it writes files); raises :class:`BadChapters`."""
    _checked(marks, duration)
    path = timeline_path(storage, video_id)
    timeline: dict[str, Any] = {"chapters": [], "chat": [], "pages": [], "events": []}
    if path.is_file():
        timeline |= json.loads(path.read_text())
    image_decks = {c["deck_id"] for c in timeline["chapters"] if c.get("image")}
    made = []
    for index, mark in enumerate(marks):
        end = marks[index + 1].start if index + 1 < len(marks) else max(duration, mark.start)
        deck, page = _slide_at(timeline["pages"], mark.start)
        made.append(Chapter(mark.start, end, " ".join(mark.title.split()), deck, page))
    timeline["chapters"] = [timeline_chapter(c, image_decks) for c in made]
    path.parent.mkdir(parents=True, exist_ok=True)
    chapters_path(storage, video_id).write_text(webvtt(made))
    path.write_text(json.dumps(timeline))
