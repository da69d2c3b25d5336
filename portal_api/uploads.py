"""Streaming a multipart file field to disk under a size limit, off the event loop."""

from __future__ import annotations

import asyncio
from pathlib import Path

from aiohttp import BodyPartReader, web
from aiohttp.http_exceptions import HttpProcessingError

from classroom_server.web_problems import Problem

CHUNK = 256 * 1024
MAX_FIELDS = 20
MAX_FIELD_BYTES = 16 * 1024


async def file_part(request: web.Request) -> tuple[dict[str, str], BodyPartReader]:
    """The small text fields before it, and the ``file`` field, which must come last."""
    if not request.content_type.startswith("multipart/"):
        raise Problem(
            415,
            "unsupported_media_type",
            "Unsupported media type",
            "Upload as multipart/form-data with a field named 'file'",
        )
    fields: dict[str, str] = {}
    try:
        reader = await request.multipart()
        async for part in reader:
            if not isinstance(part, BodyPartReader) or not part.name:
                continue
            if part.name == "file":
                return fields, part
            if len(fields) >= MAX_FIELDS:
                break
            fields[part.name] = (await part.read_chunk(MAX_FIELD_BYTES)).decode(errors="replace")
    except (KeyError, ValueError, HttpProcessingError) as exc:  # no boundary, bad part headers
        raise Problem(
            400, "malformed_multipart", "Malformed multipart body", f"Cannot read the form: {exc}"
        ) from exc
    raise Problem(
        422,
        "validation_error",
        "Invalid request",
        "No 'file' field in the upload",
        errors=[{"location": ["body", "file"], "message": "Field required", "type": "missing"}],
    )


async def stream_to_disk(part: BodyPartReader, head: bytes, target: Path, limit: int) -> None:
    """Writes ``head`` and the rest of the part; over ``limit`` bytes it deletes and refuses."""
    await asyncio.to_thread(target.parent.mkdir, parents=True, exist_ok=True)
    out = await asyncio.to_thread(target.open, "wb")
    size = len(head)
    try:
        chunk = head
        while chunk:
            await asyncio.to_thread(out.write, chunk)
            chunk = await part.read_chunk(CHUNK)
            size += len(chunk)
            if size > limit:
                raise Problem(
                    413,
                    "payload_too_large",
                    "Payload too large",
                    f"Uploads here are at most {limit // 2**20} MB",
                )
    except BaseException:
        out.close()
        await asyncio.to_thread(target.unlink, missing_ok=True)
        raise
    out.close()
