"""JSON bodies nested deeper than the bound are a 400 problem, on every JSON operation.

The class: anything recursive over a request body (the parser, validation) overflows the stack
on a small, deeply nested body; a thousand levels used to be a 500, anonymously.
"""

from __future__ import annotations

import re
from typing import Any

import aiohttp
import pytest

from classroom_server import bounded_json
from tests.conftest import Server, bearer


@pytest.mark.parametrize(
    ("text", "depth"),
    [("1", 0), ("[]", 1), ('{"a": [1, {"b": 2}]}', 3), ("[[[]], []]", 3)],
)
def test_depth(text: str, depth: int) -> None:
    assert bounded_json.depth(bounded_json.loads(text)) == depth


@pytest.mark.parametrize("levels", [bounded_json.MAX_DEPTH + 1, 1_000, 100_000])
def test_too_deep_is_refused(levels: int) -> None:
    with pytest.raises(bounded_json.JsonTooDeep):
        bounded_json.loads("[" * levels + "]" * levels)
    with pytest.raises(bounded_json.JsonTooDeep):
        bounded_json.loads('{"a":' * levels + "1" + "}" * levels)


def test_at_the_bound_is_accepted() -> None:
    levels = bounded_json.MAX_DEPTH
    assert bounded_json.loads("[" * levels + "]" * levels) is not None


async def test_every_json_operation_refuses_deep_nesting(
    http: aiohttp.ClientSession, server: Server
) -> None:
    async with http.get(server.url("/api/v1/openapi.json")) as response:
        document: dict[str, Any] = await response.json()
    headers = await bearer(http, server, "educator")
    bodies = ["[" * 1_000 + "]" * 1_000, '{"username":' * 1_000 + "1" + "}" * 1_000]
    tried = 0
    for path, operations in document["paths"].items():
        url = re.sub(r"\{[^}]+\}", "1", path)
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" not in content:
                continue
            for body in bodies:
                for auth in ({}, headers):
                    async with http.request(
                        method,
                        server.url(url),
                        data=body,
                        headers={**auth, "Content-Type": "application/json"},
                    ) as response:
                        assert response.status < 500, (method, url, await response.text())
                        assert response.content_type == "application/problem+json"
                        if auth or path.startswith("/api/v1/auth/"):
                            problem = await response.json()
                            assert problem["code"] == "json_too_deep", (method, url, problem)
                tried += 1
    assert tried > 20
