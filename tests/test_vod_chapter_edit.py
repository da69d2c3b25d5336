"""Chapters written by hand: an upload gets its first ones; a recorded lecture's are replaced
while its chat and slides stay, each chapter showing the slide of its start time."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vod import chapter_edit
from vod.chapter_edit import BadChapters, Mark
from vod.chapters import chapters_path, timeline_path
from vod.storage import VideoStorage


def test_an_upload_gets_chapters_and_a_track(tmp_path: Path) -> None:
    storage = VideoStorage(tmp_path)
    assert chapter_edit.read(storage, 7) == []
    chapter_edit.save(storage, 7, [Mark(0, "Intro"), Mark(65.5, "  مقدمة   الدرس ")], 120.0)
    made = chapter_edit.read(storage, 7)
    assert [(c["start"], c["end"], c["title"]) for c in made] == [
        (0, 65.5, "Intro"),
        (65.5, 120.0, "مقدمة الدرس"),
    ]
    assert made[0]["deck_id"] is None and made[0]["image"] is None
    track = chapters_path(storage, 7).read_text()
    assert "00:01:05.500 --> 00:02:00.000\nمقدمة الدرس" in track
    assert json.loads(timeline_path(storage, 7).read_text())["chat"] == []


def test_a_recorded_lecture_keeps_its_replay_and_slides(tmp_path: Path) -> None:
    storage = VideoStorage(tmp_path)
    path = timeline_path(storage, 3)
    path.parent.mkdir(parents=True)
    image = "/api/v1/decks/5/pages/1"
    recorded = {
        "chapters": [
            {"start": 0, "end": 30, "title": "x", "deck_id": 5, "page": 1, "image": image}
        ],
        "chat": [{"t": 4, "id": "m1", "name": "Omar", "text": "hi"}],
        "pages": [
            {"t": 0, "deck_id": 5, "page": 1, "annotations": []},
            {"t": 20, "deck_id": 5, "page": 2, "annotations": []},
            {"t": 25, "deck_id": 9, "page": 1, "annotations": []},  # a whiteboard
        ],
        "events": [],
    }
    path.write_text(json.dumps(recorded))
    chapter_edit.save(storage, 3, [Mark(2, "Optics"), Mark(21, "Lenses"), Mark(26, "Sketch")], 30)
    timeline = json.loads(path.read_text())
    assert timeline["chat"] == recorded["chat"] and timeline["pages"] == recorded["pages"]
    shown = [(c["title"], c["deck_id"], c["page"], c["image"]) for c in timeline["chapters"]]
    assert shown == [
        ("Optics", 5, 1, image),
        ("Lenses", 5, 2, "/api/v1/decks/5/pages/2"),
        ("Sketch", 9, 1, None),
    ]
    chapter_edit.save(storage, 3, [], 30)
    assert chapter_edit.read(storage, 3) == []
    assert chapters_path(storage, 3).read_text() == "WEBVTT\n"


@pytest.mark.parametrize(
    ("marks", "why"),
    [
        ([Mark(10, "b"), Mark(5, "a")], "must start after"),
        ([Mark(5, "a"), Mark(5, "b")], "must start after"),
        ([Mark(0, "a"), Mark(60, "late")], "after the video's end"),
        ([Mark(i, "c") for i in range(chapter_edit.MAX_CHAPTERS + 1)], "at most"),
    ],
)
def test_chapters_out_of_order_or_past_the_end_are_refused(
    tmp_path: Path, marks: list[Mark], why: str
) -> None:
    storage = VideoStorage(tmp_path)
    with pytest.raises(BadChapters, match=why):
        chapter_edit.save(storage, 1, marks, 50.0)
    assert not timeline_path(storage, 1).exists(), "nothing written"
