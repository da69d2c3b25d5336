"""RFC 9457 problem details: the one shape every HTTP error takes.

Handlers raise ``Problem``; the middleware turns it, aiohttp's own HTTP errors (unknown route,
wrong method, oversize body) and anything unexpected into ``application/problem+json``. An
unexpected exception is logged with the request id and the client sees only that id.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from classroom_server.logs import REQUEST_ID

log = logging.getLogger(__name__)

PROBLEM_TYPE_BASE = "https://qou-classroom.example/problems/"
CONTENT_TYPE = "application/problem+json"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Problem(Exception):
    def __init__(
        self,
        status: int,
        code: str,
        title: str,
        detail: str | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail or title)
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
        self.headers = headers or {}
        self.extra = extra

    def body(self, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": PROBLEM_TYPE_BASE + self.code,
            "title": self.title,
            "status": self.status,
            "code": self.code,
        }
        if self.detail:
            body["detail"] = self.detail
        if instance:
            body["instance"] = instance
        body.update(self.extra)
        return body


def not_found(what: str) -> Problem:
    return Problem(404, "not_found", "Not found", f"{what} does not exist")


def forbidden(detail: str = "You may not do this") -> Problem:
    return Problem(403, "forbidden", "Forbidden", detail)


def unauthenticated(detail: str = "Log in or send a bearer token") -> Problem:
    return Problem(
        401,
        "unauthenticated",
        "Authentication required",
        detail,
        headers={"WWW-Authenticate": 'Bearer realm="qou-classroom"'},
    )


def too_many_attempts(wait: float, title: str) -> Problem:
    """429 for a throttled password check; ``Retry-After`` in whole seconds."""
    seconds = math.ceil(wait)
    return Problem(
        429,
        "too_many_attempts",
        title,
        f"Try again in {seconds} seconds",
        headers={"Retry-After": str(seconds)},
    )


def problem_response(problem: Problem, request: web.Request | None = None) -> web.Response:
    instance = request.path if request is not None else None
    return web.Response(
        status=problem.status,
        text=json.dumps(problem.body(instance), ensure_ascii=False),
        content_type=CONTENT_TYPE,
        headers=problem.headers,
    )


_HTTP_CODES = {
    400: ("bad_request", "Bad request"),
    404: ("not_found", "Not found"),
    405: ("method_not_allowed", "Method not allowed"),
    413: ("payload_too_large", "Payload too large"),
    415: ("unsupported_media_type", "Unsupported media type"),
    416: ("range_not_satisfiable", "Range not satisfiable"),
}


def _from_http_error(exc: web.HTTPException) -> Problem:
    code, title = _HTTP_CODES.get(exc.status, ("http_error", exc.reason))
    headers = {k: v for k, v in exc.headers.items() if k in ("Allow", "Retry-After")}
    return Problem(
        exc.status,
        code,
        title,
        exc.reason if exc.reason.lower() != title.lower() else None,
        headers,
    )


@web.middleware
async def problem_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except Problem as problem:
        return problem_response(problem, request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return problem_response(_from_http_error(exc), request)
    except Exception:
        request_id = request.get(REQUEST_ID, "-")
        log.exception("unhandled error on %s %s", request.method, request.path)
        return problem_response(
            Problem(
                500,
                "internal_error",
                "Internal server error",
                f"Something went wrong on our side; quote request id {request_id}",
                request_id=request_id,
            ),
            request,
        )
