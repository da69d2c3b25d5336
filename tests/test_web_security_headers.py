"""Security headers on every kind of response, and the web client runs under its CSP.

The class: a header set in one handler is missing from the next; so every kind of response is
checked (page, asset, API JSON, problem, file, Socket.IO, metrics), and real Chromium visits
the app's pages and must report no Content-Security-Policy violation.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import pytest
from playwright.async_api import Browser, Page

from classroom_server.web_security_headers import CONTENT_SECURITY_POLICY, HSTS
from tests.conftest import Server, bearer, start_server
from tests.test_web_client import browser as shared_browser
from tests.test_web_client import log_in

browser = shared_browser
PATHS = [
    "/",
    "/courses/1",
    "/assets/app.js",
    "/api/v1/openapi.json",
    "/api/v1/courses",
    "/api/v1/no-such-route",
    "/healthz",
    "/metrics",
    "/vod/1/download.mp4",
    "/socket.io/?EIO=4&transport=polling",
]


async def test_every_kind_of_response_carries_them(
    http: aiohttp.ClientSession, server: Server
) -> None:
    headers = await bearer(http, server, "educator")
    for path in PATHS:
        for auth in ({}, headers):
            async with http.get(server.url(path), headers=auth) as response:
                got = response.headers
                assert got["Content-Security-Policy"] == CONTENT_SECURITY_POLICY, path
                assert "script-src 'self'" in got["Content-Security-Policy"]
                assert "unsafe-inline" not in got["Content-Security-Policy"]
                assert "frame-ancestors 'none'" in got["Content-Security-Policy"]
                assert got["X-Content-Type-Options"] == "nosniff", path
                assert got["X-Frame-Options"] == "DENY", path
                assert got["Referrer-Policy"] == "same-origin", path
                assert "Strict-Transport-Security" not in got, "HSTS only behind HTTPS"


@pytest.fixture(scope="module")
def https_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    os.environ["QOU_SECURE_COOKIES"] = "true"
    try:
        server = start_server(Path(tmp_path_factory.mktemp("hsts")), "sqlite")
    finally:
        del os.environ["QOU_SECURE_COOKIES"]
    yield server
    server.stop()


async def test_hsts_when_cookies_are_secure(
    http: aiohttp.ClientSession, https_server: Server
) -> None:
    for path in ("/", "/api/v1/courses", "/healthz"):
        async with http.get(https_server.url(path)) as response:
            assert response.headers["Strict-Transport-Security"] == HSTS


@pytest.fixture
async def watched(browser: Browser) -> AsyncIterator[tuple[Page, list[str]]]:
    """A page that records every CSP violation the browser reports."""
    context = await browser.new_context(locale="en-US")
    page = await context.new_page()
    violations: list[str] = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    await page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e =>"
        " console.error('Content Security Policy violation: ' + e.violatedDirective"
        " + ' ' + e.blockedURI))"
    )
    yield page, violations
    await context.close()


@pytest.mark.browser
async def test_the_web_client_runs_under_the_policy(
    watched: tuple[Page, list[str]], server: Server
) -> None:
    page, violations = watched
    await log_in(page, server, "educator")
    await page.get_by_test_id("course-card").first.wait_for()
    for path in ("/courses/1", "/courses/1/office-hours", "/open-courses"):
        await page.goto(server.url(path))
        await page.wait_for_load_state("networkidle")
    await page.goto(server.url("/api/docs"))
    await page.locator(".swagger-ui .opblock").first.wait_for(timeout=20_000)
    assert violations == []
    # And the policy bites: an injected inline script does not run.
    ran = await page.evaluate(
        """() => { const s = document.createElement('script');
        s.textContent = 'window.__injected = true'; document.body.append(s);
        return window.__injected === true; }"""
    )
    assert ran is False
