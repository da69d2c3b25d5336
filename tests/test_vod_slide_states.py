"""What the slide area showed when: the player's rule (latest page showing, its annotations
then, the annotation events since), one state per visible change, bounded in number."""

from __future__ import annotations

import itertools
from typing import Any

from vod.slide_states import MAX_STATES, SlideState, bounded_states, states


def page(
    t: float, deck: int, number: int, annotations: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    return {"t": t, "deck_id": deck, "page": number, "annotations": annotations or []}


def event(t: float, name: str, **data: Any) -> dict[str, Any]:
    return {"t": t, "event": name, "data": data}


def ids(found: list[SlideState]) -> list[tuple[float, int, int, list[object]]]:
    return [(s.start, s.deck_id, s.page, [a["id"] for a in s.annotations]) for s in found]


def test_states_follow_pages_and_annotation_events_like_the_player() -> None:
    timeline = {
        "pages": [
            page(0.0, 1, 1),
            page(4.0, 1, 2, [{"id": 7}]),  # shown again with what it kept
            page(6.0, 1, 2, [{"id": 7}, {"id": 8}]),  # the same look again: no new state
            page(9.0, 2, 1),
            page(30.0, 2, 2),  # after the end
        ],
        "events": [
            event(1.0, "annotation:added", id=1, deck_id=1, page=1),
            event(2.0, "annotation:added", id=2, deck_id=1, page=1),
            event(2.5, "annotation:added", id=3, deck_id=5, page=1),  # another page's
            event(3.0, "annotation:removed", id=1),  # an undo names only the id
            event(4.0, "annotation:added", id=8, deck_id=1, page=2),  # with the showing
            event(5.0, "annotation:removed", id=99),  # not on this page: nothing changes
            event(7.0, "annotation:cleared", deck_id=1, page=1),  # another page: nothing
            event(8.0, "annotation:cleared", deck_id=1, page=2),
            event(8.0, "poll:opened", id=1),  # not drawn
        ],
    }
    assert ids(states(timeline, duration=20.0)) == [
        (0.0, 1, 1, []),
        (1.0, 1, 1, [1]),
        (2.0, 1, 1, [1, 2]),
        (3.0, 1, 1, [2]),
        (4.0, 1, 2, [7, 8]),
        (8.0, 1, 2, []),
        (9.0, 2, 1, []),
    ]


def test_events_before_any_page_and_malformed_entries_are_ignored() -> None:
    timeline = {
        "pages": [{"t": "soon", "deck_id": 1, "page": 1}, page(1.0, 1, 1), {"t": 2.0}],
        "events": [event(0.5, "annotation:added", id=1, deck_id=1, page=1), "junk"],
    }
    assert ids(states(timeline, 10.0)) == [(1.0, 1, 1, [])]
    assert states({}, 10.0) == []


def test_quick_changes_collapse_into_the_last_and_the_count_is_bounded() -> None:
    quick = {"pages": [page(t, 1, n) for t, n in [(0.0, 1), (0.01, 2), (0.02, 3), (5.0, 4)]]}
    assert ids(states(quick, 10.0, min_gap=0.04)) == [(0.0, 1, 3, []), (5.0, 1, 4, [])]
    back = {"pages": [page(0.0, 1, 1), page(3.0, 1, 2), page(3.01, 1, 1)]}
    assert ids(states(back, 10.0, min_gap=0.04)) == [(0.0, 1, 1, [])]
    assert ids(states(back, 10.0)) == [(0.0, 1, 1, []), (3.0, 1, 2, []), (3.01, 1, 1, [])]

    count = 20_000
    strokes = [event(i * 0.01, "annotation:added", id=i, deck_id=1, page=1) for i in range(count)]
    timeline = {"pages": [page(0.0, 1, 1)], "events": strokes}
    made = bounded_states(timeline, duration=201.0, frame_seconds=0.04)
    assert len(made) <= MAX_STATES + 1
    assert len(made[-1].annotations) == count  # the last look is complete
    assert all(b.start - a.start >= 0.1 for a, b in itertools.pairwise(made))
    assert all(isinstance(s, SlideState) for s in made)
