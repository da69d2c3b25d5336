"""The routes under ``/bigbluebutton``: every API call through one endpoint that checks the
checksum, and the page a ``join`` with ``redirect=false`` hands out.

GET carries the parameters in the query string. POST may carry them there too (``create`` and
``insertDocument`` then send an XML list of documents as the body) or, form-encoded, in the
body; the checksum then covers the body. A multipart POST (``putRecordingTextTrack``'s file)
is signed on its query string only, as BBB does. Parameters outside what the checksum covers are
never read, so nobody can add to a signed call.
"""

from __future__ import annotations

import logging
from urllib.parse import parse_qsl

from aiohttp import web

from classroom_server.db import Lecture
from classroom_server.security import TokenError
from classroom_server.sessions import session_user
from classroom_server.web_auth import set_session_cookies
from classroom_server.web_ids import parse_id
from portal_api.bbb.answers import Failed, checksum_error, failure, success
from portal_api.bbb.call_table import CALLS
from portal_api.bbb.calls import SESSION_PATH, Bbb, room_url
from portal_api.bbb.checksum import checksum_matches, without_checksum
from portal_api.bbb.secret import shared_secret
from portal_api.bbb.text_tracks import JSON_CALLS, json_failure

PREFIX = "/bigbluebutton/api"
FORM = "application/x-www-form-urlencoded"
log = logging.getLogger("qou.bbb")


async def signed_parameters(request: web.Request, call: str, secret: str) -> dict[str, str]:
    """The call's parameters, if its checksum is right (else ``checksumError``): from the raw
    query string as sent, or from a form-encoded POST body when the query has no checksum."""
    signed, checksum = without_checksum(request.rel_url.raw_query_string)
    if checksum is None and request.method == "POST" and request.content_type == FORM:
        signed, checksum = without_checksum((await request.read()).decode("utf-8", "replace"))
    if not checksum_matches(call, signed, secret, checksum):
        raise checksum_error()
    params: dict[str, str] = {}
    for name, value in parse_qsl(signed, keep_blank_values=True, errors="replace"):
        params.setdefault(name, value)  # BBB reads a repeated parameter's first value
    return params


def setup_routes(app: web.Application, bbb: Bbb) -> None:
    """Registered before the web client's page routes, which would otherwise take
    ``/bigbluebutton/...`` as a page of the single-page app."""

    async def index(_request: web.Request) -> web.StreamResponse:
        """What BBB answers at the API's root: no checksum, the version LMSs check."""
        return success({"version": "2.0", "apiVersion": "2.0", "bbbVersion": ""})

    async def api_call(request: web.Request) -> web.StreamResponse:
        call = request.match_info["call"]
        handler = CALLS.get(call)
        if handler is None:
            return failure("unsupportedRequest", "This API call is not supported.")
        try:
            async with bbb.database.session() as session:
                secret = await shared_secret(session)
                await session.commit()
            params = await signed_parameters(request, call, secret)
            return await handler(bbb, params, request)
        except Failed as refusal:
            refuse = json_failure if call in JSON_CALLS else failure
            return refuse(refusal.key, refusal.message)

    async def enter(request: web.Request) -> web.StreamResponse:
        """Where ``join``'s ``url`` (with ``redirect=false``) leads: sets the session cookie
        the token names, if the server still holds that session, and opens the room."""
        token = request.query.get("sessionToken", "")
        lecture_id = parse_id(request.query.get("lecture", ""))
        try:
            claims = bbb.tokens.verify(token, "session")
        except TokenError:
            raise web.HTTPForbidden(text="This join link is not valid (any more).") from None
        subject = parse_id(str(claims.get("sub")))
        async with bbb.database.session() as session:
            user = (
                await session_user(session, str(claims.get("jti")), subject, "session")
                if subject is not None
                else None
            )
            lecture = await session.get(Lecture, lecture_id) if lecture_id else None
        if user is None or lecture is None:
            raise web.HTTPForbidden(text="This join link is not valid (any more).")
        response = web.HTTPFound(room_url(lecture.id))
        csrf = bbb.tokens.csrf_token(str(claims["jti"]))
        set_session_cookies(response, token, csrf, bbb.session_lifetime, bbb.secure_cookies)
        return response

    for path, handler in (
        (PREFIX, index),
        (PREFIX + "/", index),
        (PREFIX + "/{call:[A-Za-z]+(?:/[A-Za-z]+)?}", api_call),
    ):
        app.router.add_get(path, handler)
        app.router.add_post(path, handler)
    app.router.add_get(SESSION_PATH, enter)
