"""The BigBlueButton-compatible API against a real server, as an LMS drives it: signed calls,
BBB's XML and message keys, and a meeting's life (create, join into the web client with a
working browser session, a live participant listed, end for everyone)."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import xml.etree.ElementTree as ET
from urllib.parse import quote_plus, urlencode

import aiohttp
import pytest
from yarl import URL

from tests.conftest import Server, run_cli, start_server
from tests.media_peer import MediaParticipant, ToneTrack
from tests.sfu_peer import TestCardTrack

CREATE_FIELDS = [
    "returncode",
    "meetingID",
    "internalMeetingID",
    "parentMeetingID",
    "attendeePW",
    "moderatorPW",
    "createTime",
    "voiceBridge",
    "dialNumber",
    "createDate",
    "hasUserJoined",
    "duration",
    "hasBeenForciblyEnded",
    "messageKey",
    "message",
]
INFO_FIELDS = [
    "meetingName",
    "meetingID",
    "internalMeetingID",
    "createTime",
    "createDate",
    "voiceBridge",
    "dialNumber",
    "attendeePW",
    "moderatorPW",
    "running",
    "duration",
    "hasUserJoined",
    "recording",
    "hasBeenForciblyEnded",
    "startTime",
    "endTime",
    "participantCount",
    "listenerCount",
    "voiceParticipantCount",
    "videoCount",
    "maxUsers",
    "moderatorCount",
    "attendees",
    "metadata",
    "isBreakout",
]
ATTENDEE_FIELDS = [
    "userID",
    "fullName",
    "role",
    "isPresenter",
    "isListeningOnly",
    "hasJoinedVoice",
    "hasVideo",
    "clientType",
]


def secret_of(server: Server) -> str:
    if "bbb_secret" not in server.extra:
        shown = run_cli("bbb-secret", *server.data_flags).stdout.strip()
        server.extra["bbb_secret"] = shown
    secret: str = server.extra["bbb_secret"]
    return secret


def signed(server: Server, call: str, params: dict[str, str], algorithm: str = "sha1") -> URL:
    """The URL an LMS calls: the query string as sent (not re-encoded by the client: the
    server hashes what arrives), then its checksum."""
    query = urlencode(params, quote_via=quote_plus)
    checksum = hashlib.new(algorithm, f"{call}{query}{secret_of(server)}".encode()).hexdigest()
    joiner = "&" if query else ""
    url = server.url(f"/bigbluebutton/api/{call}?{query}{joiner}checksum={checksum}")
    return URL(url, encoded=True)


async def xml(response: aiohttp.ClientResponse) -> ET.Element:
    assert response.status == 200, await response.text()
    assert response.content_type == "text/xml"
    return ET.fromstring(await response.read())


async def call(
    http: aiohttp.ClientSession, server: Server, name: str, params: dict[str, str]
) -> ET.Element:
    async with http.get(signed(server, name, params)) as response:
        return await xml(response)


def tags(element: ET.Element) -> list[str]:
    return [child.tag for child in element]


def failed(root: ET.Element, key: str) -> None:
    assert root.findtext("returncode") == "FAILED", ET.tostring(root)
    assert root.findtext("messageKey") == key, ET.tostring(root)
    assert root.findtext("message")


def meeting() -> dict[str, str]:
    return {
        "name": "Algebra & <friends>",
        "meetingID": f"moodle-{secrets.token_hex(4)}",
        "attendeePW": "ap",
        "moderatorPW": "mp",
        "meta_bbb-context-id": "7",
        "meta_bbb-context-name": "Linear algebra",
        "meta_bbb-origin-server-name": "moodle.example",
    }


async def test_the_root_answers_the_version_without_a_checksum(
    http: aiohttp.ClientSession, server: Server
) -> None:
    for path in ("/bigbluebutton/api", "/bigbluebutton/api/"):
        async with http.get(server.url(path)) as response:
            root = await xml(response)
        assert root.findtext("returncode") == "SUCCESS"
        assert root.findtext("version") == "2.0"


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_bad_or_missing_checksums_are_refused(
    http: aiohttp.ClientSession, server: Server, method: str
) -> None:
    params = urlencode(meeting())
    for query in (params, f"{params}&checksum={'0' * 40}", f"{params}&checksum=abc"):
        url = server.url(f"/bigbluebutton/api/create?{query}")
        async with http.request(method, url) as response:
            failed(await xml(response), "checksumError")
    # Signed with another call's name, or with one parameter changed after signing.
    url = URL(str(signed(server, "join", meeting())).replace("/join?", "/create?"), encoded=True)
    async with http.get(url) as response:
        failed(await xml(response), "checksumError")


async def test_unknown_calls_and_missing_parameters(
    http: aiohttp.ClientSession, server: Server
) -> None:
    async with http.get(signed(server, "noSuchCall", {})) as response:
        failed(await xml(response), "unsupportedRequest")
    for name in ("create", "join", "end", "isMeetingRunning", "getMeetingInfo"):
        failed(await call(http, server, name, {"name": "x"}), "missingParameter")
    failed(await call(http, server, "create", {"meetingID": "x" * 257}), "invalidMeetingIdentifier")
    created = await call(
        http, server, "create", meeting() | {"meetingID": "m-" + secrets.token_hex(4)}
    )
    meeting_id = created.findtext("meetingID") or ""
    failed(
        await call(http, server, "join", {"meetingID": meeting_id, "role": "VIEWER"}),
        "missingParameter",
    )
    failed(
        await call(
            http, server, "join", {"meetingID": meeting_id, "fullName": "A", "password": "no"}
        ),
        "invalidPassword",
    )
    failed(
        await call(http, server, "join", {"meetingID": "unknown-" + meeting_id, "fullName": "A"}),
        "invalidMeetingIdentifier",
    )
    failed(
        await call(http, server, "getMeetingInfo", {"meetingID": "unknown-" + meeting_id}),
        "notFound",
    )
    failed(await call(http, server, "end", {"meetingID": "unknown-" + meeting_id}), "notFound")


async def test_create_by_post_with_a_document_list(
    http: aiohttp.ClientSession, server: Server
) -> None:
    """BBB's POST create: parameters and checksum in the query, the documents as XML."""
    documents = (
        "<modules><module name='presentation'>"
        "<document url='https://lms.example/slides.pdf' filename='slides.pdf'/>"
        "</module></modules>"
    )
    async with http.post(
        signed(server, "create", meeting()),
        data=documents,
        headers={"Content-Type": "application/xml"},
    ) as response:
        root = await xml(response)
    assert root.findtext("returncode") == "SUCCESS"


@pytest.mark.parametrize("algorithm", ["sha256", "sha384", "sha512"])
async def test_newer_digests_and_post_forms(
    http: aiohttp.ClientSession, server: Server, algorithm: str
) -> None:
    params = meeting()
    async with http.get(signed(server, "create", params, algorithm)) as response:
        assert (await xml(response)).findtext("returncode") == "SUCCESS"
    # POST with the parameters (and the checksum over them) in a form-encoded body.
    body = urlencode({"meetingID": params["meetingID"]}, quote_via=quote_plus)
    digest = hashlib.new(algorithm, f"isMeetingRunning{body}{secret_of(server)}".encode())
    async with http.post(
        server.url("/bigbluebutton/api/isMeetingRunning"),
        data=f"{body}&checksum={digest.hexdigest()}",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    ) as response:
        root = await xml(response)
    assert tags(root) == ["returncode", "running"]
    assert root.findtext("running") == "false"


async def test_create_is_idempotent_and_echoes_metadata(
    http: aiohttp.ClientSession, server: Server
) -> None:
    params = meeting() | {"meta_Custom-Key": "v<1>", "meta_bad key": "dropped"}
    first = await call(http, server, "create", params)
    assert tags(first) == CREATE_FIELDS
    assert first.findtext("returncode") == "SUCCESS"
    assert first.findtext("messageKey") == ""
    assert (first.findtext("attendeePW"), first.findtext("moderatorPW")) == ("ap", "mp")
    assert first.findtext("hasUserJoined") == "false"
    second = await call(http, server, "create", params)
    assert second.findtext("returncode") == "SUCCESS"
    assert second.findtext("messageKey") == "duplicateWarning"
    assert second.findtext("internalMeetingID") == first.findtext("internalMeetingID")

    info = await call(http, server, "getMeetingInfo", {"meetingID": params["meetingID"]})
    assert tags(info) == ["returncode", *INFO_FIELDS]
    assert info.findtext("meetingName") == "Algebra & <friends>"
    assert info.findtext("running") == "false"
    metadata = info.find("metadata")
    assert metadata is not None
    assert {m.tag: m.text for m in metadata} == {
        "bbb-context-id": "7",
        "bbb-context-name": "Linear algebra",
        "bbb-origin-server-name": "moodle.example",
        "custom-key": "v<1>",
    }
    listed = await call(http, server, "getMeetings", {})
    assert tags(listed) == ["returncode", "meetings"]
    ours = [m for m in listed.iter("meeting") if m.findtext("meetingID") == params["meetingID"]]
    assert len(ours) == 1
    assert tags(ours[0]) == INFO_FIELDS


async def test_create_join_live_info_end(http: aiohttp.ClientSession, server: Server) -> None:
    params = meeting()
    meeting_id = params["meetingID"]
    await call(http, server, "create", params)
    assert (await call(http, server, "isMeetingRunning", {"meetingID": meeting_id})).findtext(
        "running"
    ) == "false"

    # The teacher follows the join redirect into the web client, logged in by a cookie.
    teacher_id = f"moodle-user-{secrets.token_hex(3)}"
    join = {"meetingID": meeting_id, "fullName": "Dr. Teacher", "userID": teacher_id}
    async with http.get(
        signed(server, "join", join | {"role": "MODERATOR"}), allow_redirects=False
    ) as response:
        assert response.status == 302
        location = response.headers["Location"]
    assert location.startswith("/lectures/")
    lecture_id = int(location.rsplit("/", 1)[1])
    async with http.get(server.url(location)) as response:
        assert response.status == 200
    async with http.get(server.url("/api/v1/me")) as response:
        assert response.status == 200, await response.text()
        me = await response.json()
    assert me["display_name"] == "Dr. Teacher"
    csrf = {c.key: c.value for c in http.cookie_jar}["qou_csrf"]
    async with http.post(
        server.url(f"/api/v1/lectures/{lecture_id}/join"), headers={"X-CSRF-Token": csrf}
    ) as response:
        assert response.status == 200, await response.text()
        joined = await response.json()
    assert joined["role"] == "educator"

    # A student joins with the attendee password (older LMSs) and redirect=false.
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as student:
        answer = await call(
            student,
            server,
            "join",
            {
                "meetingID": meeting_id,
                "fullName": "Stu Dent",
                "password": "ap",
                "redirect": "false",
            },
        )
        assert answer.findtext("returncode") == "SUCCESS"
        assert answer.findtext("messageKey") == "successfullyJoined"
        url = answer.findtext("url") or ""
        async with student.get(url) as response:
            assert response.status == 200
            assert response.url.path == f"/lectures/{lecture_id}"
        async with student.get(server.url("/api/v1/me")) as response:
            assert (await response.json())["display_name"] == "Stu Dent"

    teacher = MediaParticipant("teacher")
    try:
        await teacher.connect(server, joined["token"])
        running = await call(http, server, "isMeetingRunning", {"meetingID": meeting_id})
        assert running.findtext("running") == "true"
        info = await call(http, server, "getMeetingInfo", {"meetingID": meeting_id})
        assert info.findtext("running") == "true"
        assert info.findtext("hasUserJoined") == "true"
        assert info.findtext("participantCount") == "1"
        assert info.findtext("moderatorCount") == "1"
        attendees = list(info.iter("attendee"))
        assert len(attendees) == 1
        assert tags(attendees[0]) == ATTENDEE_FIELDS
        assert attendees[0].findtext("userID") == teacher_id
        assert attendees[0].findtext("fullName") == "Dr. Teacher"
        assert attendees[0].findtext("role") == "MODERATOR"
        assert attendees[0].findtext("isListeningOnly") == "false"  # no media joined yet

        # The teacher's camera and microphone are BBB's video and voice.
        await teacher.media_join()
        published = await teacher.publish(
            [(TestCardTrack(), "camera"), (ToneTrack(), "microphone")]
        )
        assert published["ok"], published
        info = await meeting_info_when(http, server, meeting_id, "videoCount", "1")
        counts = ("voiceParticipantCount", "videoCount", "listenerCount", "participantCount")
        assert [info.findtext(name) for name in counts] == ["1", "1", "0", "1"]
        voice = ("hasJoinedVoice", "hasVideo", "isListeningOnly")
        assert [next(info.iter("attendee")).findtext(name) for name in voice] == [
            "true",
            "true",
            "false",
        ]

        # The same userID joining again is the same account.
        async with http.get(
            signed(server, "join", join | {"role": "MODERATOR", "fullName": "Dr. T"}),
            allow_redirects=False,
        ) as response:
            assert response.status == 302
        async with http.get(server.url("/api/v1/me")) as response:
            assert (await response.json())["id"] == me["id"]

        chat = {"meetingID": meeting_id, "message": "Hello from <Moodle>", "userName": "LMS"}
        sent = await call(http, server, "sendChatMessage", chat)
        assert sent.findtext("returncode") == "SUCCESS", ET.tostring(sent)
        message = await teacher.next("chat:message")
        assert (message["text"], message["from"]["name"]) == ("Hello from <Moodle>", "LMS")
        failed(
            await call(http, server, "sendChatMessage", {"meetingID": meeting_id}),
            "missingParameter",
        )

        ended = await call(http, server, "end", {"meetingID": meeting_id})
        assert tags(ended) == ["returncode", "messageKey", "message"]
        assert ended.findtext("messageKey") == "sentEndMeetingRequest"
        await teacher.next("lecture:ended")
    finally:
        await teacher.leave()
    info = await call(http, server, "getMeetingInfo", {"meetingID": meeting_id})
    assert info.findtext("running") == "false"
    assert info.findtext("hasBeenForciblyEnded") == "true"
    assert info.findtext("endTime") != "0"
    failed(await call(http, server, "end", {"meetingID": meeting_id}), "notFound")
    failed(await call(http, server, "join", join | {"role": "VIEWER"}), "meetingForciblyEnded")
    listed = await call(http, server, "getMeetings", {})
    assert meeting_id not in [m.findtext("meetingID") for m in listed.iter("meeting")]

    # Moodle reuses the meetingID: a create after the end is a new meeting.
    again = await call(http, server, "create", params)
    assert again.findtext("messageKey") == ""
    assert again.findtext("hasBeenForciblyEnded") == "false"


async def meeting_info_when(
    http: aiohttp.ClientSession, server: Server, meeting_id: str, field: str, value: str
) -> ET.Element:
    """getMeetingInfo once ``field`` reads ``value``: media counts follow the media node."""
    for _ in range(100):
        info = await call(http, server, "getMeetingInfo", {"meetingID": meeting_id})
        if info.findtext(field) == value:
            return info
        await asyncio.sleep(0.1)
    raise AssertionError(f"{field} never read {value}: {ET.tostring(info)!r}")


async def test_the_secret_rotates_and_old_checksums_fail(
    http: aiohttp.ClientSession, server: Server
) -> None:
    old_url = signed(server, "getMeetings", {})
    rotated = run_cli("bbb-secret", "--rotate", *server.data_flags).stdout.strip()
    assert rotated != server.extra["bbb_secret"]
    assert len(rotated) == 40
    server.extra["bbb_secret"] = rotated
    async with http.get(old_url) as response:
        failed(await xml(response), "checksumError")
    assert (await call(http, server, "getMeetings", {})).findtext("returncode") == "SUCCESS"
    assert run_cli("bbb-secret", *server.data_flags).stdout.strip() == rotated
    assert rotated not in server.log.read_text()


async def test_the_secret_and_checksums_stay_out_of_the_log(
    http: aiohttp.ClientSession, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """At the most talkative log level, the request log names the API's paths and never the
    query strings that carry checksums and join links' session tokens."""
    debug = start_server(tmp_path_factory.mktemp("bbb-log"), "sqlite", "--log-level", "debug")
    try:
        params = meeting()
        create_url = signed(debug, "create", params)
        await call(http, debug, "create", params)
        join = {"meetingID": params["meetingID"], "fullName": "A", "role": "VIEWER"}
        answer = await call(http, debug, "join", join | {"redirect": "false"})
        token = answer.findtext("session_token") or ""
        async with http.get(answer.findtext("url") or "") as response:
            assert response.status == 200
    finally:
        debug.stop()
    log = debug.log.read_text()
    assert "/bigbluebutton/api/create" in log
    checksum = str(create_url).rsplit("checksum=", 1)[1]
    for secret in (secret_of(debug), checksum, token):
        assert secret and secret not in log
