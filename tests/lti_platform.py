"""A simulated LTI 1.3 platform (an LMS) for the LTI tests: its own RSA key and JWKS, an OIDC
authorisation endpoint that answers the tool's login redirect with an auto-posting form holding
a signed ``id_token``, a token endpoint that checks the tool's client assertion against the
tool's published JWKS, an NRPS memberships service (two pages, ``Link: rel=next``), and AGS
line items and scores. An aiohttp server on 127.0.0.1, talking to the real server.
"""

from __future__ import annotations

import html
import json
import re
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import aiohttp
import jwt
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from yarl import URL

from tests.conftest import ADMIN, Server, bearer, free_port
from tests.room_client import lecture_in

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
ROLE = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
INSTRUCTOR = ROLE + "Instructor"
LEARNER = ROLE + "Learner"
AGS_SCOPES = [
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
]


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class Platform:
    base: str
    server: Server
    client_id: str = field(default_factory=lambda: f"client-{secrets.token_hex(4)}")
    deployment_id: str = "deployment-1"
    context_id: str = field(default_factory=lambda: f"course-{secrets.token_hex(4)}")
    key: rsa.RSAPrivateKey = field(default_factory=new_key)
    kid: str = field(default_factory=lambda: secrets.token_hex(8))
    members: list[dict[str, Any]] = field(default_factory=list)
    line_items: dict[str, dict[str, Any]] = field(default_factory=dict)
    scores: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    assertions: list[dict[str, Any]] = field(default_factory=list)
    issued: set[str] = field(default_factory=set)
    pending: dict[str, dict[str, Any]] = field(default_factory=dict)
    score_failures: int = 0  # the next score posts answered 500
    score_calls: int = 0
    memberships_down: bool = False
    platform_id: int = 0

    @property
    def issuer(self) -> str:
        return self.base

    def url(self, path: str) -> str:
        return self.base + path

    def jwk(self) -> dict[str, Any]:
        public: dict[str, Any] = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        return {**public, "kid": self.kid, "alg": "RS256", "use": "sig"}

    def claims(self, nonce: str, sub: str, roles: list[str], **extra: Any) -> dict[str, Any]:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.client_id,
            "azp": self.client_id,
            "sub": sub,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            "name": f"Person {sub}",
            LTI + "deployment_id": self.deployment_id,
            LTI + "message_type": "LtiResourceLinkRequest",
            LTI + "version": "1.3.0",
            LTI + "roles": roles,
            LTI + "target_link_uri": self.server.url("/lti/launch"),
            LTI + "resource_link": {"id": "link-1", "title": "QOU Classroom"},
            LTI + "context": {"id": self.context_id, "title": "Physics 101 (LMS)"},
            NRPS: {
                "context_memberships_url": self.url("/memberships"),
                "service_versions": ["2.0"],
            },
            AGS: {
                "scope": AGS_SCOPES,
                "lineitems": self.url("/lineitems"),
            },
        }
        claims.update(extra)
        return claims

    def sign(self, claims: dict[str, Any], key: rsa.RSAPrivateKey | None = None) -> str:
        return jwt.encode(claims, key or self.key, algorithm="RS256", headers={"kid": self.kid})

    def id_token(self, nonce: str, sub: str, roles: list[str], **extra: Any) -> str:
        return self.sign(self.claims(nonce, sub, roles, **extra))

    async def _tool_key(self, token: str) -> Any:
        async with aiohttp.ClientSession() as http:
            async with http.get(self.server.url("/lti/jwks")) as response:
                keys = jwt.PyJWKSet.from_dict(await response.json())
        kid = jwt.get_unverified_header(token)["kid"]
        return next(k for k in keys.keys if k.key_id == kid).key

    # --- the platform's endpoints ---

    async def jwks(self, _request: web.Request) -> web.Response:
        return web.json_response({"keys": [self.jwk()]})

    async def auth(self, request: web.Request) -> web.Response:
        """Answers the tool's login redirect as an LMS does: a page that posts the id_token of
        the user ``login_hint`` names (``pending``) to the redirect URI."""
        q = request.query
        assert q["response_type"] == "id_token" and q["response_mode"] == "form_post"
        assert q["scope"] == "openid" and q["client_id"] == self.client_id
        assert q["redirect_uri"] == self.server.url("/lti/launch"), q["redirect_uri"]
        launch = self.pending[q["login_hint"]]
        token = self.id_token(q["nonce"], **launch)
        page = (
            f'<form id="f" method="post" action="{html.escape(q["redirect_uri"])}">'
            f'<input type="hidden" name="id_token" value="{token}">'
            f'<input type="hidden" name="state" value="{html.escape(q["state"])}">'
            "</form><script>document.getElementById('f').submit()</script>"
        )
        return web.Response(text=page, content_type="text/html")

    async def start(self, request: web.Request) -> web.Response:
        """Where a person clicks the activity in the LMS: a page that starts the tool's login
        (third-party initiated, form POST) for the launch ``hint`` names in ``pending``."""
        fields = {
            "iss": self.issuer,
            "login_hint": request.query["hint"],
            "target_link_uri": self.server.url("/lti/launch"),
            "client_id": self.client_id,
            "lti_deployment_id": self.deployment_id,
        }
        inputs = "".join(
            f'<input type="hidden" name="{k}" value="{html.escape(v)}">' for k, v in fields.items()
        )
        page = (
            f'<form id="f" method="post" action="{self.server.url("/lti/login")}">{inputs}'
            "</form><script>document.getElementById('f').submit()</script>"
        )
        return web.Response(text=page, content_type="text/html")

    async def token(self, request: web.Request) -> web.Response:
        form = await request.post()
        assertion = str(form["client_assertion"])
        assert form["grant_type"] == "client_credentials"
        claims = jwt.decode(
            assertion,
            await self._tool_key(assertion),
            algorithms=["RS256"],
            audience=self.url("/token"),
            issuer=self.client_id,
        )
        assert claims["sub"] == self.client_id
        self.assertions.append({**claims, "scope": form["scope"]})
        access = secrets.token_urlsafe(16)
        self.issued.add(access)
        return web.json_response(
            {"access_token": access, "token_type": "bearer", "expires_in": 3600}
        )

    def _authorised(self, request: web.Request) -> None:
        presented = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if presented not in self.issued:
            raise web.HTTPUnauthorized()

    async def memberships(self, request: web.Request) -> web.Response:
        self._authorised(request)
        if self.memberships_down:
            return web.Response(status=503)
        half = (len(self.members) + 1) // 2
        if request.query.get("page") == "2":
            return web.json_response({"id": "m", "members": self.members[half:]})
        return web.json_response(
            {"id": "m", "context": {"id": self.context_id}, "members": self.members[:half]},
            headers={"Link": f'<{self.url("/memberships?page=2")}>; rel="next"'},
        )

    async def add_line_item(self, request: web.Request) -> web.Response:
        self._authorised(request)
        item = await request.json()
        number = len(self.line_items) + 1
        item["id"] = self.url(f"/lineitems/{number}")
        self.line_items[str(number)] = item
        return web.json_response(item, status=201)

    async def score(self, request: web.Request) -> web.Response:
        self._authorised(request)
        assert request.content_type == "application/vnd.ims.lis.v1.score+json"
        self.score_calls += 1
        if self.score_failures > 0:
            self.score_failures -= 1
            return web.Response(status=500)
        self.scores.append((request.match_info["item"], await request.json()))
        return web.Response(status=204)


@asynccontextmanager
async def running_platform(server: Server) -> AsyncIterator[Platform]:
    """The platform listening on a free loopback port, registered through the admin API."""
    port = free_port()
    platform = Platform(f"http://127.0.0.1:{port}", server)
    app = web.Application()
    app.router.add_get("/jwks", platform.jwks)
    app.router.add_get("/auth", platform.auth)
    app.router.add_get("/start", platform.start)
    app.router.add_post("/token", platform.token)
    app.router.add_get("/memberships", platform.memberships)
    app.router.add_post("/lineitems", platform.add_line_item)
    app.router.add_post("/lineitems/{item}/scores", platform.score)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    try:
        await register(platform)
        yield platform
    finally:
        await runner.cleanup()


async def register(platform: Platform) -> None:
    """Registers the platform (under its current client id) through the admin API."""
    server = platform.server
    async with aiohttp.ClientSession() as http:
        admin = await bearer(http, server, *ADMIN)
        body = {
            "issuer": platform.issuer,
            "client_id": platform.client_id,
            "deployment_ids": [platform.deployment_id],
            "auth_url": platform.url("/auth"),
            "token_url": platform.url("/token"),
            "jwks_url": platform.url("/jwks"),
        }
        async with http.post(
            server.url("/api/v1/admin/lti/platforms"), json=body, headers=admin
        ) as response:
            assert response.status == 201, await response.text()
            platform.platform_id = (await response.json())["id"]


async def login(
    http: aiohttp.ClientSession, platform: Platform, hint: str = "user"
) -> tuple[str, str]:
    """Starts a login at the tool as the platform would: (state, nonce) from the redirect."""
    query = {
        "iss": platform.issuer,
        "login_hint": hint,
        "target_link_uri": platform.server.url("/lti/launch"),
        "client_id": platform.client_id,
        "lti_deployment_id": platform.deployment_id,
    }
    async with http.get(
        platform.server.url("/lti/login"), params=query, allow_redirects=False
    ) as response:
        assert response.status == 302, await response.text()
        location = response.headers["Location"]
    assert location.startswith(platform.url("/auth?"))
    sent = parse_qs(urlsplit(location).query)
    return sent["state"][0], sent["nonce"][0]


async def launch(
    http: aiohttp.ClientSession, platform: Platform, state: str, token: str
) -> aiohttp.ClientResponse:
    """POSTs the id_token to the tool; the answer (not followed) is read by the caller."""
    response = await http.post(
        platform.server.url("/lti/launch"),
        data={"state": state, "id_token": token},
        allow_redirects=False,
    )
    await response.read()
    return response


async def launch_as(
    http: aiohttp.ClientSession, platform: Platform, sub: str, roles: list[str], **extra: Any
) -> aiohttp.ClientResponse:
    """The whole flow through the platform's auth endpoint: login, the platform's form, the
    launch."""
    hint = f"hint-{secrets.token_hex(4)}"
    platform.pending[hint] = {"sub": sub, "roles": roles, **extra}
    query = {"iss": platform.issuer, "login_hint": hint, "target_link_uri": "x"}
    async with http.post(
        platform.server.url("/lti/login"), data=query, allow_redirects=False
    ) as response:
        assert response.status == 302, await response.text()
        location = response.headers["Location"]
    async with http.get(location) as response:
        page = await response.text()
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', page))
    action = re.search(r'action="([^"]+)"', page)
    assert action is not None
    response = await http.post(
        html.unescape(action.group(1)),
        data={k: html.unescape(v) for k, v in fields.items()},
        allow_redirects=False,
    )
    await response.read()
    return response


def course_of(entered: aiohttp.ClientResponse) -> int:
    """The id of the course an instructor's launch redirects to (``/courses/<id>``)."""
    return int(entered.headers["Location"].rsplit("/", 1)[1])


async def lms_course(platform: Platform, **claims: Any) -> int:
    """The instructor ``t-1`` launches (with these extra claims) in a browser of their own: the
    course the platform's context maps to (made by the first launch)."""
    async with browser() as teacher:
        return course_of(await launch_as(teacher, platform, "t-1", [INSTRUCTOR], **claims))


async def new_lecture(server: Server, course_id: int, title: str, start: bool = False) -> int:
    """A lecture in an LMS course, scheduled now by the admin (and started, if asked)."""
    async with aiohttp.ClientSession() as http:
        admin = await bearer(http, server, *ADMIN)
        return await lecture_in(http, server, course_id, admin, start, title=title)


def csrf_header(http: aiohttp.ClientSession, server: Server) -> dict[str, str]:
    """The CSRF header a page's script sends with the session cookie the launch set."""
    cookies = http.cookie_jar.filter_cookies(URL(server.url("/")))
    return {"X-CSRF-Token": cookies["qou_csrf"].value}


def browser() -> aiohttp.ClientSession:
    """A client that keeps cookies for 127.0.0.1, as a browser does."""
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
