"""Logging with the current request id on every line, so one request's lines can be found."""

from __future__ import annotations

import contextvars
import logging
import secrets
import time
from collections.abc import Awaitable, Callable

from aiohttp import web

from classroom_server.security.proxies import client_address

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
log = logging.getLogger("qou.access")
REQUEST_ID = web.RequestKey("request_id", str)


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


def configure_logging(level: str) -> None:
    handler = logging.StreamHandler()
    handler.addFilter(_RequestIdFilter())
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)


@web.middleware
async def request_id_middleware(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Honours a proxy's X-Request-Id when it looks sane, else makes one. The access line
    names the client (behind trusted proxies, the forwarded one), method, path, status, time."""
    incoming = request.headers.get("X-Request-Id", "")
    request_id = (
        incoming if 8 <= len(incoming) <= 64 and incoming.isascii() else secrets.token_hex(8)
    )
    request[REQUEST_ID] = request_id
    token = request_id_var.set(request_id)
    started = time.perf_counter()
    try:
        response = await handler(request)
        response.headers["X-Request-Id"] = request_id
        log.info(
            "%s %s %s %s %.1fms",
            client_address(request),
            request.method,
            request.path,
            response.status,
            (time.perf_counter() - started) * 1000,
        )
        return response
    finally:
        request_id_var.reset(token)
