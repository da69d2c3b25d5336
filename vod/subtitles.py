"""Subtitles a video's educators upload, one WebVTT track per language, as HLS subtitle
renditions beside the live captions (same group), so hls.js and native players offer them.

A track lives under ``hls/sub-<language>/``: the file and a one-segment playlist. The language
tag is validated and lower-cased before it names anything on disk, so no path comes from a user.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from vod.captions import GROUP, subtitles_playlist
from vod.storage import VideoStorage

LANGUAGE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})?$")
RENDITION = re.compile(r"^sub-[a-z]{2,3}(-[a-z0-9]{2,8})?$")
TRACK = "subtitles.vtt"
PLAYLIST = "index.m3u8"
MAX_CHARS = 500_000
MAX_TRACKS = 20
CUE_TIMING = re.compile(
    r"^(\d{2,}:)?\d{2}:\d{2}\.\d{3} +--> +(\d{2,}:)?\d{2}:\d{2}\.\d{3}( .*)?$", re.MULTILINE
)
SRT_TIMING = re.compile(
    r"^(\d{2,}:\d{2}:\d{2}),(\d{3}) +--> +(\d{2,}:\d{2}:\d{2}),(\d{3})", re.MULTILINE
)


class BadSubtitles(ValueError):
    """The upload is not a WebVTT track this server keeps: the message says why."""


def language_of(tag: str) -> str:
    language = tag.strip().lower()
    if not LANGUAGE.match(language):
        raise BadSubtitles("the language is a tag such as ar, en or ar-jo")
    return language


def check(text: str) -> int:
    """The number of cues in a WebVTT track, or BadSubtitles."""
    if len(text) > MAX_CHARS:
        raise BadSubtitles(f"a track is at most {MAX_CHARS} characters")
    if not text.lstrip("\ufeff").startswith("WEBVTT"):
        raise BadSubtitles("a WebVTT track starts with the line WEBVTT")
    cues = len(CUE_TIMING.findall(text))
    if cues == 0:
        raise BadSubtitles("the track has no cue (a line like 00:01.000 --> 00:04.000)")
    return cues


def as_webvtt(text: str) -> str:
    """A WebVTT track as it is; a SubRip (SRT) one as WebVTT: the header line, and full stops
    for the commas of its cue timings (its cue numbers are valid WebVTT cue identifiers)."""
    body = text.lstrip("\ufeff")
    if body.startswith("WEBVTT"):
        return body
    return "WEBVTT\n\n" + SRT_TIMING.sub(r"\1.\2 --> \3.\4", body.replace("\r\n", "\n"))


def track_dir(storage: VideoStorage, video_id: int, language: str) -> Path:
    return storage.video_dir(video_id) / "hls" / f"sub-{language_of(language)}"


def languages(storage: VideoStorage, video_id: int) -> list[str]:
    """The languages a video has subtitles in (blocking: reads the disk)."""
    hls = storage.video_dir(video_id) / "hls"
    if not hls.is_dir():
        return []
    found = (p.name.removeprefix("sub-") for p in hls.iterdir() if RENDITION.match(p.name))
    return sorted(lang for lang in found if (hls / f"sub-{lang}" / PLAYLIST).is_file())


def save(storage: VideoStorage, video_id: int, language: str, text: str, duration: float) -> None:
    """Writes (or replaces) a language's track and its playlist (blocking)."""
    check(text)
    if language not in languages(storage, video_id) and (
        len(languages(storage, video_id)) >= MAX_TRACKS
    ):
        raise BadSubtitles(f"a video has at most {MAX_TRACKS} subtitle languages")
    directory = track_dir(storage, video_id, language)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / TRACK).write_text(text.lstrip("\ufeff"), encoding="utf-8")
    (directory / PLAYLIST).write_text(subtitles_playlist(duration, TRACK))


def remove(storage: VideoStorage, video_id: int, language: str) -> bool:
    directory = track_dir(storage, video_id, language)
    if not directory.is_dir():
        return False
    shutil.rmtree(directory)
    return True


def media_lines(storage: VideoStorage, video_id: int) -> list[str]:
    """The master playlist's EXT-X-MEDIA lines for the uploaded tracks (blocking)."""
    return [
        "#EXT-X-MEDIA:"
        + ",".join(
            [
                "TYPE=SUBTITLES",
                f'GROUP-ID="{GROUP}"',
                f'NAME="{language}"',
                f'LANGUAGE="{language}"',
                "DEFAULT=NO",
                "AUTOSELECT=YES",
                f'URI="hls/sub-{language}/{PLAYLIST}"',
            ]
        )
        for language in languages(storage, video_id)
    ]
