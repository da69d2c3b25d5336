"""The BigBlueButton API's calls, each answering the XML BBB answers for it.

A call is handed the ``Bbb`` parts (database, room store, the broadcaster that reaches live
rooms, the token issuer and cookie settings for the sessions ``join`` opens), the parameters
the checksum covered, and the request. Field names and order follow BBB's documentation
(docs.bigbluebutton.org, API reference), which LMS plugins parse.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from pydantic import ValidationError

from classroom_server.db import BbbHook, CourseRole, Database
from classroom_server.room import Actor, Outcome, RoomBroadcaster, RoomContext, RoomStore, chat
from classroom_server.room.payloads import ChatSend
from classroom_server.security import TokenIssuer
from classroom_server.sessions import open_session
from classroom_server.web_auth import set_session_cookies
from portal_api.bbb.answers import Failed, missing, not_found, success
from portal_api.bbb.documents import Document, Documents, parse_documents
from portal_api.bbb.hooks import (
    Hooks,
    create_hook,
    hooks_of,
    meeting_created,
    user_joined,
)
from portal_api.bbb.meetings import (
    META_NAME,
    CreateRequest,
    Meeting,
    admit,
    create_meeting,
    current_meeting,
    end_meeting,
    external_ids,
    java_date,
    join_role,
    meeting_id_of,
    meetings_in_progress,
    meta_of,
    metadata_of,
    milliseconds,
    system_account,
)
from portal_api.bbb.recordings import (
    Recording,
    find_recordings,
    id_list,
    publish,
    publish_flag,
    record_ids,
    update,
)
from vod.library import remove_video_rows
from vod.storage import VideoStorage

Params = Mapping[str, str]
SESSION_PATH = "/bigbluebutton/session"
XML_BODIES = frozenset({"application/xml", "text/xml"})


@dataclass
class Bbb:
    """What the calls use, handed over by the composition root."""

    database: Database
    store: RoomStore
    tokens: TokenIssuer
    session_lifetime: timedelta
    secure_cookies: bool
    broadcaster: RoomBroadcaster
    videos: VideoStorage
    documents: Documents
    hooks: Hooks


Call = Callable[[Bbb, Params, web.Request], Awaitable[web.StreamResponse]]


def public_origin(bbb: Bbb, request: web.Request) -> str:
    """Where the browser reaches this server, for the absolute URLs an LMS hands on: the
    request's host; https when the server is set up for HTTPS (``QOU_SECURE_COOKIES``), as a
    TLS-terminating proxy in front makes the request itself arrive as http."""
    origin = request.url.origin()
    return str(origin.with_scheme("https") if bbb.secure_cookies else origin)


def room_url(lecture_id: int) -> str:
    return f"/lectures/{lecture_id}"


def _created(meeting: Meeting) -> dict[str, Any]:
    row = meeting.row
    return {
        "meetingID": row.meeting_id,
        "internalMeetingID": meeting.internal_id,
        "parentMeetingID": "bbb-none",
        "attendeePW": row.attendee_pw,
        "moderatorPW": row.moderator_pw,
        "createTime": milliseconds(row.created_at),
        "voiceBridge": row.voice_bridge,
        "dialNumber": row.dial_number,
        "createDate": java_date(row.created_at),
        "hasUserJoined": row.user_joined,
        "duration": row.duration,
        "hasBeenForciblyEnded": row.forcibly_ended,
    }


async def posted_documents(request: web.Request) -> list[Document]:
    """The XML document list a POST carries (none for a GET or a form)."""
    if request.method != "POST" or request.content_type not in XML_BODIES:
        return []
    return parse_documents(await request.read())


async def create(bbb: Bbb, params: Params, request: web.Request) -> web.StreamResponse:
    ask = CreateRequest.of(params)
    documents = await posted_documents(request)
    async with bbb.database.session() as session:
        meeting, existed = await create_meeting(session, ask)
        await session.commit()
        fields = _created(meeting)
        lecture_id = meeting.lecture.id
        created_event = meeting_created(meeting)
    if not existed:
        bbb.documents.add(lecture_id, documents)
        bbb.hooks.emit(ask.meeting_id, created_event, request.host)
    if existed:
        fields["messageKey"] = "duplicateWarning"
        fields["message"] = (
            "This conference was already in existence and may currently be in progress."
        )
    else:
        fields["messageKey"] = ""
        fields["message"] = ""
    return success(fields)


async def join(bbb: Bbb, params: Params, request: web.Request) -> web.StreamResponse:
    """Logs the LMS's user in (a session cookie the web client accepts) and sends them into
    the lecture's room; with ``redirect=false``, answers the URL that does so instead."""
    meeting_id = meeting_id_of(params)
    if not params.get("fullName"):
        raise Failed("missingParameter", "You must specify the parameter fullName.")
    async with bbb.database.session() as session:
        meeting = await current_meeting(session, meeting_id)
        if meeting is None:
            raise Failed(
                "invalidMeetingIdentifier",
                "The meeting ID that you supplied did not match any existing meetings",
            )
        role = join_role(meeting, params)
        user = await admit(session, meeting, params, role)
        issued = await open_session(session, bbb.tokens, user, "session", bbb.session_lifetime)
        await session.commit()
        lecture_id, user_id = meeting.lecture.id, user.id
        internal_id = meeting.internal_id
        joined_event = user_joined(
            meeting,
            params.get("userID") or str(user_id),
            user.display_name,
            role == CourseRole.EDUCATOR,
        )
    bbb.hooks.emit(meeting_id, joined_event, request.host)
    if params.get("redirect", "true").strip().lower() == "false":
        query = urlencode({"sessionToken": issued.token, "lecture": lecture_id})
        return success(
            {
                "messageKey": "successfullyJoined",
                "message": "You have joined successfully.",
                "meeting_id": internal_id,
                "user_id": params.get("userID") or str(user_id),
                "auth_token": issued.jti,
                "session_token": issued.token,
                "guestStatus": "ALLOW",
                "url": f"{public_origin(bbb, request)}{SESSION_PATH}?{query}",
            }
        )
    response = web.HTTPFound(room_url(lecture_id))
    csrf = bbb.tokens.csrf_token(issued.jti)
    set_session_cookies(response, issued.token, csrf, bbb.session_lifetime, bbb.secure_cookies)
    return response


async def is_meeting_running(bbb: Bbb, params: Params, _request: web.Request) -> web.StreamResponse:
    meeting_id = meeting_id_of(params)
    async with bbb.database.session() as session:
        meeting = await current_meeting(session, meeting_id)
    return success({"running": meeting is not None and meeting.running})


async def end(bbb: Bbb, params: Params, _request: web.Request) -> web.StreamResponse:
    """Ends the lecture as the educator's end does: everyone in the room is disconnected."""
    meeting_id = meeting_id_of(params)
    async with bbb.database.session() as session:
        meeting = await current_meeting(session, meeting_id)
        if meeting is None or meeting.ended:
            raise not_found()
        end_meeting(meeting)
        await session.commit()
        lecture_id = meeting.lecture.id
    await bbb.broadcaster.deliver(lecture_id, Outcome(end_room=True).emit("lecture:ended", {}))
    return success(
        {
            "messageKey": "sentEndMeetingRequest",
            "message": "A request to end the meeting was sent.  Please wait a few seconds, and"
            " then use the getMeetingInfo or isMeetingRunning API calls to verify that it was"
            " ended.",
        }
    )


async def _meeting_fields(bbb: Bbb, meeting: Meeting) -> dict[str, Any]:
    """getMeetingInfo's fields (getMeetings lists the same for each meeting)."""
    row, lecture = meeting.row, meeting.lecture
    people = await bbb.store.people(lecture.id) if meeting.running else {}
    presenters = await bbb.store.flagged(lecture.id, "presenter") if people else set()
    media = await bbb.store.media_presence(lecture.id) if people else {}
    voice = {user for user, sources in media.items() if "microphone" in sources}
    video = {user for user, sources in media.items() if "camera" in sources}
    listening = {user for user, sources in media.items() if "receiving" in sources} - voice
    async with bbb.database.session() as session:
        lms_ids = await external_ids(session, list(people))
    attendees = [
        (
            "attendee",
            {
                "userID": lms_ids.get(user_id, str(user_id)),
                "fullName": name,
                "role": "MODERATOR" if role == CourseRole.EDUCATOR.value else "VIEWER",
                "isPresenter": user_id in presenters,
                "isListeningOnly": user_id in listening,
                "hasJoinedVoice": user_id in voice,
                "hasVideo": user_id in video,
                "clientType": "HTML5",
            },
        )
        for user_id, (name, role) in sorted(people.items())
    ]
    moderators = sum(1 for _, (_, role) in people.items() if role == CourseRole.EDUCATOR.value)
    return {
        "meetingName": row.name,
        "meetingID": row.meeting_id,
        "internalMeetingID": meeting.internal_id,
        "createTime": milliseconds(row.created_at),
        "createDate": java_date(row.created_at),
        "voiceBridge": row.voice_bridge,
        "dialNumber": row.dial_number,
        "attendeePW": row.attendee_pw,
        "moderatorPW": row.moderator_pw,
        "running": meeting.running,
        "duration": row.duration,
        "hasUserJoined": row.user_joined,
        "recording": row.record,
        "hasBeenForciblyEnded": row.forcibly_ended,
        "startTime": milliseconds(lecture.started_at),
        "endTime": milliseconds(lecture.ended_at),
        "participantCount": len(people),
        "listenerCount": len(listening & people.keys()),
        "voiceParticipantCount": len(voice & people.keys()),
        "videoCount": len(video & people.keys()),
        "maxUsers": row.max_participants,
        "moderatorCount": moderators,
        "attendees": attendees,
        "metadata": meta_of(meeting),
        "isBreakout": False,
    }


async def get_meeting_info(bbb: Bbb, params: Params, _request: web.Request) -> web.StreamResponse:
    meeting_id = meeting_id_of(params)
    async with bbb.database.session() as session:
        meeting = await current_meeting(session, meeting_id)
    if meeting is None:
        raise not_found()
    return success(await _meeting_fields(bbb, meeting))


async def get_meetings(bbb: Bbb, _params: Params, _request: web.Request) -> web.StreamResponse:
    async with bbb.database.session() as session:
        meetings = await meetings_in_progress(session)
    if not meetings:
        return success(
            {
                "meetings": {},
                "messageKey": "noMeetings",
                "message": "no meetings were found on this server",
            }
        )
    listed = [("meeting", await _meeting_fields(bbb, meeting)) for meeting in meetings]
    return success({"meetings": listed})


async def send_chat_message(bbb: Bbb, params: Params, _request: web.Request) -> web.StreamResponse:
    """A message into the running meeting's public chat, from ``userName`` (default
    "System"), as BBB 2.7's call; it is kept in the chat history like any other."""
    meeting_id = meeting_id_of(params)
    text = params.get("message")
    if not text:
        raise missing("message")
    try:
        payload = ChatSend(text=text)
    except ValidationError:
        raise Failed("invalidMessage", "The message is empty or too long.") from None
    async with bbb.database.session() as session:
        meeting = await current_meeting(session, meeting_id)
        if meeting is None or not meeting.running:
            raise not_found()
        sender = await system_account(session)
        await session.commit()
        actor = Actor(sender.id, (params.get("userName") or "System")[:120], "educator")
        lecture_id = meeting.lecture.id
    context = RoomContext(lecture_id, bbb.database, bbb.store)
    outcome = await chat.send(context, actor, payload)
    await bbb.broadcaster.deliver(lecture_id, outcome)
    return success({"messageKey": "chatMessageSent", "message": "Chat message sent."})


async def insert_document(bbb: Bbb, params: Params, request: web.Request) -> web.StreamResponse:
    """Adds the POSTed documents to the meeting's slides (fetched in the background)."""
    meeting_id = meeting_id_of(params)
    documents = await posted_documents(request)
    if not documents:
        raise missing("document list (an XML body)")
    async with bbb.database.session() as session:
        meeting = await current_meeting(session, meeting_id)
        if meeting is None or meeting.ended:
            raise not_found()
        lecture_id = meeting.lecture.id
    bbb.documents.add(lecture_id, documents)
    return success({"messageKey": "documentInserted", "message": "The documents are being added."})


def _recording_fields(recording: Recording, origin: str) -> dict[str, Any]:
    video, row, lecture = recording.video, recording.meeting, recording.lecture
    minutes = round((video.duration_seconds or 0) / 60)
    formats = [
        ("presentation", f"{origin}/videos/{video.id}"),
        ("video", f"{origin}/vod/{video.id}/download.mp4"),
    ]
    playback = [
        ("format", {"type": kind, "url": url, "processingTime": 0, "length": minutes})
        for kind, url in formats
    ]
    return {
        "recordID": str(video.id),
        "meetingID": row.meeting_id,
        "internalMeetingID": Meeting(row, lecture).internal_id,
        "name": video.title,
        "isBreakout": False,
        "published": recording.published,
        "state": recording.state,
        "startTime": milliseconds(lecture.started_at or row.created_at),
        "endTime": milliseconds(lecture.ended_at or video.created_at),
        "participants": 0,
        "metadata": {
            **{k: v for k, v in row.meta.items() if META_NAME.match(k)},
            "bbb-recording-name": video.title,
            "bbb-recording-description": video.description,
            "bbb-recording-tags": ",".join(video.tags),
        },
        "playback": playback if video.status == "ready" else [],
    }


async def get_recordings(bbb: Bbb, params: Params, request: web.Request) -> web.StreamResponse:
    """Every recording of the meetings named (all meetings' if none), or of the recordIDs."""
    meeting_ids = id_list(params.get("meetingID"))
    given = id_list(params.get("recordID"))
    video_ids = [int(x) for x in given if x.isdigit() and len(x) < 10] if given else None
    async with bbb.database.session() as session:
        found = await find_recordings(session, meeting_ids, video_ids, id_list(params.get("state")))
    if not found:
        return success(
            {
                "recordings": {},
                "messageKey": "noRecordings",
                "message": "There are no recordings for the meeting(s).",
            }
        )
    origin = public_origin(bbb, request)
    return success({"recordings": [("recording", _recording_fields(r, origin)) for r in found]})


async def publish_recordings(bbb: Bbb, params: Params, _request: web.Request) -> web.StreamResponse:
    video_ids = record_ids(params)
    published = publish_flag(params)
    async with bbb.database.session() as session:
        changed = await publish(session, video_ids, published)
        await session.commit()
    if not changed:
        raise Failed("notFound", "We could not find recordings")
    return success({"published": published})


async def delete_recordings(bbb: Bbb, params: Params, _request: web.Request) -> web.StreamResponse:
    """Deletes the videos and their files, as the library's own delete does."""
    video_ids = record_ids(params)
    async with bbb.database.session() as session:
        found = await find_recordings(session, [], video_ids, ["any"])
        for recording in found:
            await remove_video_rows(session, recording.video.id)
        await session.commit()
    if not found:
        raise Failed("notFound", "We could not find recordings")
    for recording in found:
        await bbb.videos.remove(recording.video.id)
    return success({"deleted": True})


async def update_recordings(bbb: Bbb, params: Params, _request: web.Request) -> web.StreamResponse:
    video_ids = record_ids(params)
    async with bbb.database.session() as session:
        changed = await update(session, video_ids, metadata_of(params))
        await session.commit()
    if not changed:
        raise Failed("notFound", "We could not find recordings")
    return success({"updated": True})


async def hooks_create(bbb: Bbb, params: Params, _request: web.Request) -> web.StreamResponse:
    async with bbb.database.session() as session:
        hook, existed = await create_hook(session, params)
        await session.commit()
        if existed:
            return success(
                {
                    "hookID": hook.id,
                    "messageKey": "duplicateWarning",
                    "message": "There is already a hook for this callback URL.",
                }
            )
        return success({"hookID": hook.id, "permanentHook": False, "rawData": hook.raw})


async def hooks_destroy(bbb: Bbb, params: Params, _request: web.Request) -> web.StreamResponse:
    hook_id = params.get("hookID", "")
    if not hook_id:
        raise Failed("missingParamHookID", "You must specify a hookID in the parameters.")
    async with bbb.database.session() as session:
        hook = (
            await session.get(BbbHook, int(hook_id))
            if hook_id.isdigit() and len(hook_id) < 10
            else None
        )
        if hook is None:
            raise Failed("destroyMissingHook", "The hook informed was not found.")
        await session.delete(hook)
        await session.commit()
    return success({"removed": True})


async def hooks_list(bbb: Bbb, params: Params, _request: web.Request) -> web.StreamResponse:
    async with bbb.database.session() as session:
        hooks = await hooks_of(session, params.get("meetingID") or None)
    listed = []
    for hook in hooks:
        fields: dict[str, Any] = {"hookID": hook.id, "callbackURL": hook.callback_url}
        if hook.meeting_id is not None:
            fields["meetingID"] = hook.meeting_id
        fields |= {"permanentHook": False, "rawData": hook.raw}
        listed.append(("hook", fields))
    return success({"hooks": listed})
