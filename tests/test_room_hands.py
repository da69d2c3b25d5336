"""The raised-hand queue."""

from __future__ import annotations

import aiohttp

from tests.conftest import Server
from tests.room_client import join, live_lecture


async def test_queue_order_and_who_lowers(http: aiohttp.ClientSession, server: Server) -> None:
    lecture = await live_lecture(http, server)
    educator = await join(http, server, lecture, "educator")
    alice = await join(http, server, lecture, "student1")
    bob = await join(http, server, lecture, "student2")
    try:
        assert (await alice.call("hand:raise"))["ok"]
        assert (await bob.call("hand:raise"))["ok"]
        assert (await alice.call("hand:raise"))["error"]["code"] == "conflict"
        educator.drain("hand:queue")
        assert (await educator.call("hand:raise"))["error"]["code"] == "forbidden"

        late = await join(http, server, lecture, "student3")
        assert [h["user_id"] for h in late.state["hands"]] == [alice.user_id, bob.user_id]
        await late.leave()

        denied = await bob.call("hand:lower", {"user_id": alice.user_id})
        assert denied["error"]["code"] == "forbidden"
        assert (await bob.call("hand:lower"))["ok"]
        queue = await educator.next("hand:queue")
        assert [h["user_id"] for h in queue["hands"]] == [alice.user_id]
        assert (await educator.call("hand:lower", {"user_id": alice.user_id}))["ok"]
        assert (await educator.next("hand:queue"))["hands"] == []
        assert (await educator.call("hand:lower", {"user_id": alice.user_id}))["error"][
            "code"
        ] == "not_found"
    finally:
        for p in (educator, alice, bob):
            await p.leave()


async def test_removing_a_participant_takes_their_hand_down(
    http: aiohttp.ClientSession, server: Server
) -> None:
    lecture = await live_lecture(http, server)
    educator = await join(http, server, lecture, "educator")
    alice = await join(http, server, lecture, "student1")
    try:
        await alice.call("hand:raise")
        assert [h["user_id"] for h in (await educator.next("hand:queue"))["hands"]] == [
            alice.user_id
        ]
        await educator.call("participant:remove", {"user_id": alice.user_id})
        assert (await educator.next("hand:queue"))["hands"] == []
    finally:
        await educator.leave()
        await alice.leave()


async def test_the_educator_lowers_every_hand_at_once(
    http: aiohttp.ClientSession, server: Server
) -> None:
    lecture = await live_lecture(http, server)
    educator = await join(http, server, lecture, "educator")
    alice = await join(http, server, lecture, "student1")
    bob = await join(http, server, lecture, "student2")
    try:
        assert (await alice.call("hand:raise"))["ok"] and (await bob.call("hand:raise"))["ok"]
        assert (await alice.call("hand:lower_all"))["error"]["code"] == "forbidden"
        educator.drain("hand:queue")
        assert (await educator.call("hand:lower_all"))["ok"]
        assert (await educator.next("hand:queue"))["hands"] == []
        hands = (await alice.next("hand:queue"))["hands"]
        while hands:  # the queues of the two raises come first
            hands = (await alice.next("hand:queue"))["hands"]
        late = await join(http, server, lecture, "student3")
        assert late.state["hands"] == []  # a reconnecting client sees the empty queue
        await late.leave()
        assert (await alice.call("hand:raise"))["ok"], "a lowered hand may go up again"
    finally:
        for p in (educator, alice, bob):
            await p.leave()
