"""Declared API operations: one declaration validates requests and documents them.

Each operation names the pydantic models of its body, query and response; the router checks
input against them at the edge (problem+json on failure) and the OpenAPI document is generated
from the same declarations, so the two cannot drift apart.

A handler also declares what it needs by its parameters' types (``db: Database``); the
composition root hands the router one instance of each type (``Provide``) and ``setup`` binds
them once, so no handler looks its dependencies up per request, and a handler asking for a type
nobody provides stops the server at start-up rather than failing on its first request.
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar, get_type_hints

from aiohttp import web
from pydantic import BaseModel, ValidationError

from classroom_server import bounded_json
from classroom_server.web_ids import MAX_ID, path_id
from classroom_server.web_problems import Problem

ApiHandler = Callable[..., Awaitable[BaseModel | web.StreamResponse | None]]
PREFIX = "/api/v1"
M = TypeVar("M", bound=BaseModel)
Provide = Mapping[Any, object]
"""What the composition root hands the handlers: a type (``Database``) to its one instance."""
VALIDATED = frozenset({"query", "body"})
"""Parameters the router fills from the request (the operation's ``query`` and ``body``)."""
__all__ = ["MAX_ID", "ApiRouter", "Operation", "Provide", "path_id", "validate"]


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    handler: ApiHandler
    summary: str
    tag: str
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    auth: bool = True
    form: bool = False
    upload: bool = False
    raw_body: str | None = None  # media type of a body the handler reads itself (e.g. text/csv)
    produces: str | None = None  # media type of a file the handler answers with (e.g. image/png)
    path_types: dict[str, str] = field(default_factory=dict)
    errors: tuple[int, ...] = ()

    @property
    def path_params(self) -> list[str]:
        return re.findall(r"\{(\w+)\}", self.path)


@dataclass
class ApiRouter:
    operations: list[Operation] = field(default_factory=list)

    def route(self, method: str, path: str, **options: Any) -> Callable[[ApiHandler], ApiHandler]:
        def register(handler: ApiHandler) -> ApiHandler:
            summary = options.pop("summary", None) or (handler.__doc__ or "").strip().split("\n")[0]
            self.operations.append(Operation(method, path, handler, summary, **options))
            return handler

        return register

    def include(self, other: ApiRouter) -> None:
        self.operations.extend(other.operations)

    def setup(self, app: web.Application, provide: Provide) -> None:
        """Adds every operation to ``app``, each handler bound to what it asks of ``provide``."""
        for op in self.operations:
            bound = dependencies(op.handler, provide)
            app.router.add_route(op.method, PREFIX + op.path, _endpoint(op, bound))


def dependencies(handler: ApiHandler, provide: Provide) -> dict[str, object]:
    """The instances ``handler``'s parameters ask for by type (all but the request, ``query``
    and ``body``); a TypeError naming the handler and the type if ``provide`` lacks one."""
    hints = get_type_hints(handler)
    names = list(inspect.signature(handler).parameters)[1:]
    bound: dict[str, object] = {}
    for name in names:
        if name in VALIDATED:
            continue
        wanted = hints.get(name)
        if wanted is None or wanted not in provide:
            raise TypeError(
                f"{handler.__module__}.{handler.__qualname__} asks for {name}: {wanted},"
                " which the composition root does not provide"
            )
        bound[name] = provide[wanted]
    return bound


def _endpoint(
    op: Operation, bound: dict[str, object]
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def endpoint(request: web.Request) -> web.StreamResponse:
        kwargs: dict[str, Any] = dict(bound)
        if op.query is not None:
            kwargs["query"] = validate(op.query, dict(request.query), "query")
        if op.body is not None:
            kwargs["body"] = validate(op.body, await _read_body(request, op.form), "body")
        result = await op.handler(request, **kwargs)
        if isinstance(result, web.StreamResponse):
            return result
        if result is None:
            return web.Response(status=204)
        return web.json_response(result.model_dump(mode="json"), status=op.status)

    return endpoint


async def _read_body(request: web.Request, allow_form: bool) -> Any:
    if allow_form and request.content_type == "application/x-www-form-urlencoded":
        return dict(await request.post())
    if request.content_type != "application/json":
        raise Problem(
            415,
            "unsupported_media_type",
            "Unsupported media type",
            "Send the body as application/json",
        )
    try:
        return bounded_json.loads(await request.text())
    except bounded_json.JsonTooDeep as exc:
        raise Problem(400, "json_too_deep", "JSON nested too deeply", str(exc)) from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise Problem(400, "malformed_json", "Malformed JSON", str(exc)) from exc


def _nul_at(data: Any, location: list[Any]) -> list[Any] | None:
    """Where a string holding NUL sits in ``data``: PostgreSQL refuses NUL in text, which would
    turn a typo'd title into a 500 (SQLite would keep it); no field has a use for it."""
    if isinstance(data, str):
        return location if "\x00" in data else None
    items = (
        data.items()
        if isinstance(data, dict)
        else enumerate(data)
        if isinstance(data, list)
        else ()
    )
    for key, value in items:
        if isinstance(key, str) and "\x00" in key:
            return [*location, key]
        found = _nul_at(value, [*location, key])
        if found is not None:
            return found
    return None


def validate(model: type[M], data: Any, where: str) -> M:
    """``data`` as ``model``, or a 422 problem naming each field that does not fit."""
    nul = _nul_at(data, [where])
    if nul is not None:
        raise Problem(
            422,
            "validation_error",
            "Invalid request",
            f"The request {where} holds a NUL character",
            errors=[{"location": nul, "message": "NUL is not allowed", "type": "string_nul"}],
        )
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = [
            {"location": [where, *e["loc"]], "message": e["msg"], "type": e["type"]}
            for e in exc.errors(include_url=False, include_input=False)
        ]
        raise Problem(
            422,
            "validation_error",
            "Invalid request",
            f"The request {where} does not match the schema",
            errors=errors,
        ) from exc
