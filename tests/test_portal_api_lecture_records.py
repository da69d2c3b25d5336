"""A lecture's polls and moderation log, read back over REST after the room closes."""

from __future__ import annotations

from typing import Any

import aiohttp

from tests.conftest import Server, bearer
from tests.room_client import join, live_lecture


async def get(
    http: aiohttp.ClientSession, server: Server, path: str, username: str, status: int = 200
) -> dict[str, Any]:
    headers = await bearer(http, server, username)
    async with http.get(server.url(path), headers=headers) as response:
        assert response.status == status, await response.text()
        body: dict[str, Any] = await response.json()
    return body


async def test_closed_polls_stay_with_the_lecture(
    http: aiohttp.ClientSession, server: Server
) -> None:
    lecture = await live_lecture(http, server)
    educator = await join(http, server, lecture, "educator")
    alice = await join(http, server, lecture, "student1")
    try:
        first = await educator.call("poll:open", {"question": "Tea?", "options": ["yes", "no"]})
        first_id = first["poll"]["id"]
        assert (await alice.call("poll:vote", {"poll_id": first_id, "choices": [1]}))["ok"]
        assert (await educator.call("poll:close", {"poll_id": first_id}))["ok"]
        second = await educator.call(
            "poll:open", {"question": "Which?", "options": ["a", "b", "c"], "multiple": True}
        )
        second_id = second["poll"]["id"]
        assert (await alice.call("poll:vote", {"poll_id": second_id, "choices": [0, 2]}))["ok"]
        assert (await educator.call("poll:publish", {"poll_id": second_id}))["ok"]
    finally:
        await educator.leave()
        await alice.leave()

    path = f"/api/v1/lectures/{lecture}/polls"
    polls = await get(http, server, path, "educator")
    assert polls["total"] == 2
    assert [(p["id"], p["status"], p["counts"]) for p in polls["items"]] == [
        (first_id, "closed", [0, 1]),
        (second_id, "published", [1, 0, 1]),
    ]
    mine = await get(http, server, path, "student1")  # closed results were never shown
    assert [(p["id"], p["my_choices"]) for p in mine["items"]] == [(second_id, [0, 2])]
    await get(http, server, f"/api/v1/lectures/{lecture}/polls?limit=0", "educator", 422)


async def test_moderation_and_the_rest_end_are_in_the_audit_log(
    http: aiohttp.ClientSession, server: Server
) -> None:
    lecture = await live_lecture(http, server)
    educator = await join(http, server, lecture, "educator")
    bob = await join(http, server, lecture, "student2")
    try:
        assert (await educator.call("chat:lock", {"locked": True}))["ok"]
        muted = {"user_id": bob.user_id, "muted": True}
        assert (await educator.call("participant:mute", muted))["ok"]
    finally:
        await educator.leave()
        await bob.leave()
    headers = await bearer(http, server, "educator")
    async with http.post(server.url(f"/api/v1/lectures/{lecture}/end"), headers=headers) as r:
        assert r.status == 200

    path = f"/api/v1/lectures/{lecture}/audit"
    log = await get(http, server, path, "educator")
    assert [(e["action"], e["target_id"]) for e in log["items"]] == [
        ("chat_lock", None),
        ("mute", bob.user_id),
        ("end", None),
    ]
    assert log["items"][-1]["details"] == {"via": "api"}
    assert {e["actor_name"] for e in log["items"]} == {"Dr. Amal Haddad"}
    problem = await get(http, server, path, "student2", 403)
    assert problem["code"] == "forbidden"
