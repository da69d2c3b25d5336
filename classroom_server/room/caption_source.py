"""The seam between what produces caption lines and the room that shows and keeps them.

A caption source is anything that puts lines into a lecture's captions: today a person
typing (``HumanCaptioner``: the educator, or a student the educator assigned), later a speech
recogniser listening to the lecture's audio. Every source goes through ``captions.publish``,
so a machine's lines are stored, broadcast, recorded into the timeline and turned into the
video's WebVTT track exactly like a person's. A source only says who it is and whether it may
caption now; the room does the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from classroom_server.room.context import Actor, RoomContext
from classroom_server.room.outcome import RoomError

SourceKind = Literal["captioner", "asr"]


@dataclass(frozen=True)
class CaptionText:
    """One line from a source: ``final`` lines are kept, others are a preview updated in place."""

    text: str
    final: bool = True
    lang: str | None = None


class CaptionSource(Protocol):
    @property
    def kind(self) -> SourceKind: ...

    @property
    def user_id(self) -> int | None:
        """The person captioning; None for a machine."""

    @property
    def name(self) -> str | None: ...

    async def authorize(self, ctx: RoomContext) -> None:
        """Raises ``RoomError`` when this source may not caption the room now."""


@dataclass(frozen=True)
class HumanCaptioner:
    """A participant typing captions: the educator, or a student assigned as captioner."""

    actor: Actor
    kind: SourceKind = "captioner"

    @property
    def user_id(self) -> int | None:
        return self.actor.user_id

    @property
    def name(self) -> str | None:
        return self.actor.name

    async def authorize(self, ctx: RoomContext) -> None:
        if self.actor.is_educator:
            return
        if self.actor.user_id not in await ctx.store.flagged(ctx.lecture_id, "captioner"):
            raise RoomError("forbidden", "only the educator or an assigned captioner captions")
