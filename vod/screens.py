"""A recording's shared screens: which tracks are screens, and where each sits in the video.

Stage 1 makes the video from one picture (see :mod:`vod.assembly`); the educator's shared
screen, recorded beside the camera, only reaches viewers through the composed export, which
shows it in the main area while it was shared. A track is a screen when the room's catalogue
named its publication's source ``screen`` (the manifest's ``source``); its span on the
video's timeline is its first and last frame less the video's first frame (``Plan.zero``), as
the assembly places audio.

A screen share stopped and started again is a new publication, so a new track: each track is
one input of the composition, shown between its first and last frame (its own resolution,
its own concat list restoring its frames' media times across takes).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from vod.assembly import Input, NothingRecorded, TrackSpan, concat_input, plan, span
from vod.recording_manifest import SCREEN, RecordingManifest

MAX_SCREENS = 16  # inputs of one ffmpeg run; a lecture shares its screen a few times


@dataclass(frozen=True)
class Screen:
    input: Input  # concat list, and where its first frame sits on the video's timeline
    start: float  # video seconds: shown from here ...
    end: float  # ... to its last frame


def screen_spans(manifest: RecordingManifest) -> tuple[list[TrackSpan], float] | None:
    """The screen tracks not already the video's picture, in time order, and the video's
    zero; None when the recording has no video (blocking: reads segment headers)."""
    screens = [t for t in manifest.tracks if t.source == SCREEN]
    if not screens:
        return None
    try:
        the_plan = plan(manifest)
    except NothingRecorded:
        return None
    picture = {track.number for track in the_plan.video}
    spans = [s for s in map(span, screens) if s is not None and s.number not in picture]
    spans = sorted(spans, key=lambda s: s.last - s.first, reverse=True)[:MAX_SCREENS]
    return sorted(spans, key=lambda s: s.first), the_plan.zero


def screens(manifest: RecordingManifest, work: Path) -> list[Screen]:
    """Each shared screen as an input of the composition, its concat list written under
    ``work`` (blocking)."""
    found = screen_spans(manifest)
    if found is None:
        return []
    spans, zero = found
    made = []
    for index, track in enumerate(spans):
        listed = concat_input((track,), work / f"screen-{index:02d}.ffconcat", zero)
        if listed is not None:
            made.append(Screen(listed, max(0.0, track.first - zero), track.last - zero))
    return made


def has_screen(manifest: RecordingManifest) -> bool:
    """Whether any track was a shared screen."""
    return any(t.source == SCREEN for t in manifest.tracks)
