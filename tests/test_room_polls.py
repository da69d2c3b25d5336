"""Polls: one vote each, live counts for educators only, published results for all."""

from __future__ import annotations

import aiohttp

from tests.conftest import Server
from tests.room_client import join, live_lecture


async def test_poll_lifecycle(http: aiohttp.ClientSession, server: Server) -> None:
    lecture = await live_lecture(http, server)
    educator = await join(http, server, lecture, "educator")
    alice = await join(http, server, lecture, "student1")
    bob = await join(http, server, lecture, "student2")
    try:
        opened = await educator.call(
            "poll:open", {"question": "Best time?", "options": ["Morning", "Evening", "Night"]}
        )
        poll_id = opened["poll"]["id"]
        seen = await alice.next("poll:opened")
        assert seen["counts"] is None and seen["options"][1] == "Evening"
        again = await educator.call("poll:open", {"question": "Q", "options": ["a", "b"]})
        assert again["error"]["code"] == "conflict"

        assert (await alice.call("poll:vote", {"poll_id": poll_id, "choices": [1]}))["ok"]
        assert (await alice.call("poll:vote", {"poll_id": poll_id, "choices": [0]}))["error"][
            "code"
        ] == "conflict"
        assert (await bob.call("poll:vote", {"poll_id": poll_id, "choices": [0, 1]}))["error"][
            "code"
        ] == "invalid"
        assert (await bob.call("poll:vote", {"poll_id": poll_id, "choices": [7]}))["error"][
            "code"
        ] == "invalid"
        assert (await bob.call("poll:vote", {"poll_id": poll_id, "choices": [1]}))["ok"]
        counts = [await educator.next("poll:counts") for _ in range(3)]
        assert counts[0]["counts"] == [0, 0, 0], "educators start from zero, not from nothing"
        assert counts[-1]["counts"] == [0, 2, 0] and counts[-1]["total_voters"] == 2
        assert await alice.nothing("poll:counts")
        assert (await educator.call("poll:vote", {"poll_id": poll_id, "choices": [0]}))["error"][
            "code"
        ] == "forbidden"

        late = await join(http, server, lecture, "student1")
        assert late.state["poll"]["my_choices"] == [1] and late.state["poll"]["counts"] is None
        await late.leave()

        assert (await educator.call("poll:close", {"poll_id": poll_id}))["ok"]
        assert (await bob.next("poll:closed"))["poll_id"] == poll_id
        assert (await bob.call("poll:vote", {"poll_id": poll_id, "choices": [2]}))["error"][
            "code"
        ] in ("conflict",)
        assert (await educator.call("poll:publish", {"poll_id": poll_id}))["ok"]
        results = await bob.next("poll:results")
        assert results["counts"] == [0, 2, 0] and results["status"] == "published"
        assert (await educator.call("poll:publish", {"poll_id": poll_id}))["error"][
            "code"
        ] == "conflict"
        for bad in (
            {"question": "Q", "options": ["only one"]},
            {"question": "Q", "options": [str(i) for i in range(11)]},
            {"question": "", "options": ["a", "b"]},
            {"question": "Q", "options": ["a", ""]},
        ):
            assert (await educator.call("poll:open", bad))["error"]["code"] == "invalid"
    finally:
        for p in (educator, alice, bob):
            await p.leave()


async def test_multiple_choice_poll(http: aiohttp.ClientSession, server: Server) -> None:
    """Several choices in one vote, each counted once; still one vote per student; a
    single-choice poll refuses two options and counts nothing."""
    lecture = await live_lecture(http, server)
    educator = await join(http, server, lecture, "educator")
    alice = await join(http, server, lecture, "student1")
    bob = await join(http, server, lecture, "student2")
    try:
        poll = {"question": "Which?", "options": ["a", "b", "c"], "multiple": True}
        opened = await educator.call("poll:open", poll)
        poll_id = opened["poll"]["id"]
        assert opened["poll"]["multiple"] is True
        assert (await alice.next("poll:opened"))["multiple"] is True
        assert (await educator.next("poll:counts"))["counts"] == [0, 0, 0]

        assert (await alice.call("poll:vote", {"poll_id": poll_id, "choices": [0, 2]}))["ok"]
        tally = await educator.next("poll:counts")
        assert tally["counts"] == [1, 0, 1] and tally["total_voters"] == 1
        again = await alice.call("poll:vote", {"poll_id": poll_id, "choices": [1]})
        assert again["error"]["code"] == "conflict"
        assert (await bob.call("poll:vote", {"poll_id": poll_id, "choices": [2, 1, 2]}))["ok"]
        tally = await educator.next("poll:counts")
        assert tally["counts"] == [1, 1, 2] and tally["total_voters"] == 2
        assert await educator.nothing("poll:counts"), "a refused vote counts nothing"

        late = await join(http, server, lecture, "student1")
        assert late.state["poll"]["my_choices"] == [0, 2]
        await late.leave()

        assert (await educator.call("poll:close", {"poll_id": poll_id}))["ok"]
        single = await educator.call("poll:open", {"question": "One?", "options": ["x", "y"]})
        single_id = single["poll"]["id"]
        assert single["poll"]["multiple"] is False
        assert (await educator.next("poll:counts"))["counts"] == [0, 0]
        two = await bob.call("poll:vote", {"poll_id": single_id, "choices": [0, 1]})
        assert two["error"]["code"] == "invalid"
        assert await educator.nothing("poll:counts")
        assert (await bob.call("poll:vote", {"poll_id": single_id, "choices": [1]}))["ok"]
        assert (await educator.next("poll:counts"))["counts"] == [0, 1]
    finally:
        for p in (educator, alice, bob):
            await p.leave()
