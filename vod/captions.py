"""A recorded lecture's live captions as a WebVTT track and an HLS subtitle rendition.

The room's timeline holds each final caption line (``caption:line``) at media time. A cue
starts when its line was sent (shifted so 0 is the video's first frame, like the chapters) and
lasts until the next line, at most ``LONGEST_CUE`` seconds, at least ``SHORTEST_CUE``, and never
past the video's end. The track is written as ``hls/captions/captions.vtt`` with a one-segment
subtitles playlist beside it, which the master playlist lists as its SUBTITLES rendition (see
``vod.pipeline.write_master``). A recording without caption lines gets neither.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vod.chapters import vtt_time
from vod.storage import VideoStorage

LONGEST_CUE = 7.0
SHORTEST_CUE = 1.0
MAX_CUES = 20000
PLAYLIST = "index.m3u8"
TRACK = "captions.vtt"


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    text: str
    lang: str | None


def captions_dir(storage: VideoStorage, video_id: int) -> Path:
    return storage.rendition_dir(video_id, "captions")


def track_path(storage: VideoStorage, video_id: int) -> Path:
    return captions_dir(storage, video_id) / TRACK


def _said(entries: Iterable[dict[str, Any]], zero: float) -> list[tuple[float, str, str | None]]:
    said = []
    for entry in entries:
        data = entry.get("data") or {}
        text, lang = data.get("text"), data.get("lang")
        if entry.get("event") != "caption:line" or not isinstance(text, str) or not text.strip():
            continue
        at = round(max(0.0, float(entry["t"]) - zero), 3)
        said.append((at, text, lang if isinstance(lang, str) else None))
    return sorted(said, key=lambda line: line[0])[:MAX_CUES]


def cues(entries: Iterable[dict[str, Any]], zero: float, duration: float) -> list[Cue]:
    said = _said(entries, zero)
    made = []
    for index, (start, text, lang) in enumerate(said):
        if start >= duration:
            break
        following = said[index + 1][0] if index + 1 < len(said) else math.inf
        shown = max(min(following, start + LONGEST_CUE), start + SHORTEST_CUE)
        end = round(min(shown, duration), 3)
        made.append(Cue(start, end, text, lang))
    return made


def cue_text(text: str) -> str:
    """One line of cue text: a blank line would end the cue, "-->" would read as timing, and
    "<" and "&" start markup."""
    line = " ".join(text.split()).replace("&", "&amp;").replace("<", "&lt;")
    return line.replace(">", "&gt;")


def webvtt(made: list[Cue]) -> str:
    blocks = ["WEBVTT", ""]
    for number, cue in enumerate(made, start=1):
        blocks += [str(number), f"{vtt_time(cue.start)} --> {vtt_time(cue.end)}"]
        blocks += [cue_text(cue.text), ""]
    return "\n".join(blocks)


def subtitles_playlist(duration: float, track: str = TRACK) -> str:
    """The whole track as one segment: the captions of a lecture are a few hundred kB at most."""
    return "\n".join(
        [
            "#EXTM3U",
            "#EXT-X-VERSION:7",
            f"#EXT-X-TARGETDURATION:{max(1, math.ceil(duration))}",
            "#EXT-X-MEDIA-SEQUENCE:0",
            "#EXT-X-PLAYLIST-TYPE:VOD",
            f"#EXTINF:{duration:.3f},",
            track,
            "#EXT-X-ENDLIST",
            "",
        ]
    )


def language(made: list[Cue]) -> str | None:
    """The language most lines were tagged with, if any was."""
    tagged = Counter(cue.lang for cue in made if cue.lang)
    return tagged.most_common(1)[0][0] if tagged else None


def write_captions(
    storage: VideoStorage,
    video_id: int,
    entries: list[dict[str, Any]],
    zero: float,
    duration: float,
) -> list[Cue]:
    """Writes the track and its playlist when any line was said (blocking)."""
    made = cues(entries, zero, duration)
    if not made:
        return made
    directory = captions_dir(storage, video_id)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / TRACK).write_text(webvtt(made), encoding="utf-8")
    (directory / PLAYLIST).write_text(subtitles_playlist(duration))
    return made


GROUP = "captions"


def subtitles_media(storage: VideoStorage, video_id: int) -> str | None:
    """The master playlist's EXT-X-MEDIA line for the captions, None without them (blocking).
    Every stage that rewrites the master asks the disk, so none has to carry it along."""
    if not (captions_dir(storage, video_id) / PLAYLIST).is_file():
        return None
    attrs = [
        "TYPE=SUBTITLES",
        f'GROUP-ID="{GROUP}"',
        'NAME="Captions"',
        "DEFAULT=NO",
        "AUTOSELECT=YES",
        'CHARACTERISTICS="public.accessibility.transcribes-spoken-dialog"',
        f'URI="hls/captions/{PLAYLIST}"',
    ]
    return "#EXT-X-MEDIA:" + ",".join(attrs)
