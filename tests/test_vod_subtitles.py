"""Uploaded subtitle tracks on disk: what is a WebVTT track, where it goes (never a path from
the user), and the master playlist listing each language beside the video renditions."""

from __future__ import annotations

from pathlib import Path

import pytest

from vod import subtitles
from vod.pipeline import write_master
from vod.storage import VideoStorage

TRACK = "WEBVTT\n\n00:00.500 --> 00:02.000\nمرحبا\n\n00:02.000 --> 00:04.000\nWelcome\n"  # noqa: RUF001
SOURCE = [{"name": "source", "bandwidth": 800_000, "width": 640, "height": 360}]


def test_a_track_is_webvtt_with_cues() -> None:
    assert subtitles.check(TRACK) == 2
    assert subtitles.check("\ufeff" + TRACK) == 2  # a byte-order mark is allowed
    for bad, why in (
        ("1\n00:00:00,500 --> 00:00:02,000\nSRT\n", "starts with the line WEBVTT"),
        ("WEBVTT\n\nno cues here\n", "no cue"),
        ("WEBVTT\n" + "x" * subtitles.MAX_CHARS, "at most"),
    ):
        with pytest.raises(subtitles.BadSubtitles, match=why):
            subtitles.check(bad)


def test_languages_are_tags_never_paths() -> None:
    assert subtitles.language_of(" AR-JO ") == "ar-jo"
    for bad in ("../etc", "a", "arabic-language", "en/x", ""):
        with pytest.raises(subtitles.BadSubtitles):
            subtitles.language_of(bad)


def test_tracks_are_listed_in_the_master_and_removed(tmp_path: Path) -> None:
    storage = VideoStorage(tmp_path)
    subtitles.save(storage, 7, "ar", TRACK, 4.0)
    subtitles.save(storage, 7, "en", TRACK, 4.0)
    assert subtitles.languages(storage, 7) == ["ar", "en"]
    write_master(storage, 7, SOURCE)
    master = storage.master(7).read_text()
    assert 'LANGUAGE="ar",DEFAULT=NO,AUTOSELECT=YES,URI="hls/sub-ar/index.m3u8"' in master
    assert 'URI="hls/sub-en/index.m3u8"' in master
    assert 'SUBTITLES="captions"' in master.splitlines()[-2]
    playlist = (subtitles.track_dir(storage, 7, "ar") / "index.m3u8").read_text()
    assert "subtitles.vtt" in playlist and "#EXT-X-ENDLIST" in playlist
    assert subtitles.remove(storage, 7, "ar") and not subtitles.remove(storage, 7, "ar")
    write_master(storage, 7, SOURCE)
    master = storage.master(7).read_text()
    assert "sub-ar" not in master and "sub-en" in master
    subtitles.remove(storage, 7, "en")
    write_master(storage, 7, SOURCE)
    assert "SUBTITLES" not in storage.master(7).read_text()
