"""Chat in the live room: public, private, deletion, locks, limits, persistence."""

from __future__ import annotations

import aiohttp

from tests.conftest import Server
from tests.room_client import join, live_lecture


async def test_public_and_private_messages_reach_the_right_people(
    http: aiohttp.ClientSession, server: Server
) -> None:
    lecture = await live_lecture(http, server)
    educator = await join(http, server, lecture, "educator")
    alice = await join(http, server, lecture, "student1")
    bob = await join(http, server, lecture, "student2")
    try:
        ack = await alice.call("chat:send", {"text": "<b>hi</b> all"})
        assert ack["ok"] and ack["message"]["text"] == "<b>hi</b> all"
        for p in (educator, alice, bob):
            assert (await p.next("chat:message"))["text"] == "<b>hi</b> all"

        ack = await alice.call("chat:send", {"text": "a private question", "to": educator.user_id})
        assert ack["ok"] and ack["message"]["to"]["id"] == educator.user_id
        assert (await educator.next("chat:message"))["text"] == "a private question"
        assert (await alice.next("chat:message"))["text"] == "a private question"
        assert await bob.nothing("chat:message")

        denied = await alice.call("chat:send", {"text": "psst", "to": bob.user_id})
        assert denied["error"]["code"] == "forbidden"
        reply = await educator.call("chat:send", {"text": "answer", "to": alice.user_id})
        assert reply["ok"]
        assert await bob.nothing("chat:message", 0.2)

        late = await join(http, server, lecture, "student2")
        texts = [m["text"] for m in late.state["chat"]]
        assert texts == ["<b>hi</b> all"]
        mine = [m["text"] for m in (await join(http, server, lecture, "student1")).state["chat"]]
        assert mine == ["<b>hi</b> all", "a private question", "answer"]
    finally:
        for p in (educator, alice, bob):
            await p.leave()


async def test_lock_delete_and_limits(http: aiohttp.ClientSession, server: Server) -> None:
    lecture = await live_lecture(http, server)
    educator = await join(http, server, lecture, "educator")
    alice = await join(http, server, lecture, "student1")
    try:
        sent = await alice.call("chat:send", {"text": "oops"})
        assert (await educator.call("chat:delete", {"id": sent["message"]["id"]}))["ok"]
        assert (await alice.next("chat:deleted"))["id"] == sent["message"]["id"]
        assert (await educator.call("chat:delete", {"id": sent["message"]["id"]}))["error"][
            "code"
        ] == "not_found"

        assert (await educator.call("chat:lock", {"locked": True}))["ok"]
        assert (await alice.next("room:locks")) == {
            "chat": True,
            "annotations": True,
            "room": False,
        }
        locked = await alice.call("chat:send", {"text": "let me speak"})
        assert locked["error"]["code"] == "locked"
        assert (await alice.call("chat:send", {"text": "q", "to": educator.user_id}))["ok"]
        assert (await educator.call("chat:send", {"text": "quiet please"}))["ok"]

        for bad in (
            {"text": ""},
            {"text": "   "},
            {"text": "x" * 2001},
            {"text": 5},
            {},
            {"text": "hi", "to": "x"},
            {"text": "hi", "extra": 1},
            "just a string",
        ):
            ack = await educator.call("chat:send", bad)
            assert ack["error"]["code"] == "invalid", bad
        assert (await educator.call("chat:send", {"text": "x", "to": 999999}))["error"][
            "code"
        ] == "not_found"

        await educator.call("chat:lock", {"locked": False})
        codes = [
            (await alice.call("chat:send", {"text": f"m{i}"}, patient=False))
            .get("error", {})
            .get("code")
            for i in range(8)
        ]
        assert "rate_limited" in codes and codes.count(None) <= 5
    finally:
        await educator.leave()
        await alice.leave()
