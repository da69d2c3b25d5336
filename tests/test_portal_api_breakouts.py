"""The breakout plan prepared before the lecture and the breakouts read afterwards (REST)."""

from __future__ import annotations

from typing import Any

import aiohttp

from tests.conftest import Server, bearer
from tests.room_client import demo_course_id, join, live_lecture


async def call(
    http: aiohttp.ClientSession,
    server: Server,
    username: str,
    method: str,
    path: str,
    body: Any = None,
) -> tuple[int, Any]:
    headers = await bearer(http, server, username)
    async with http.request(
        method, server.url(f"/api/v1{path}"), json=body, headers=headers
    ) as response:
        return response.status, await response.json()


async def test_a_plan_is_checked_saved_and_used_and_the_groups_are_kept(
    http: aiohttp.ClientSession, server: Server
) -> None:
    lecture = await live_lecture(http, server, start=False)
    plan_url = f"/lectures/{lecture}/breakout-plan"
    status, empty = await call(http, server, "educator", "GET", plan_url)
    assert (status, empty["groups"]) == (200, [])
    educator = await join(http, server, lecture, "educator")  # ids of the demo students
    ids = {}
    for name in ("student1", "student2", "student3"):
        status, me = await call(http, server, name, "GET", "/me")
        ids[name] = me["id"]
    await educator.leave()
    good = {
        "groups": [
            {"name": "Readers", "user_ids": [ids["student1"], ids["student2"]]},
            {"name": "Writers", "user_ids": [ids["student3"]]},
        ]
    }
    bad_bodies = [
        {"groups": []},
        {"groups": [{"name": "A", "user_ids": [ids["student1"]]}] * 2},
        {"groups": [{"name": f"G{n}", "user_ids": []} for n in range(51)]},
        {"groups": [{"name": "x" * 61, "user_ids": []}]},
        {"groups": [{"name": "A", "user_ids": [educator.user_id]}]},  # not a student
        {"groups": [{"name": "A", "user_ids": [2**31 - 1]}]},
        {"groups": [{"name": "A\x07", "user_ids": []}]},
    ]
    for body in bad_bodies:
        status, problem = await call(http, server, "educator", "PUT", plan_url, body)
        assert status == 422, (body, problem)
    status, _ = await call(http, server, "student1", "PUT", plan_url, good)
    assert status == 403
    status, saved = await call(http, server, "educator", "PUT", plan_url, good)
    assert status == 200 and saved["groups"] == good["groups"]
    status, read = await call(http, server, "educator", "GET", plan_url)
    assert read["groups"] == good["groups"]
    offered = {s["user_id"]: s["name"] for s in read["students"]}
    assert set(ids.values()) <= set(offered) and educator.user_id not in offered
    assert offered[ids["student1"]] == "Lina Saleh"
    assert (await call(http, server, "student1", "GET", plan_url))[0] == 403

    status, _ = await call(http, server, "educator", "POST", f"/lectures/{lecture}/start")
    assert status == 200
    educator = await join(http, server, lecture, "educator")
    try:
        ack = await educator.call("breakout:start", {"mode": "plan", "minutes": 15})
        assert ack["ok"], ack
        assert [g["name"] for g in ack["breakout"]["groups"]] == ["Readers", "Writers"]
        readers = ack["breakout"]["groups"][0]["lecture_id"]
        lina = await join(http, server, readers, "student1")
        assert (await lina.call("chat:send", {"text": "we read chapter 2"}))["ok"]
        await lina.leave()
        assert (await educator.call("breakout:end"))["ok"]
    finally:
        await educator.leave()

    status, listed = await call(http, server, "educator", "GET", f"/lectures/{lecture}/breakouts")
    assert status == 200 and len(listed["items"]) == 1
    past = listed["items"][0]
    assert past["mode"] == "plan" and past["ended_at"] is not None
    members = [sorted(m["user_id"] for m in g["members"]) for g in past["groups"]]
    assert members == [sorted([ids["student1"], ids["student2"]]), [ids["student3"]]]
    chat_url = past["groups"][0]["chat_url"]
    status, chat = await call(http, server, "educator", "GET", chat_url.removeprefix("/api/v1"))
    assert status == 200 and [m["text"] for m in chat["items"]] == ["we read chapter 2"]
    assert chat["items"][0]["sender_id"] == ids["student1"]
    status, _ = await call(http, server, "student1", "GET", chat_url.removeprefix("/api/v1"))
    assert status == 403, "a group's chat afterwards is the educators'"
    status, drawn = await call(
        http, server, "educator", "GET", past["groups"][0]["annotations_url"][len("/api/v1") :]
    )
    assert status == 200 and drawn["items"] == []
    course = await demo_course_id(http, server)
    status, lectures = await call(
        http, server, "educator", "GET", f"/courses/{course}/lectures?limit=200"
    )
    assert status == 200 and lecture in [item["id"] for item in lectures["items"]]
    assert readers not in [item["id"] for item in lectures["items"]], "a group is no lecture"
