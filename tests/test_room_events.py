"""Authority and bad input, over every room event: the matrix the issue asks for."""

from __future__ import annotations

from typing import Any

import aiohttp

from classroom_server.room import EVENTS
from tests.conftest import Server
from tests.room_client import Participant, join, live_lecture
from tests.room_payloads import dotted, free_text, with_value

CONTROLS = ["a\x00b", "bell\x07", "\x1b[31mred", "back\x08", "cr\r", "\x1f"]


def valid_payloads(room: Participant, other_user: int) -> dict[str, Any]:
    """A well-formed payload for every event, so only authority can refuse it."""
    board = room.state["slide"]["deck_id"]
    return {
        "chat:send": {"text": "hello"},
        "chat:delete": {"id": 1},
        "chat:lock": {"locked": True},
        "hand:raise": {},
        "hand:lower": {"user_id": other_user},
        "slides:show": {"deck_id": board, "page": 2},
        "annotation:add": {
            "kind": "text",
            "points": [[0.5, 0.5]],
            "color": "#000000",
            "width": 0.01,
            "text": "note",
        },
        "annotation:undo": {},
        "annotation:clear": {},
        "annotation:lock": {"locked": False},
        "laser:move": {"x": 0.5, "y": 0.5},
        "poll:open": {"question": "Q", "options": ["a", "b"]},
        "poll:vote": {"poll_id": 1, "choices": [0]},
        "poll:close": {"poll_id": 1},
        "poll:publish": {"poll_id": 1},
        "presenter:set": {"user_id": other_user, "presenter": True},
        "participant:mute": {"user_id": other_user, "muted": True},
        "participant:remove": {"user_id": other_user},
        "lecture:end": {},
        "media:invite": {"user_id": other_user},
        "media:revoke": {"user_id": other_user},
        "recording:start": {},
        "recording:stop": {},
        "recording:auto": {"enabled": True},
    }


STUDENT_FORBIDDEN = {name for name, spec in EVENTS.items() if spec.who == "educator"} | {
    "hand:lower",
    "slides:show",
    "annotation:clear",
    "laser:move",
}
EDUCATOR_FORBIDDEN = {name for name, spec in EVENTS.items() if spec.who == "student"}


def durable(state: dict[str, Any]) -> dict[str, Any]:
    return {
        k: state[k]
        for k in ("lecture", "slide", "annotations", "chat", "hands", "poll", "locks", "decks")
    }


async def test_students_are_refused_every_educator_event_and_nothing_changes(
    http: aiohttp.ClientSession, server: Server
) -> None:
    lecture = await live_lecture(http, server)
    educator = await join(http, server, lecture, "educator")
    alice = await join(http, server, lecture, "student1")
    bob = await join(http, server, lecture, "student2")
    try:
        assert (await bob.call("hand:raise"))["ok"]
        before = durable((await join(http, server, lecture, "student3")).state)
        payloads = valid_payloads(alice, bob.user_id)
        assert set(payloads) == set(EVENTS), "every event is in the matrix"
        for event in sorted(STUDENT_FORBIDDEN):
            ack = await alice.call(event, payloads[event])
            assert ack == {"ok": False, "error": ack["error"]} and ack["error"]["code"] in (
                "forbidden",
                "locked",
            ), (event, ack)
        for event in sorted(EDUCATOR_FORBIDDEN):
            assert (await educator.call(event, payloads[event]))["error"]["code"] == "forbidden"
        after = durable((await join(http, server, lecture, "student3")).state)
        assert after == before
        assert bob.sio.connected and alice.sio.connected
    finally:
        for p in (educator, alice, bob):
            await p.leave()


async def test_every_event_rejects_malformed_payloads(
    http: aiohttp.ClientSession, server: Server
) -> None:
    lecture = await live_lecture(http, server)
    educator = await join(http, server, lecture, "educator")
    watcher = await join(http, server, lecture, "student1")
    try:
        good = valid_payloads(educator, watcher.user_id)
        for event in sorted(EVENTS):
            malformed = ["text", 42, [1, 2], {**good[event], "unexpected": True}]
            malformed += [{**good[event], key: {"nested": "x" * 5000}} for key in good[event]]
            sender = watcher if EVENTS[event].who == "student" else educator
            for payload in malformed:
                ack = await sender.call(event, payload)
                assert ack["ok"] is False and ack["error"]["code"] == "invalid", (event, payload)
        assert (await educator.call("no:such:event", {}))["error"]["code"] == "unknown_event"
        assert (await educator.call("chat:send", {"text": "still serving"}))["ok"]
        assert (await watcher.next("chat:message"))["text"] == "still serving"
    finally:
        await educator.leave()
        await watcher.leave()


async def test_floods_are_rate_limited_without_harming_others(
    http: aiohttp.ClientSession, server: Server
) -> None:
    lecture = await live_lecture(http, server)
    educator = await join(http, server, lecture, "educator")
    flooder = await join(http, server, lecture, "student1")
    try:
        codes = [
            (await flooder.call("hand:lower", patient=False)).get("error", {}).get("code")
            for _ in range(15)
        ]
        assert "rate_limited" in codes
        assert (await educator.call("chat:send", {"text": "unaffected"}))["ok"]
    finally:
        await educator.leave()
        await flooder.leave()


def sender_of(event: str, educator: Participant, student: Participant) -> Participant:
    """Who may send ``event``, so that only the payload can be wrong."""
    return student if EVENTS[event].who == "student" else educator


async def test_control_characters_in_free_text_are_invalid(
    http: aiohttp.ClientSession, server: Server
) -> None:
    """PostgreSQL refuses NUL in text: it must never get that far (it answered internal_error)."""
    lecture = await live_lecture(http, server)
    educator = await join(http, server, lecture, "educator")
    watcher = await join(http, server, lecture, "student1")
    try:
        good = valid_payloads(educator, watcher.user_id)
        checked = set()
        await watcher.silence(0.1)
        for event, spec in EVENTS.items():
            for path, _ in free_text(spec.payload):
                checked.add((event, dotted(path)))
                for bad in CONTROLS:
                    payload = with_value(good[event], path, bad)
                    ack = await sender_of(event, educator, watcher).call(event, payload)
                    assert ack["ok"] is False, (event, payload, ack)
                    assert ack["error"]["code"] == "invalid", (event, payload, ack)
                    assert ack["error"]["fields"] == [dotted(path)], (event, payload, ack)
        assert {"chat:send text", "poll:open question", "poll:open options.0"} <= {
            f"{e} {p}" for e, p in checked
        } and ("annotation:add", "text") in checked
        assert await watcher.silence() == {}, "a refused payload reaches nobody"
        ack = await educator.call("chat:send", {"text": "two\nlines\tand a tab"})
        assert ack["ok"], ack
        assert (await watcher.next("chat:message"))["text"] == "two\nlines\tand a tab"
    finally:
        await educator.leave()
        await watcher.leave()
