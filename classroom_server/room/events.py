"""The table of client → server room events: payload model, who may send it, rate class.

The signaling layer dispatches through this table only, so an event cannot exist without a
validated payload, an authorization rule and a rate limit. An event marked ``media`` changes
what the SFU may forward (``media_policy``): the live media is reconciled after it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

from classroom_server.room import (
    breakout,
    captions,
    chat,
    drawing,
    hands,
    lobby,
    locks,
    media_policy,
    participants,
    polls,
    recording,
    slides,
)
from classroom_server.room.context import Actor, RoomContext
from classroom_server.room.outcome import Outcome
from classroom_server.room.payloads import (
    AnnotationAdd,
    BreakoutBroadcast,
    BreakoutChoose,
    BreakoutMove,
    BreakoutStart,
    ById,
    CaptionAssign,
    CaptionSend,
    ChatSend,
    Empty,
    HandLower,
    LaserMove,
    LobbySet,
    Lock,
    MuteAll,
    MuteSet,
    Payload,
    PollOpen,
    PollRef,
    PollVote,
    PresenterSet,
    RecordingAuto,
    SlideShow,
    UserRef,
)

Who = Literal["anyone", "educator", "student"]
Operation = Callable[[RoomContext, Actor, Any], Awaitable[Outcome]]


@dataclass(frozen=True)
class RateClass:
    name: str
    limit: int
    window_seconds: int


CHAT = RateClass("chat", 5, 5)
DRAW = RateClass("draw", 20, 1)
LASER = RateClass("laser", 30, 1)
OTHER = RateClass("other", 10, 1)
CAPTION = RateClass("caption", 8, 1)  # typing previews: the client sends at most 4 a second


@dataclass(frozen=True)
class RoomEvent:
    payload: type[Payload]
    operation: Operation
    who: Who
    rate: RateClass = OTHER
    media: bool = False


EVENTS: dict[str, RoomEvent] = {
    "chat:send": RoomEvent(ChatSend, chat.send, "anyone", CHAT),
    "chat:delete": RoomEvent(ById, chat.delete, "educator"),
    "chat:lock": RoomEvent(Lock, locks.lock_chat, "educator"),
    "hand:raise": RoomEvent(Empty, hands.raise_hand, "student"),
    "hand:lower": RoomEvent(HandLower, hands.lower_hand, "anyone"),
    "hand:lower_all": RoomEvent(Empty, hands.lower_all, "educator"),
    "slides:show": RoomEvent(SlideShow, slides.show, "anyone"),
    "annotation:add": RoomEvent(AnnotationAdd, drawing.add, "anyone", DRAW),
    "annotation:undo": RoomEvent(Empty, drawing.undo, "anyone", DRAW),
    "annotation:clear": RoomEvent(Empty, drawing.clear, "anyone"),
    "annotation:lock": RoomEvent(Lock, locks.lock_annotations, "educator"),
    "room:lock": RoomEvent(Lock, locks.lock_room, "educator"),
    "room:lobby": RoomEvent(LobbySet, lobby.set_lobby, "educator"),
    "lobby:admit": RoomEvent(UserRef, lobby.admit, "educator"),
    "lobby:deny": RoomEvent(UserRef, lobby.deny, "educator"),
    "lobby:admit_all": RoomEvent(Empty, lobby.admit_all, "educator"),
    "laser:move": RoomEvent(LaserMove, drawing.laser, "anyone", LASER),
    "poll:open": RoomEvent(PollOpen, polls.open_poll, "educator"),
    "poll:vote": RoomEvent(PollVote, polls.vote, "student"),
    "poll:close": RoomEvent(PollRef, polls.close, "educator"),
    "poll:publish": RoomEvent(PollRef, polls.publish, "educator"),
    "presenter:set": RoomEvent(PresenterSet, participants.set_presenter, "educator", media=True),
    "participant:mute": RoomEvent(MuteSet, participants.mute, "educator", media=True),
    "participant:mute_all": RoomEvent(MuteAll, participants.mute_all, "educator", media=True),
    "participant:ask_unmute": RoomEvent(UserRef, participants.ask_unmute, "educator", media=True),
    "participant:remove": RoomEvent(UserRef, participants.remove, "educator"),
    "lecture:end": RoomEvent(Empty, participants.end, "educator"),
    "media:invite": RoomEvent(UserRef, media_policy.invite, "educator", media=True),
    "media:revoke": RoomEvent(UserRef, media_policy.revoke, "educator", media=True),
    "recording:start": RoomEvent(Empty, recording.start, "educator"),
    "recording:stop": RoomEvent(Empty, recording.stop, "educator"),
    "recording:auto": RoomEvent(RecordingAuto, recording.automatic, "educator"),
    "caption:assign": RoomEvent(CaptionAssign, captions.assign, "educator"),
    # Educators and assigned captioners: the rule asks its caption source (caption_source).
    "caption:send": RoomEvent(CaptionSend, captions.send, "anyone", CAPTION),
    "breakout:start": RoomEvent(BreakoutStart, breakout.start, "educator"),
    "breakout:choose": RoomEvent(BreakoutChoose, breakout.choose, "student"),
    "breakout:move": RoomEvent(BreakoutMove, breakout.move, "educator"),
    "breakout:broadcast": RoomEvent(BreakoutBroadcast, breakout.broadcast, "educator"),
    "breakout:end": RoomEvent(Empty, breakout.end, "educator"),
}
