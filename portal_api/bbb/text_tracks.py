"""BBB's recording text tracks (``getRecordingTextTracks``, ``putRecordingTextTrack``) are a
video's uploaded subtitles (vod/subtitles.py): one track per language, whatever its ``kind``.

These two calls answer JSON, not XML, as BBB does (failures too, the checksum's included).
``putRecordingTextTrack`` is BBB's multipart POST: the parameters are in the query string,
which the checksum covers, and the ``file`` part of the body is not signed. A SubRip (SRT)
file becomes WebVTT; a file that is no track is refused at once (BBB accepts it and drops it
later), with ``upload_text_track_failed``. ``label`` is not kept: a track's label is its
language tag. ``kind`` must be ``subtitles`` or ``captions`` and is answered ``subtitles``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from aiohttp import BodyPartReader, web

from portal_api.bbb.answers import Failed, missing
from portal_api.bbb.calls import Bbb, Params, public_origin
from portal_api.bbb.recordings import Recording, find_recordings
from vod import subtitles
from vod.subtitle_tracks import tracks_changed

KINDS = ("subtitles", "captions")
MAX_BYTES = subtitles.MAX_CHARS * 4
"""A track of MAX_CHARS characters is at most this many bytes of UTF-8."""
JSON_CALLS = frozenset({"getRecordingTextTracks", "putRecordingTextTrack"})


def json_answer(fields: Mapping[str, Any]) -> web.Response:
    return web.json_response({"response": dict(fields)})


def json_failure(key: str, message: str) -> web.Response:
    return json_answer({"returncode": "FAILED", "messageKey": key, "message": message})


def bcp47(language: str) -> str:
    """Our lower-case tag as BBB writes it: ``en-us`` is ``en-US``."""
    head, _, tail = language.partition("-")
    if len(tail) == 2:
        tail = tail.upper()
    return f"{head}-{tail}" if tail else head


def _no_recordings() -> Failed:
    return Failed("noRecordings", "No recording was found matching the provided recording ID.")


async def _recording(bbb: Bbb, params: Params) -> Recording:
    record_id = params.get("recordID", "").strip()
    if not record_id:
        raise missing("recordID")
    if not (record_id.isdigit() and len(record_id) < 10):
        raise _no_recordings()
    async with bbb.database.session() as session:
        found = await find_recordings(session, [], [int(record_id)], ["any"])
    if not found:
        raise _no_recordings()
    return found[0]


async def get_text_tracks(bbb: Bbb, params: Params, request: web.Request) -> web.StreamResponse:
    video_id = (await _recording(bbb, params)).video.id
    origin = public_origin(bbb, request)
    languages = await asyncio.to_thread(subtitles.languages, bbb.videos, video_id)
    tracks = [
        {
            "href": f"{origin}/vod/{video_id}/hls/sub-{language}/{subtitles.TRACK}",
            "kind": "subtitles",
            "label": bcp47(language),
            "lang": bcp47(language),
            "source": "upload",
        }
        for language in languages
    ]
    return json_answer({"returncode": "SUCCESS", "tracks": tracks})


def _upload_failed(record_id: int) -> web.Response:
    return json_answer(
        {
            "messageKey": "upload_text_track_failed",
            "message": "Text track upload failed.",
            "recordId": str(record_id),
            "returncode": "FAILED",
        }
    )


async def _uploaded_file(request: web.Request) -> bytes | None:
    """The multipart body's ``file`` part (empty if there is none); None past MAX_BYTES."""
    if request.method != "POST" or not request.content_type.startswith("multipart/"):
        return b""
    reader = await request.multipart()
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader) or part.name != "file":
            continue
        data = bytearray()
        while chunk := await part.read_chunk():
            data += chunk
            if len(data) > MAX_BYTES:
                return None
        return bytes(data)
    return b""


async def put_text_track(bbb: Bbb, params: Params, request: web.Request) -> web.StreamResponse:
    for name in ("recordID", "kind", "lang"):
        if not params.get(name, "").strip():
            raise missing(name)
    if params["kind"] not in KINDS:
        raise Failed("invalidKind", "The kind parameter is not set to a permitted value.")
    try:
        language = subtitles.language_of(params["lang"])
    except subtitles.BadSubtitles:
        raise Failed(
            "invalidLang", "The lang parameter is not a well-formed language tag."
        ) from None
    video = (await _recording(bbb, params)).video
    try:
        data = await _uploaded_file(request)
    except ValueError:  # a body that is not the multipart it says it is
        return _upload_failed(video.id)
    if data is None:
        return _upload_failed(video.id)
    if not data.strip():
        raise Failed("empty_uploaded_text_track", "Empty uploaded text track.")
    try:
        text = subtitles.as_webvtt(data.decode("utf-8"))
        duration = video.duration_seconds or 0.0
        await asyncio.to_thread(subtitles.save, bbb.videos, video.id, language, text, duration)
    except (UnicodeDecodeError, subtitles.BadSubtitles):
        return _upload_failed(video.id)
    await tracks_changed(bbb.database, bbb.videos, video)
    return json_answer(
        {
            "messageKey": "upload_text_track_success",
            "message": "Text track uploaded successfully",
            "recordId": str(video.id),
            "returncode": "SUCCESS",
        }
    )
