"""The tool's endpoints a platform and a browser reach: OIDC login initiation, the launch, the
tool's JWKS, and the deep linking picker's answer.

Refusals are plain-text pages that say what failed (the person sees them in the LMS's window,
and the LMS's administrator needs the reason), with the HTTP status a client can act on.
"""

from __future__ import annotations

import base64
import hashlib
import logging
from urllib.parse import urlencode, urlsplit

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from classroom_server.db import Course, CourseRole, Lecture, LtiPlatform, Video
from classroom_server.lti_links import (
    LinkRace,
    course_role,
    enrol,
    linked_account,
    linked_context,
)
from classroom_server.lti_platforms import find_platform
from classroom_server.sessions import open_session
from classroom_server.web_auth import current_identity, set_session_cookies
from classroom_server.web_ids import parse_id
from portal_api.lti import deep_linking, login_cookie
from portal_api.lti.grades import LINEITEM_SCOPE, SCORE_SCOPE
from portal_api.lti.keys import published_keys, signing_key
from portal_api.lti.launch import (
    AGS_CLAIM,
    DEEP_LINKING,
    LTI,
    NRPS_CLAIM,
    Launch,
    LaunchRefused,
    new_login,
    validate_launch,
)
from portal_api.lti.tool import Lti

LOGIN_PATH = "/lti/login"
LAUNCH_PATH = "/lti/launch"
JWKS_PATH = "/lti/jwks"
MAX_FIELD = 16 * 1024
log = logging.getLogger("qou.lti")


def refused(message: str, status: int = 400) -> web.Response:
    log.info("LTI refused (%s): %s", status, message)
    return web.Response(status=status, text=f"LTI launch refused: {message}\n")


async def _params(request: web.Request) -> dict[str, str]:
    """GET's query or POST's form (a platform may use either for the login initiation)."""
    merged = dict(request.query)
    if request.method == "POST":
        merged.update({k: v for k, v in (await request.post()).items() if isinstance(v, str)})
    return {k: v[:MAX_FIELD] for k, v in merged.items()}


def _frame_policy(platform_issuer: str) -> dict[str, str]:
    """The picker may open in the LMS's frame: framing by the platform's origin only."""
    parts = urlsplit(platform_issuer)
    ancestor = f"{parts.scheme}://{parts.netloc}" if parts.netloc else "'none'"
    policy = f"default-src 'none'; form-action 'self'; frame-ancestors {ancestor}"
    return {"Content-Security-Policy": policy}


def _return_policy(return_url: str, script: str) -> dict[str, str]:
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    parts = urlsplit(return_url)
    return {
        "Content-Security-Policy": f"default-src 'none'; script-src 'sha256-{digest}';"
        f" form-action {parts.scheme}://{parts.netloc}"
    }


async def _target(session: AsyncSession, launch: Launch, course_id: int) -> str:
    """The page a resource link opens: the lecture or video its custom parameters (set by deep
    linking) or its target_link_uri name, if it is this course's; else the course's page."""
    custom = launch.claim("custom")
    path = (
        urlsplit(str(launch.claims.get(LTI + "target_link_uri") or "")).path.strip("/").split("/")
    )
    lecture_id = parse_id(str(custom.get("lecture_id", ""))) or (
        parse_id(path[1]) if len(path) == 2 and path[0] == "lectures" else None
    )
    video_id = parse_id(str(custom.get("video_id", ""))) or (
        parse_id(path[1]) if len(path) == 2 and path[0] == "videos" else None
    )
    if lecture_id is not None:
        lecture = await session.get(Lecture, lecture_id)
        if lecture is not None and lecture.course_id == course_id:
            return f"/lectures/{lecture.id}"
    if video_id is not None:
        video = await session.get(Video, video_id)
        if video is not None and video.course_id == course_id:
            return f"/videos/{video.id}"
    return f"/courses/{course_id}"


def _services(launch: Launch) -> tuple[str | None, str | None, str | None, list[str]]:
    nrps = launch.claim(NRPS_CLAIM)
    ags = launch.claim(AGS_CLAIM)
    scopes = (
        [s for s in ags.get("scope", []) if isinstance(s, str)]
        if isinstance(ags.get("scope"), list)
        else []
    )
    members = nrps.get("context_memberships_url")
    items, item = ags.get("lineitems"), ags.get("lineitem")
    if SCORE_SCOPE not in scopes:
        items = item = None
    if LINEITEM_SCOPE not in scopes:
        items = None
    return (
        members if isinstance(members, str) else None,
        items if isinstance(items, str) else None,
        item if isinstance(item, str) else None,
        scopes,
    )


def setup_routes(app: web.Application, lti: Lti) -> None:
    async def login(request: web.Request) -> web.StreamResponse:
        """OIDC third-party login initiation: off to the platform's authorisation endpoint
        with a fresh state and nonce."""
        params = await _params(request)
        issuer, hint = params.get("iss"), params.get("login_hint")
        if not issuer or not hint or not params.get("target_link_uri"):
            return refused("the login needs iss, login_hint and target_link_uri")
        async with lti.database.session() as session:
            platform = await find_platform(session, issuer, params.get("client_id"))
            if platform is None:
                return refused(f"no platform {issuer!r} is registered with this client id", 403)
            try:
                started = await new_login(session, platform)
            except LaunchRefused as exc:
                return refused(str(exc), exc.status)
            await session.commit()
            auth_url, client_id = platform.auth_url, platform.client_id
        query = {
            "scope": "openid",
            "response_type": "id_token",
            "response_mode": "form_post",
            "prompt": "none",
            "client_id": client_id,
            "redirect_uri": lti.origin(request) + LAUNCH_PATH,
            "login_hint": hint,
            "state": started.state,
            "nonce": started.nonce,
        }
        if params.get("lti_message_hint"):
            query["lti_message_hint"] = params["lti_message_hint"]
        separator = "&" if urlsplit(auth_url).query else "?"
        response = web.HTTPFound(auth_url + separator + urlencode(query))
        login_cookie.bind(response, started.state, LAUNCH_PATH, lti.secure_cookies)
        return response

    async def launch(request: web.Request) -> web.StreamResponse:
        form = await request.post()
        state, token = form.get("state"), form.get("id_token")
        if form.get("error"):
            return refused(f"the platform answered {str(form.get('error'))[:200]!r}")
        if not isinstance(state, str) or not isinstance(token, str) or not state or not token:
            return refused("the launch needs state and id_token")
        if not login_cookie.bound(request, state):
            return refused(
                "this browser did not start this login (its cookie is missing): open the tool"
                " from the LMS again, in a new window, and serve the tool over HTTPS",
                403,
            )
        async with lti.database.session() as session:
            try:
                launched = await validate_launch(session, lti.http, lti.keys, state, token)
            except LaunchRefused as exc:
                await session.commit()  # the state is spent even so
                return refused(str(exc), exc.status)
            await session.commit()
            try:
                response = await _enter(session, request, launched)
            except LinkRace as exc:
                return refused(str(exc), 409)
        login_cookie.forget(response, state, LAUNCH_PATH)
        return response

    async def _enter(
        session: AsyncSession, request: web.Request, launched: Launch
    ) -> web.StreamResponse:
        context = launched.claim("context")
        context_id = context.get("id")
        if not isinstance(context_id, str) or not context_id:
            return refused("launch the tool from inside a course (the launch has no context)")
        role = course_role(launched.roles)
        platform = launched.platform
        user = await linked_account(session, platform.issuer, launched.sub, launched.name, role)
        if user.disabled:
            return refused("this account was disabled by an administrator", 403)
        title = str(context.get("title") or context.get("label") or context_id)
        linked = await linked_context(session, platform.id, platform.issuer, context_id, title)
        members, items, item, scopes = _services(launched)
        if members:
            linked.memberships_url = members
        if items or item:
            linked.lineitems_url, linked.lineitem_url, linked.ags_scopes = items, item, scopes
        await enrol(session, linked.course_id, user, role)
        issued = await open_session(session, lti.tokens, user, "session", lti.session_lifetime)
        key = await signing_key(session)
        course = await session.get(Course, linked.course_id)
        await session.commit()
        assert course is not None
        if role == CourseRole.EDUCATOR and linked.memberships_url:
            lti.sync_soon(linked.id)
        if launched.message_type == DEEP_LINKING:
            if role != CourseRole.EDUCATOR:
                return refused("only the course's instructors may add content", 403)
            ticket = deep_linking.ticket(key, launched, user.id, course.id)
            options = await deep_linking.choices(session, course.id)
            response: web.StreamResponse = web.Response(
                text=deep_linking.picker_page(ticket, options, course.title),
                content_type="text/html",
                headers=_frame_policy(platform.issuer),
            )
        else:
            response = web.HTTPFound(await _target(session, launched, course.id))
        csrf = lti.tokens.csrf_token(issued.jti)
        set_session_cookies(response, issued.token, csrf, lti.session_lifetime, lti.secure_cookies)
        return response

    async def jwks(_request: web.Request) -> web.StreamResponse:
        async with lti.database.session() as session:
            keys = await published_keys(session)
            await session.commit()
        return web.json_response(keys, headers={"Cache-Control": "max-age=300"})

    async def pick(request: web.Request) -> web.StreamResponse:
        """The educator's choice: answered by a page that posts the signed deep linking
        response back to the LMS."""
        form = await request.post()
        ticket, choice = form.get("ticket"), form.get("choice")
        identity = await current_identity(request)
        if not isinstance(ticket, str) or not isinstance(choice, str):
            return refused("choose a lecture or video")
        kind, _, raw_id = choice.partition(":")
        async with lti.database.session() as session:
            try:
                claims = await deep_linking.read_ticket(session, ticket)
            except deep_linking.TicketRefused as exc:
                return refused(str(exc), 403)
            if identity is None or identity.user.id != claims["user"]:
                return refused("this page belongs to another login: start again from the LMS", 403)
            options = await deep_linking.choices(session, int(claims["course"]))
            chosen = next((c for c in options if c.kind == kind and str(c.id) == raw_id), None)
            if chosen is None:
                return refused("that lecture or video is not in this course")
            platform = await session.get(LtiPlatform, int(claims["platform"]))
            if platform is None:
                return refused("the platform is no longer registered", 403)
            key = await signing_key(session)
            await session.commit()
        item = deep_linking.content_item(chosen, lti.origin(request) + LAUNCH_PATH)
        answer = deep_linking.response_jwt(key, platform, claims, [item])
        page = deep_linking.return_page(str(claims["return_url"]), answer)
        script = page.split("<script>", 1)[1].split("</script>", 1)[0]
        return web.Response(
            text=page,
            content_type="text/html",
            headers=_return_policy(str(claims["return_url"]), script),
        )

    app.router.add_get(LOGIN_PATH, login)
    app.router.add_post(LOGIN_PATH, login)
    app.router.add_post(LAUNCH_PATH, launch)
    app.router.add_get(JWKS_PATH, jwks)
    app.router.add_post(deep_linking.PICK_PATH, pick)
