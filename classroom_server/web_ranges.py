"""Byte ranges of served files: a Range the server will not honour is a 416 problem+json.

aiohttp's FileResponse answers a malformed (``bytes=abc``), multi-range or out-of-bounds Range
itself, late in ``prepare()``, with an empty ``application/octet-stream`` 416 that no
middleware sees. So files are served through ``file_response``, which decides first, and the
middleware checks the syntax for FileResponses made elsewhere (aiohttp's static assets).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from stat import S_ISREG

from aiohttp import web

from classroom_server.web_problems import Handler, Problem, not_found


def _unsatisfiable(detail: str, size: int | None = None) -> Problem:
    return Problem(
        416,
        "range_not_satisfiable",
        "Range not satisfiable",
        detail,
        headers={"Content-Range": f"bytes */{size if size is not None else '*'}"},
    )


def _applies(request: web.Request, mtime: float | None) -> bool:
    """aiohttp ignores Range when If-Range names an older version of the file."""
    if "Range" not in request.headers or request.method not in ("GET", "HEAD"):
        return False
    if_range = request.if_range
    return if_range is None or mtime is None or mtime <= if_range.timestamp()


def check_range(request: web.Request, size: int | None = None, mtime: float | None = None) -> None:
    """Raises the 416 problem aiohttp would otherwise answer with an empty body."""
    if not _applies(request, mtime):
        return
    try:
        wanted = request.http_range
    except ValueError:
        raise _unsatisfiable(
            "Ask for one range of bytes, e.g. 'bytes=0-1023', 'bytes=1024-' or 'bytes=-512'",
            size,
        ) from None
    if size is None or wanted.start is None:
        return
    if (wanted.start >= 0 and wanted.start >= size) or (wanted.start < 0 and size == 0):
        raise _unsatisfiable(f"The file has {size} bytes", size)


async def file_response(
    request: web.Request, path: Path, headers: dict[str, str] | None = None
) -> web.FileResponse:
    """``path`` as a FileResponse, after the checks that would make it an empty error."""
    try:
        stat = await asyncio.to_thread(path.stat)
    except OSError:
        raise not_found("that file") from None
    if not S_ISREG(stat.st_mode):
        raise not_found("that file")
    check_range(request, stat.st_size, stat.st_mtime)
    return web.FileResponse(path, headers=headers)


@web.middleware
async def range_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    response = await handler(request)
    if isinstance(response, web.FileResponse):
        check_range(request)
    return response
