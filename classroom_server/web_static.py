"""Serves the built web client: assets with long caching, the app shell for page routes."""

from __future__ import annotations

import asyncio
from pathlib import Path

from aiohttp import web

from classroom_server.client_assets import DIST_DIR
from classroom_server.web_ranges import file_response

NOT_BUILT = """<!doctype html><meta charset="utf-8"><title>QOU Classroom</title>
<p>The web client is not built. Run <code>npm --prefix web_client ci &amp;&amp;
npm --prefix web_client run build</code>, or use the README's run command.</p>"""


def setup_static(app: web.Application, dist: Path = DIST_DIR) -> None:
    index = dist / "index.html"
    api_docs = dist / "api-docs.html"

    async def page(request: web.Request, path: Path) -> web.StreamResponse:
        if not await asyncio.to_thread(path.is_file):
            return web.Response(text=NOT_BUILT, content_type="text/html", status=503)
        return await file_response(request, path, {"Cache-Control": "no-cache"})

    async def app_shell(request: web.Request) -> web.StreamResponse:
        return await page(request, index)

    async def docs(request: web.Request) -> web.StreamResponse:
        return await page(request, api_docs)

    app.router.add_get("/api/docs", docs)
    if (dist / "assets").is_dir():
        app.router.add_static("/assets", dist / "assets", append_version=False)
    app.router.add_get("/", app_shell)
    # Page routes of the single-page app; /api, /socket.io and /assets never reach here.
    app.router.add_get(
        r"/{page:(?!api/|socket\.io/|assets/|vod/|metrics|healthz|readyz)[^.]*}", app_shell
    )
