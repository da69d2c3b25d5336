"""Deep linking (portal_api/lti/deep_linking.py): an instructor's LtiDeepLinkingRequest opens
a picker of the course's lectures; the choice is answered with an LtiDeepLinkingResponse that
the platform verifies with the tool's published JWKS, and launching the link it holds opens
that lecture. A learner may not pick, and a forged ticket is refused."""

from __future__ import annotations

import html
import re
from typing import Any

import aiohttp
import jwt

from tests.conftest import Server
from tests.lti_platform import (
    DL,
    INSTRUCTOR,
    LEARNER,
    LTI,
    browser,
    launch_as,
    lms_course,
    new_lecture,
    running_platform,
)


def _form(page: str) -> tuple[str, dict[str, str]]:
    action = re.search(r'<form[^>]*action="([^"]+)"', page)
    assert action is not None, page
    fields = dict(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', page))
    return html.unescape(action.group(1)), {k: html.unescape(v) for k, v in fields.items()}


async def _verified(server: Server, token: str, audience: str) -> dict[str, Any]:
    async with aiohttp.ClientSession() as http, http.get(server.url("/lti/jwks")) as response:
        keys = jwt.PyJWKSet.from_dict(await response.json())
    kid = jwt.get_unverified_header(token)["kid"]
    key = next(k for k in keys.keys if k.key_id == kid)
    claims: dict[str, Any] = jwt.decode(token, key.key, algorithms=["RS256"], audience=audience)
    return claims


async def test_an_instructor_picks_a_lecture_and_the_platform_gets_a_signed_link(
    server: Server,
) -> None:
    async with running_platform(server) as platform:
        course_id = await lms_course(platform)
        lecture_id = await new_lecture(server, course_id, "Optics <live>")
        settings = {
            "deep_link_return_url": platform.url("/deep-link-return"),
            "accept_types": ["ltiResourceLink"],
            "accept_presentation_document_targets": ["window"],
            "data": "opaque-platform-data",
        }
        request = {
            LTI + "message_type": "LtiDeepLinkingRequest",
            DL + "deep_linking_settings": settings,
        }
        async with browser() as teacher:
            picker = await launch_as(teacher, platform, "t-1", [INSTRUCTOR], **request)
            page = await picker.text()
            assert picker.status == 200, page
            assert "Optics &lt;live&gt;" in page  # listed, and escaped
            assert "frame-ancestors " + platform.base in picker.headers["Content-Security-Policy"]
            action, fields = _form(page)
            assert action == "/lti/deep-link"
            async with teacher.post(
                server.url(action),
                data={"ticket": fields["ticket"], "choice": f"lecture:{lecture_id}"},
            ) as answer:
                back = await answer.text()
                assert answer.status == 200, back
                policy = answer.headers["Content-Security-Policy"]
            return_url, returned = _form(back)
            assert return_url == settings["deep_link_return_url"]
            assert f"form-action {platform.base}" in policy

            # The platform's side: verify with the tool's JWKS, then launch the new link.
            claims = await _verified(server, returned["JWT"], platform.issuer)
            assert claims["iss"] == platform.client_id
            assert claims[LTI + "message_type"] == "LtiDeepLinkingResponse"
            assert claims[LTI + "version"] == "1.3.0"
            assert claims[LTI + "deployment_id"] == platform.deployment_id
            assert claims[DL + "data"] == "opaque-platform-data"
            (item,) = claims[DL + "content_items"]
            assert item["type"] == "ltiResourceLink" and item["title"] == "Optics <live>"
            assert item["url"] == server.url("/lti/launch")

        async with browser() as student:
            entered = await launch_as(
                student, platform, "s-1", [LEARNER], **{LTI + "custom": item["custom"]}
            )
            assert entered.headers["Location"] == f"/lectures/{lecture_id}"

        async with browser() as student:  # a learner cannot open the picker
            refused = await launch_as(student, platform, "s-1", [LEARNER], **request)
            assert refused.status == 403
            assert "instructors" in await refused.text()

        async with browser() as teacher:  # nor can a ticket be forged, or used by another
            await launch_as(teacher, platform, "t-2", [INSTRUCTOR])
            async with teacher.post(
                server.url("/lti/deep-link"),
                data={"ticket": fields["ticket"], "choice": f"lecture:{lecture_id}"},
            ) as other:
                assert other.status == 403
                assert "another login" in await other.text()
            async with teacher.post(
                server.url("/lti/deep-link"),
                data={"ticket": fields["ticket"] + "x", "choice": f"lecture:{lecture_id}"},
            ) as forged:
                assert forged.status == 403
                assert "expired" in await forged.text()
