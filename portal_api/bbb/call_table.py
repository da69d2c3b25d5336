"""Every BBB API call this server answers, by the name in its URL (``hooks/create`` for
bbb-webhooks' calls): the one place that knows all the call modules."""

from __future__ import annotations

from portal_api.bbb.calls import (
    Call,
    create,
    delete_recordings,
    end,
    get_meeting_info,
    get_meetings,
    get_recordings,
    hooks_create,
    hooks_destroy,
    hooks_list,
    insert_document,
    is_meeting_running,
    join,
    publish_recordings,
    send_chat_message,
    update_recordings,
)
from portal_api.bbb.text_tracks import get_text_tracks, put_text_track

CALLS: dict[str, Call] = {
    "create": create,
    "join": join,
    "isMeetingRunning": is_meeting_running,
    "end": end,
    "getMeetingInfo": get_meeting_info,
    "getMeetings": get_meetings,
    "sendChatMessage": send_chat_message,
    "insertDocument": insert_document,
    "getRecordings": get_recordings,
    "publishRecordings": publish_recordings,
    "deleteRecordings": delete_recordings,
    "updateRecordings": update_recordings,
    "hooks/create": hooks_create,
    "hooks/destroy": hooks_destroy,
    "hooks/list": hooks_list,
    "getRecordingTextTracks": get_text_tracks,
    "putRecordingTextTrack": put_text_track,
}
