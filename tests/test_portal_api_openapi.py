"""The OpenAPI document is generated from the same models that validate requests."""

from __future__ import annotations

import re

import aiohttp

from portal_api import api_router
from tests.conftest import Server


async def test_document_lists_every_route_and_resolves_refs(
    http: aiohttp.ClientSession, server: Server
) -> None:
    async with http.get(server.url("/api/v1/openapi.json")) as response:
        assert response.status == 200
        doc = await response.json()
    assert doc["openapi"].startswith("3.1")
    declared = {(op.method.lower(), "/api/v1" + op.path) for op in api_router().operations}
    documented = {(m, p) for p, methods in doc["paths"].items() for m in methods}
    assert declared == documented

    schemas = doc["components"]["schemas"]
    text = str(doc)
    for ref in {part.split("'")[0] for part in text.split("#/components/schemas/")[1:]}:
        assert ref in schemas, ref
    credentials = schemas["Credentials"]
    assert set(credentials["required"]) == {"username", "password"}
    assert credentials["properties"]["password"]["maxLength"] == 256
    token_op = doc["paths"]["/api/v1/auth/token"]["post"]
    assert "application/x-www-form-urlencoded" in token_op["requestBody"]["content"]
    assert "429" in token_op["responses"]


async def test_docs_page_is_served(http: aiohttp.ClientSession, server: Server) -> None:
    async with http.get(server.url("/api/docs")) as response:
        assert response.status == 200
        assert "swagger" in (await response.text()).lower()


async def test_docs_page_loads_its_assets(http: aiohttp.ClientSession, server: Server) -> None:
    """Every script and stylesheet the page names is served, with a type a browser runs."""
    async with http.get(server.url("/api/docs")) as response:
        page = await response.text()
    scripts = re.findall(r'<script[^>]*\bsrc="([^"]+)"', page)
    styles = re.findall(r'<link[^>]*rel="stylesheet"[^>]*href="([^"]+)"', page)
    assert any("swagger-ui-bundle" in src for src in scripts), page
    assert styles, page
    for url, kind in [(s, "javascript") for s in scripts] + [(s, "css") for s in styles]:
        async with http.get(server.url(url)) as response:
            assert response.status == 200, url
            assert kind in response.content_type, (url, response.content_type)
            assert len(await response.read()) > 100, url
