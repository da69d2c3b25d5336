"""What the slide area showed over a recorded lecture: one state per visible change.

The composed export draws the slide and its annotations as the player does, so the rule is
the player's (``web_client/src/pages/player/replay.js``, ``annotationsAt``): at time ``t`` the
page is the latest ``pages`` entry of ``timeline.json`` at or before ``t``, with the
annotations it had when shown, changed by the ``annotation:added`` (same page),
``annotation:removed`` (by id) and ``annotation:cleared`` (same page) events since. The laser
pointer is not recorded, so it is not drawn.

Each state becomes one picture, so their number is bounded: states closer together than
``min_gap`` collapse into the later one, shown from the earlier one's start (a stroke appears
up to ``min_gap`` early; the picture that stays on screen is always the right one).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

MAX_STATES = 2000


@dataclass(frozen=True)
class SlideState:
    start: float
    deck_id: int
    page: int
    annotations: tuple[dict[str, Any], ...]  # drawing order, as in the timeline

    @cached_property
    def key(self) -> tuple[int, int, tuple[object, ...]]:
        """Equal keys look the same: the page and which annotations are on it."""
        return (self.deck_id, self.page, tuple(a.get("id") for a in self.annotations))


def _on_page(data: dict[str, Any], deck_id: int, page: int) -> bool:
    return data.get("deck_id") == deck_id and data.get("page") == page


def _annotations(value: object) -> list[dict[str, Any]]:
    return [a for a in value if isinstance(a, dict)] if isinstance(value, list) else []


def _time(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _moments(timeline: dict[str, Any]) -> list[tuple[float, int, int, dict[str, Any]]]:
    moments: list[tuple[float, int, int, dict[str, Any]]] = []
    for index, entry in enumerate(timeline.get("pages") or []):
        at = _time(entry.get("t")) if isinstance(entry, dict) else None
        if at is not None and isinstance(entry.get("deck_id"), int):
            if isinstance(entry.get("page"), int):
                moments.append((at, 0, index, entry))
    for index, entry in enumerate(timeline.get("events") or []):
        at = _time(entry.get("t")) if isinstance(entry, dict) else None
        if at is not None and str(entry.get("event", "")).startswith("annotation:"):
            moments.append((at, 1, index, entry))
    # A page shown and an event at the same time: the event applies to that page, as in the
    # player, which applies every event at or after the showing.
    moments.sort(key=lambda m: (m[0], m[1], m[2]))
    return moments


class _Sweep:
    """The look at the current moment, and the states made so far (one per ``min_gap``)."""

    def __init__(self, min_gap: float) -> None:
        self.min_gap = min_gap
        self.made: list[SlideState] = []
        self.page: tuple[int, int] | None = None
        self.drawn: list[dict[str, Any]] = []
        self.since: float | None = None  # start of the look not yet made into a state

    def change(self, at: float) -> None:
        """Called before the look changes at ``at``: makes the pending look a state unless
        the change comes too soon after it (then the later look replaces it)."""
        if self.since is not None and at > self.since and at - self.since >= self.min_gap:
            self.commit()
        if self.since is None:
            self.since = at

    def commit(self) -> None:
        if self.since is None or self.page is None:
            return
        state = SlideState(self.since, *self.page, tuple(self.drawn))
        self.since = None
        if self.made and _same(self.made[-1], state):
            return  # quick changes came back to what was showing: it just goes on
        self.made.append(state)


def _same(a: SlideState, b: SlideState) -> bool:
    if (a.deck_id, a.page, len(a.annotations)) != (b.deck_id, b.page, len(b.annotations)):
        return False  # the usual case, found without listing every annotation
    return a.key == b.key


def states(timeline: dict[str, Any], duration: float, min_gap: float = 0.0) -> list[SlideState]:
    """Every change of what the slide area shows before ``duration``, in time order; changes
    closer than ``min_gap`` to the previous state are merged into it (the later look wins)."""
    sweep = _Sweep(min_gap)
    for at, is_event, _, entry in _moments(timeline):
        if at >= duration:
            break
        at = max(0.0, at)
        if not is_event:
            page = (entry["deck_id"], entry["page"])
            drawn = _annotations(entry.get("annotations"))
            if page != sweep.page or _ids(drawn) != _ids(sweep.drawn):
                sweep.change(at)
                sweep.page, sweep.drawn = page, drawn
        elif sweep.page is not None:
            _apply(sweep, entry, at)
    sweep.commit()
    return sweep.made


def _ids(drawn: list[dict[str, Any]]) -> list[object]:
    return [a.get("id") for a in drawn]


def _apply(sweep: _Sweep, entry: dict[str, Any], at: float) -> None:
    """One annotation event, if it changes what is seen."""
    data = entry.get("data")
    if not isinstance(data, dict) or sweep.page is None:
        return
    event = entry.get("event")
    here = (data.get("deck_id"), data.get("page")) == sweep.page
    if event == "annotation:added" and here:
        sweep.change(at)
        sweep.drawn.append(data)  # in place: a state holds its own copy
    elif event == "annotation:removed":
        kept = [a for a in sweep.drawn if a.get("id") != data.get("id")]
        if len(kept) != len(sweep.drawn):
            sweep.change(at)
            sweep.drawn = kept
    elif event == "annotation:cleared" and here and sweep.drawn:
        sweep.change(at)
        sweep.drawn = []


def bounded_states(
    timeline: dict[str, Any], duration: float, frame_seconds: float
) -> list[SlideState]:
    """The states to draw: none shorter than a frame, and never more than ``MAX_STATES``."""
    return states(timeline, duration, max(frame_seconds, duration / MAX_STATES))
