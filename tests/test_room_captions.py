"""Live captions: the educator assigns captioners, who send lines (previews updated in place,
final lines kept); everyone else is refused, and a (re)joining viewer sees who captions and
the last lines. The caption source seam is exercised with a machine source."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import aiohttp

from classroom_server.room import captions
from classroom_server.room.caption_source import CaptionText, SourceKind
from classroom_server.room.context import RoomContext
from classroom_server.room.outcome import RoomError
from tests.conftest import Server
from tests.room_client import join, live_lecture
from tests.room_domain import live_lecture_context

ARABIC = "مرحبا بكم في المحاضرة"


async def test_an_assigned_student_captions_and_everyone_sees_it(
    http: aiohttp.ClientSession, server: Server
) -> None:
    lecture = await live_lecture(http, server)
    educator = await join(http, server, lecture, "educator")
    alice = await join(http, server, lecture, "student1")
    bob = await join(http, server, lecture, "student2")
    try:
        assert alice.state["captions"] == {"captioners": [], "lines": []}
        line = {"text": ARABIC, "lang": "ar"}
        assert (await alice.call("caption:send", line))["error"]["code"] == "forbidden"

        ack = await educator.call("caption:assign", {"user_id": alice.user_id, "captioner": True})
        assert ack == {"ok": True, "user_ids": [alice.user_id]}
        assert (await bob.next("caption:captioners")) == {"user_ids": [alice.user_id]}

        preview = {"text": "مرحبا", "final": False, "lang": "ar"}
        assert (await alice.call("caption:send", preview)) == {"ok": True}
        shown = await bob.next("caption:preview")
        assert (shown["user_id"], shown["name"], shown["text"]) == (alice.user_id, "Lina Saleh",
                                                                     "مرحبا")  # fmt: skip
        assert (shown["source"], shown["lang"]) == ("captioner", "ar")

        ack = await alice.call("caption:send", line)
        said = await bob.next("caption:line")
        assert ack["ok"] and ack["line"] == said
        assert (said["text"], said["lang"], said["user_id"]) == (ARABIC, "ar", alice.user_id)
        assert said["source"] == "captioner" and said["id"] >= 1 and said["at"]

        assert (await bob.call("caption:send", line))["error"]["code"] == "forbidden"
        plain = await educator.call("caption:send", {"text": "The educator captions unasked"})
        assert plain["ok"] and plain["line"]["lang"] is None
        assert (await bob.next("caption:line")) == plain["line"]

        alice.drain("caption:captioners")
        unassign = {"user_id": alice.user_id, "captioner": False}
        assert (await educator.call("caption:assign", unassign))["user_ids"] == []
        assert (await alice.next("caption:captioners")) == {"user_ids": []}
        assert (await alice.call("caption:send", line))["error"]["code"] == "forbidden"
        assert await bob.nothing("caption:line")
    finally:
        for p in (educator, alice, bob):
            await p.leave()


async def test_a_rejoining_viewer_gets_the_captioners_and_the_last_lines(
    http: aiohttp.ClientSession, server: Server
) -> None:
    lecture = await live_lecture(http, server)
    educator = await join(http, server, lecture, "educator")
    alice = await join(http, server, lecture, "student1")
    try:
        assert (await educator.call("caption:assign", {"user_id": alice.user_id,
                                                        "captioner": True}))["ok"]  # fmt: skip
        for n in range(1, captions.KEPT_LINES + 3):
            assert (await alice.call("caption:send", {"text": f"line {n}"}))["ok"]
        assert (await alice.call("caption:send", {"text": "typing", "final": False}))["ok"]
        late = await join(http, server, lecture, "student2")
        state = late.state["captions"]
        assert state["captioners"] == [alice.user_id]
        wanted = [f"line {n}" for n in range(3, captions.KEPT_LINES + 3)]
        assert [line["text"] for line in state["lines"]] == wanted, "the last few, oldest first"
        assert {line["name"] for line in state["lines"]} == {"Lina Saleh"}
        await late.leave()
        assert alice.state["you"]["role"] == "student"
    finally:
        await educator.leave()
        await alice.leave()


async def test_bounds_and_who_may_be_assigned(http: aiohttp.ClientSession, server: Server) -> None:
    lecture = await live_lecture(http, server)
    educator = await join(http, server, lecture, "educator")
    watcher = await join(http, server, lecture, "student1")
    try:
        refused = [
            ({"text": "x" * 501}, ["text"]),
            ({"text": "   "}, ["payload"]),  # a final line says something
            ({"text": "hi", "lang": "not a tag"}, ["lang"]),
            ({"text": "hi", "lang": "a"}, ["lang"]),
            ({"text": "hi", "final": "yes"}, ["final"]),
        ]
        for payload, names in refused:
            ack = await educator.call("caption:send", payload)
            assert ack["error"]["code"] == "invalid" and ack["error"]["fields"] == names, payload
        assert (await educator.call("caption:send", {"text": "x" * 500, "lang": "ar-JO"}))["ok"]
        assert (await watcher.next("caption:line"))["lang"] == "ar-JO"
        cleared = await educator.call("caption:send", {"text": "", "final": False})
        assert cleared["ok"], "an emptied box clears the preview"
        assert (await watcher.next("caption:preview"))["text"] == ""

        myself = {"user_id": educator.user_id, "captioner": True}
        assert (await educator.call("caption:assign", myself))["error"]["code"] == "invalid"
        assert (await watcher.call("caption:assign", {"user_id": watcher.user_id,
                                                       "captioner": True}))["error"][
            "code"
        ] == "forbidden"  # fmt: skip
        assert watcher.state["captions"]["captioners"] == []
    finally:
        await educator.leave()
        await watcher.leave()


@dataclass(frozen=True)
class Recogniser:
    """A speech recogniser as a caption source: no person behind it."""

    allowed: bool = True
    kind: SourceKind = "asr"
    user_id: int | None = None
    name: str | None = "Automatic captions"

    async def authorize(self, ctx: RoomContext) -> None:
        if not self.allowed:
            raise RoomError("forbidden", "automatic captions are off")


async def test_a_machine_source_feeds_the_same_path(tmp_path: Path) -> None:
    """The seam for speech recognition: its lines are stored and broadcast like a person's."""
    async with live_lecture_context(tmp_path) as ctx:
        outcome = await captions.publish(ctx, Recogniser(), CaptionText("السلام عليكم", lang="ar"))
        (emit,) = outcome.emits
        assert (emit.event, emit.to.kind) == ("caption:line", "room")
        assert emit.data["source"] == "asr" and emit.data["user_id"] is None
        assert emit.data["name"] == "Automatic captions"
        preview = await captions.publish(ctx, Recogniser(), CaptionText("الس", final=False))
        assert [e.event for e in preview.emits] == ["caption:preview"]
        try:
            await captions.publish(ctx, Recogniser(allowed=False), CaptionText("no"))
        except RoomError as refused:
            assert refused.code == "forbidden"
        else:
            raise AssertionError("a source that may not caption was heard")
        lines = (await captions.state(ctx))["lines"]
        assert [(line["text"], line["source"], line["lang"]) for line in lines] == [
            ("السلام عليكم", "asr", "ar")
        ]
