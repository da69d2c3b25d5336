"""Authority and bad input, over every room event: the matrix the issue asks for."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp

from classroom_server.room import EVENTS
from tests.conftest import Server
from tests.room_client import Participant, join, join_token, live_lecture, quiet, snapshot
from tests.room_payloads import (
    dotted,
    free_text,
    refusals,
    sender_of,
    valid_payloads,
    with_value,
    wrong_types,
)

CONTROLS = ["a\x00b", "bell\x07", "\x1b[31mred", "back\x08", "cr\r", "\x1f"]


# "student", "presenter" (a student the educator promoted), "captioner" (a student the educator
# assigned to caption) or "educator"
Role = str
# The rules, written down independently of the EVENTS table (so a change there is caught),
# and complete: a new event fails the matrix until it is placed here.
EDUCATOR_ONLY = {
    "chat:delete",
    "chat:lock",
    "annotation:lock",
    "room:lock",
    "room:lobby",
    "lobby:admit",
    "lobby:deny",
    "lobby:admit_all",
    "poll:open",
    "poll:close",
    "poll:publish",
    "presenter:set",
    "participant:mute",
    "participant:mute_all",
    "participant:ask_unmute",
    "hand:lower_all",
    "participant:remove",
    "lecture:end",
    "media:invite",
    "media:revoke",
    "recording:start",
    "recording:stop",
    "recording:auto",
    "caption:assign",
    "breakout:start",
    "breakout:move",
    "breakout:broadcast",
    "breakout:end",
}
STUDENT_ONLY = {"hand:raise", "poll:vote", "breakout:choose"}
PRESENTING = {"slides:show", "annotation:clear", "laser:move"}  # educator and presenters
MODERATING = {"hand:lower"}  # someone else's hand: the educator's alone
OPEN = {"chat:send", "annotation:add", "annotation:undo"}  # subject to locks, not to roles
CAPTIONING = {"caption:send"}  # educator and assigned captioners


def refused_code(event: str, role: Role) -> str | None:
    """``forbidden`` when ``role`` may not send ``event`` (with someone else as its target),
    else None."""
    if event in EDUCATOR_ONLY | MODERATING:
        return None if role == "educator" else "forbidden"
    if event in STUDENT_ONLY:
        return "forbidden" if role == "educator" else None
    if event in CAPTIONING:
        return None if role in ("educator", "captioner") else "forbidden"
    return "forbidden" if role in ("student", "captioner") and event in PRESENTING else None


async def test_students_are_refused_every_educator_event_and_nothing_changes(
    http: aiohttp.ClientSession, server: Server
) -> None:
    """The authority matrix over every event and role: a refusal is exactly ``forbidden``, it
    reaches nobody, and the room (roster flags, captioners, media and recording included) is
    unchanged. The captioner's row comes last: the plain student is assigned for it."""
    lecture = await live_lecture(http, server)
    educator = await join(http, server, lecture, "educator")
    alice = await join(http, server, lecture, "student1")
    pat = await join(http, server, lecture, "student2")
    try:
        presenter = {"user_id": pat.user_id, "presenter": True}
        assert (await educator.call("presenter:set", presenter))["ok"]
        assert (await alice.call("hand:raise"))["ok"] and (await pat.call("hand:raise"))["ok"]
        senders = {"student": (alice, pat), "presenter": (pat, alice), "educator": (educator, pat)}
        before = await snapshot(http, server, lecture)
        await quiet(educator, alice, pat)
        everything = EDUCATOR_ONLY | STUDENT_ONLY | PRESENTING | MODERATING | OPEN | CAPTIONING
        assert everything == set(EVENTS)
        refused = await refuse_all(senders)
        twice = 2 * len(EDUCATOR_ONLY | MODERATING)  # student and presenter
        not_captioning = 2 * len(CAPTIONING)
        assert refused == twice + len(STUDENT_ONLY) + len(PRESENTING) + not_captioning
        assert await quiet(educator, alice, pat) == {}, "a refusal reaches nobody"
        assert await snapshot(http, server, lecture) == before

        captioner = {"user_id": alice.user_id, "captioner": True}
        assert (await educator.call("caption:assign", captioner))["ok"]
        before = await snapshot(http, server, lecture)
        assert before["captions"]["captioners"] == [alice.user_id]
        await quiet(educator, alice, pat)
        refused = await refuse_all({"captioner": (alice, pat)})
        assert refused == len(EDUCATOR_ONLY | MODERATING) + len(PRESENTING)
        assert await quiet(educator, alice, pat) == {}, "a refusal reaches nobody"
        assert await snapshot(http, server, lecture) == before
        assert all(p.sio.connected for p in (educator, alice, pat))
    finally:
        for p in (educator, alice, pat):
            await p.leave()


async def refuse_all(senders: dict[Role, tuple[Participant, Participant]]) -> int:
    """Sends each role every event it may not send (valid payloads, aimed at the other
    participant); each must be ``forbidden``. How many were refused."""
    refused = 0
    for role, (sender, other) in senders.items():
        payloads = valid_payloads(sender, other.user_id)
        assert set(payloads) == set(EVENTS), "every event is in the matrix"
        for event in sorted(EVENTS):
            if refused_code(event, role) is None:
                continue
            ack = await sender.call(event, payloads[event])
            assert ack["ok"] is False and ack["error"]["code"] == "forbidden", (role, event)
            refused += 1
    return refused


async def test_a_presenter_presents_but_a_student_does_not(
    http: aiohttp.ClientSession, server: Server
) -> None:
    """What the matrix allows a presenter, a plain student is refused (``locked`` for drawing
    while annotations are locked: the educator may open them to students)."""
    lecture = await live_lecture(http, server)
    educator = await join(http, server, lecture, "educator")
    alice = await join(http, server, lecture, "student1")
    pat = await join(http, server, lecture, "student2")
    try:
        assert alice.state["locks"]["annotations"] is True
        good = valid_payloads(educator, alice.user_id)
        drawing = ["annotation:add", "annotation:undo"]
        for event in [*sorted(PRESENTING), *drawing]:
            code = "forbidden" if event in PRESENTING else "locked"
            assert (await alice.call(event, good[event]))["error"]["code"] == code, event
        presenter = {"user_id": pat.user_id, "presenter": True}
        assert (await educator.call("presenter:set", presenter))["ok"]
        for event in ["slides:show", *drawing, "annotation:clear", "laser:move"]:
            assert refused_code(event, "presenter") is None
            assert (await pat.call(event, good[event]))["ok"], event
        assert (await alice.next("slides:page"))["page"] == good["slides:show"]["page"]
        assert (await alice.next("laser:moved"))["user_id"] == pat.user_id
    finally:
        for p in (educator, alice, pat):
            await p.leave()


async def test_every_event_rejects_malformed_payloads(
    http: aiohttp.ClientSession, server: Server
) -> None:
    lecture = await live_lecture(http, server)
    educator = await join(http, server, lecture, "educator")
    student = await join(http, server, lecture, "student1")
    observer = await join(http, server, lecture, "student2")
    try:
        good = valid_payloads(educator, observer.user_id)
        before = await snapshot(http, server, lecture)
        await quiet(educator, student, observer)
        for event, spec in sorted(EVENTS.items()):
            malformed: list[tuple[Any, str | None]] = [
                ("text", None),
                (42, None),
                ([1, 2], None),
                ({**good[event], "unexpected": True}, "unexpected"),
            ]
            malformed += [
                ({**good[event], key: {"nested": "x" * 5000}}, key) for key in good[event]
            ]
            malformed += list(wrong_types(spec.payload, good[event]))
            for payload, field in malformed:
                ack = await sender_of(event, educator, student).call(event, payload)
                assert ack["ok"] is False and ack["error"]["code"] == "invalid", (event, payload)
                assert field is None or ack["error"]["fields"] == [field], (event, payload, ack)
        assert (await educator.call("no:such:event", {}))["error"]["code"] == "unknown_event"
        assert await quiet(educator, student, observer) == {}, "refusals reach nobody"
        assert await snapshot(http, server, lecture) == before
        assert (await educator.call("chat:send", {"text": "still serving"}))["ok"]
        assert (await observer.next("chat:message"))["text"] == "still serving"
        edge = {"x": 1, "y": 0}  # JSON integers are numbers: what the web client sends at edges
        assert (await educator.call("laser:move", edge))["ok"]
        assert (await observer.next("laser:moved")) == {"user_id": educator.user_id, **edge}
    finally:
        for p in (educator, student, observer):
            await p.leave()


async def test_every_event_refuses_missing_fields_oversize_strings_and_unknown_ids(
    http: aiohttp.ClientSession, server: Server
) -> None:
    """Generated from the payload models: a new event or field is covered by itself."""
    lecture = await live_lecture(http, server)
    educator = await join(http, server, lecture, "educator")
    student = await join(http, server, lecture, "student1")
    observer = await join(http, server, lecture, "student2")
    try:
        good = valid_payloads(educator, observer.user_id)
        cases = list(refusals(good))
        cases += [("laser:move", {"y": 0.5}, "invalid", ["payload"])]  # x and y go together
        fieldless = {e for e, spec in EVENTS.items() if not spec.payload.model_fields}
        assert {event for event, *_ in cases} == set(EVENTS) - fieldless
        assert {("poll:open", "options.0"), ("chat:send", "text"), ("annotation:add", "text")} <= {
            (event, names[0]) for event, _, code, names in cases if names and code == "invalid"
        }
        before = await snapshot(http, server, lecture)
        await quiet(educator, student, observer)
        for event, payload, code, names in cases:
            ack = await sender_of(event, educator, student).call(event, payload)
            assert ack["ok"] is False and ack["error"]["code"] == code, (event, payload, ack)
            assert names is None or ack["error"]["fields"] == names, (event, payload, ack)
        assert await quiet(educator, student, observer) == {}, "refusals reach nobody"
        assert await snapshot(http, server, lecture) == before
    finally:
        for p in (educator, student, observer):
            await p.leave()


RATE_CLASSES = sorted({spec.rate for spec in EVENTS.values()}, key=lambda rate: rate.name)


async def test_a_flood_of_each_rate_class_is_cut_at_its_bound_and_others_are_served(
    http: aiohttp.ClientSession, server: Server
) -> None:
    """Garbage counts too; once a class is spent, every event of it answers rate_limited until
    its window ends, and another user is served meanwhile."""
    lecture = await live_lecture(http, server)
    educator = await join(http, server, lecture, "educator")
    flooder = await join(http, server, lecture, "student1")
    observer = await join(http, server, lecture, "student2")
    try:
        await quiet(observer)  # what joining brought
        for rate in RATE_CLASSES:
            events = [name for name, spec in EVENTS.items() if spec.rate == rate]
            first = await flood(flooder, events[0], 2 * rate.limit + 1)
            assert 0 < first["retry_after"] <= rate.window_seconds, (rate, first)
            await asyncio.sleep(first["retry_after"] + 0.02)  # a fresh window
            burst = [flooder.call(events[0], "garbage", patient=False) for _ in range(rate.limit)]
            burst += [flooder.call(event, "garbage", patient=False) for event in events]
            codes = [ack["error"]["code"] for ack in await asyncio.gather(*burst)]
            assert codes.count("rate_limited") == len(events), (rate, codes)
            assert await quiet(observer) == {}, "a flood reaches nobody"
            ack = await educator.call("chat:send", {"text": f"after the {rate.name} flood"})
            assert ack["ok"], ack
            assert (await observer.next("chat:message"))["text"] == f"after the {rate.name} flood"
    finally:
        for p in (educator, flooder, observer):
            await p.leave()


async def flood(flooder: Participant, event: str, most: int) -> dict[str, Any]:
    """Sends garbage until refused for rate; the refusal's error."""
    for _ in range(most):
        error = (await flooder.call(event, "garbage", patient=False))["error"]
        if error["code"] == "rate_limited":
            return dict(error)
    raise AssertionError(f"{most} {event} events were never rate limited")


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


async def test_an_event_before_joining_is_dropped_and_changes_nothing(
    http: aiohttp.ClientSession, server: Server
) -> None:
    """A raw Engine.IO client sends an event to /classroom before connecting to it. The
    Socket.IO server drops it unacknowledged (it dispatches only for connected clients, and
    on_connect has saved the session by then), so no ``not_joined`` branch is needed."""
    lecture = await live_lecture(http, server)
    observer = await join(http, server, lecture, "student2")
    token = await join_token(http, server, lecture, "student1")
    url = server.base_url.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket"
    try:
        await observer.silence(0.1)
        async with http.ws_connect(url) as ws:
            assert (await ws.receive_str(timeout=5)).startswith("0{")
            await ws.send_str('42/classroom,7["chat:send",{"text":"too early"}]')
            await ws.send_str("40/classroom," + json.dumps({"token": token}))
            before_state = await raw_until(ws, '42/classroom,["room:state"')
            assert not [m for m in before_state if m.startswith("43/classroom,7")], before_state
            await ws.send_str('42/classroom,8["chat:send",{"text":"joined"}]')
            ack = json.loads((await raw_until(ws, "43/classroom,8"))[-1][len("43/classroom,8") :])
            assert ack[0]["ok"] is True and ack[0]["message"]["text"] == "joined"
        assert (await observer.next("chat:message"))["text"] == "joined"
        assert await observer.nothing("chat:message")
    finally:
        await observer.leave()


async def raw_until(ws: aiohttp.ClientWebSocketResponse, prefix: str) -> list[str]:
    """Engine.IO messages up to and including the first that starts with ``prefix``."""
    seen: list[str] = []
    while not seen or not seen[-1].startswith(prefix):
        seen.append(await ws.receive_str(timeout=5))
        if seen[-1] == "2":
            await ws.send_str("3")  # pong
    return seen
