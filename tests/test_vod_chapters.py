"""Chapters from a room timeline: one per slide change, titled from the slide's text."""

from __future__ import annotations

from vod.chapters import _slide_changes, chapters, replay, title_from_text, vtt_time, webvtt


def slide(t: float, deck: int, page: int) -> dict[str, object]:
    return {"t": t, "event": "slides:page", "data": {"deck_id": deck, "page": page}}


def test_chapters_start_at_slide_changes_shifted_to_the_first_frame() -> None:
    entries = [
        slide(0.0, 1, 1),
        slide(0.1, 1, 1),  # the same slide again: no new chapter
        {"t": 2.0, "event": "chat:message", "data": {"from": {"name": "A"}, "text": "hi"}},
        slide(5.2, 1, 2),
        slide(9.0, 2, 1),
        slide(9.0, 2, 4),  # two changes at once: the later one was what people saw
        slide(30.0, 1, 3),  # after the video's end
    ]
    changes = _slide_changes(entries, zero=0.2)
    assert changes == [(0.0, 1, 1), (5.0, 1, 2), (8.8, 2, 4), (29.8, 1, 3)]
    titles = {(1, 1): "Welcome", (1, 2): "Agenda"}
    made = chapters(changes, duration=20.0, titles=titles)
    assert [(c.start, c.end, c.title) for c in made] == [
        (0.0, 5.0, "Welcome"),
        (5.0, 8.8, "Agenda"),
        (8.8, 20.0, "Page 4"),
    ]
    timeline = replay(entries, made, zero=0.2, image_decks={1})
    assert [c["image"] for c in timeline["chapters"]] == [
        "/api/v1/decks/1/pages/1",
        "/api/v1/decks/1/pages/2",
        None,  # a whiteboard has no rendered page
    ]
    assert timeline["chat"] == [{"t": 1.8, "id": None, "name": "A", "text": "hi"}]
    assert [(p["t"], p["page"], p["annotations"]) for p in timeline["pages"]][:2] == [
        (0.0, 1, []),
        (0.0, 1, []),  # every showing is kept: the player takes the latest before its time
    ]
    assert timeline["events"] == []  # chat messages and slides have their own lists


def test_titles_and_cues_are_safe_webvtt() -> None:
    assert title_from_text("\n  \n  Week 1:   Recording \nmore") == "Week 1: Recording"
    assert title_from_text("   ") is None
    assert len(title_from_text("x" * 500) or "") == 80
    assert vtt_time(3725.5) == "01:02:05.500"
    text = webvtt(chapters([(0.0, 1, 1)], 2.0, {(1, 1): "a --> b"}))
    assert text.split("\n") == ["WEBVTT", "", "1", "00:00:00.000 --> 00:00:02.000", "a -> b", ""]
