"""Validated shapes of every client → server room event (the edge of the live room)."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    model_validator,
)

# Ids are PostgreSQL ``integer`` columns: a larger one would fail in the database
# (internal_error) instead of being refused here (invalid).
ID_MAX = 2**31 - 1
Id = Annotated[StrictInt, Field(ge=1, le=ID_MAX)]
# Strict: a JSON number (an int such as 0 or 1 too, as the web client sends), never a boolean
# or a numeric string.
Coordinate = Annotated[StrictFloat, Field(ge=0.0, le=1.0, allow_inf_nan=False)]
Point = tuple[Coordinate, Coordinate]
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")


def _printable(text: str) -> str:
    """PostgreSQL refuses NUL in text, and no other C0 control belongs in a message either:
    refused here as ``invalid`` rather than failing in the database as ``internal_error``."""
    if CONTROL.search(text):
        raise ValueError("control characters other than newline and tab are not allowed")
    return text


# Free text a person typed: bounded, and no control characters but newline and tab.
Printable = AfterValidator(_printable)
ChatText = Annotated[str, Field(max_length=2000), Printable]
NoteText = Annotated[str, Field(min_length=1, max_length=500), Printable]
Question = Annotated[str, Field(min_length=1, max_length=300), Printable]
Option = Annotated[str, Field(min_length=1, max_length=100), Printable]


class Payload(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False)


class Empty(Payload):
    pass


class ChatSend(Payload):
    text: ChatText
    to: Id | None = None

    @model_validator(mode="after")
    def _not_blank(self) -> ChatSend:
        if not self.text.strip():
            raise ValueError("text must not be empty")
        return self


class ById(Payload):
    id: Id


class Lock(Payload):
    locked: StrictBool


class HandLower(Payload):
    user_id: Id | None = None


class SlideShow(Payload):
    deck_id: Id
    page: Annotated[StrictInt, Field(ge=1, le=500)]


class AnnotationAdd(Payload):
    kind: Literal["pen", "highlighter", "line", "rectangle", "text"]
    points: Annotated[list[Point], Field(min_length=1, max_length=2000)]
    color: Annotated[str, Field(pattern=r"^#[0-9a-fA-F]{6}$")]
    width: Annotated[StrictFloat, Field(ge=0.0005, le=0.05, allow_inf_nan=False)]
    text: NoteText | None = None

    @model_validator(mode="after")
    def _shape_fits_kind(self) -> AnnotationAdd:
        if self.kind in ("line", "rectangle") and len(self.points) != 2:
            raise ValueError(f"a {self.kind} has exactly 2 points")
        if (self.kind == "text") != (self.text is not None):
            raise ValueError("text goes with kind=text, and only with it")
        return self


class LaserMove(Payload):
    x: Coordinate | None = None
    y: Coordinate | None = None
    hide: StrictBool = False

    @model_validator(mode="after")
    def _position_or_hide(self) -> LaserMove:
        if not self.hide and (self.x is None or self.y is None):
            raise ValueError("give x and y, or hide=true")
        return self


class PollOpen(Payload):
    question: Question
    options: Annotated[list[Option], Field(min_length=2, max_length=10)]
    multiple: StrictBool = False


class PollVote(Payload):
    poll_id: Id
    choices: Annotated[
        list[Annotated[StrictInt, Field(ge=0, le=9)]], Field(min_length=1, max_length=10)
    ]


class PollRef(Payload):
    poll_id: Id


class PresenterSet(Payload):
    user_id: Id
    presenter: StrictBool


class MuteSet(Payload):
    user_id: Id
    muted: StrictBool


class MuteAll(Payload):
    muted: StrictBool
    except_presenters: StrictBool = False


class UserRef(Payload):
    user_id: Id


class RecordingAuto(Payload):
    enabled: StrictBool


class LobbySet(Payload):
    enabled: StrictBool


# A caption line is one spoken sentence or so: a typing preview may be empty (the box cleared).
CaptionText = Annotated[str, Field(max_length=500), Printable]
# A BCP 47 tag such as "ar", "en" or "ar-JO".
LanguageTag = Annotated[str, Field(max_length=35, pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")]


class CaptionAssign(Payload):
    user_id: Id
    captioner: StrictBool


class CaptionSend(Payload):
    text: CaptionText
    final: StrictBool = True
    lang: LanguageTag | None = None

    @model_validator(mode="after")
    def _final_not_blank(self) -> CaptionSend:
        if self.final and not self.text.strip():
            raise ValueError("a final caption line must not be empty")
        return self


# Breakout rooms (``room.breakout``): bounded groups, names and durations.
MAX_GROUPS = 50
MAX_GROUP_SIZE = 500
GroupName = Annotated[str, Field(min_length=1, max_length=60), Printable]
GroupNumber = Annotated[StrictInt, Field(ge=1, le=MAX_GROUPS)]


class BreakoutGroupPlan(Payload):
    name: GroupName
    user_ids: Annotated[list[Id], Field(max_length=MAX_GROUP_SIZE)]


def check_groups(groups: list[BreakoutGroupPlan]) -> None:
    """Names are unique and nobody is in two groups (a prepared plan is checked the same)."""
    names = [g.name.strip().casefold() for g in groups]
    if len(set(names)) != len(names) or not all(names):
        raise ValueError("group names must be distinct and not blank")
    members = [user for g in groups for user in g.user_ids]
    if len(set(members)) != len(members):
        raise ValueError("a student is in one group only")


class BreakoutStart(Payload):
    """``assigned``: the groups given; ``random``: the present students dealt into ``count``
    groups; ``choose``: ``count`` empty groups the students pick; ``plan``: the prepared one."""

    mode: Literal["assigned", "random", "choose", "plan"]
    minutes: Annotated[StrictInt, Field(ge=1, le=240)]
    count: GroupNumber | None = None
    groups: Annotated[list[BreakoutGroupPlan], Field(max_length=MAX_GROUPS)] = []
    record: StrictBool = False

    @model_validator(mode="after")
    def _fits_mode(self) -> BreakoutStart:
        if self.mode == "assigned" and not self.groups:
            raise ValueError("assigned groups need groups")
        if self.mode in ("random", "choose") and self.count is None:
            raise ValueError(f"{self.mode} groups need a count")
        check_groups(self.groups)
        return self


class BreakoutChoose(Payload):
    group: GroupNumber


class BreakoutMove(Payload):
    user_id: Id
    group: GroupNumber


class BreakoutBroadcast(Payload):
    text: Annotated[str, Field(min_length=1, max_length=500), Printable]
