"""Slides position and annotations: following the educator, drawing rights, undo and clear."""

from __future__ import annotations

import aiohttp

from tests.conftest import Server
from tests.room_client import join, live_lecture

RECT = {"kind": "rectangle", "points": [[0.1, 0.1], [0.4, 0.3]], "color": "#ff0000", "width": 0.004}
PEN = {
    "kind": "pen",
    "points": [[0.1, 0.1], [0.2, 0.25], [0.3, 0.2]],
    "color": "#0000ff",
    "width": 0.002,
}


async def test_students_follow_pages_and_see_each_pages_annotations(
    http: aiohttp.ClientSession, server: Server
) -> None:
    lecture = await live_lecture(http, server)
    educator = await join(http, server, lecture, "educator")
    alice = await join(http, server, lecture, "student1")
    try:
        board = educator.state["slide"]["deck_id"]
        assert educator.state["decks"][0]["kind"] == "whiteboard"
        assert (await educator.call("annotation:add", RECT))["ok"]
        assert (await alice.next("annotation:added"))["kind"] == "rectangle"
        assert (await educator.call("slides:show", {"deck_id": board, "page": 2}))["ok"]
        page = await alice.next("slides:page")
        assert (page["page"], page["annotations"]) == (2, [])
        await educator.call("slides:show", {"deck_id": board, "page": 1})
        back = await alice.next("slides:page")
        assert [a["kind"] for a in back["annotations"]] == ["rectangle"]

        assert (await alice.call("slides:show", {"deck_id": board, "page": 3}))["error"][
            "code"
        ] == "forbidden"
        assert (await educator.call("slides:show", {"deck_id": board, "page": 99}))["error"][
            "code"
        ] == "not_found"
        assert (await educator.call("slides:show", {"deck_id": 999999, "page": 1}))["error"][
            "code"
        ] == "not_found"
    finally:
        await educator.leave()
        await alice.leave()


async def test_drawing_rights_undo_clear_and_laser(
    http: aiohttp.ClientSession, server: Server
) -> None:
    lecture = await live_lecture(http, server)
    educator = await join(http, server, lecture, "educator")
    alice = await join(http, server, lecture, "student1")
    try:
        assert alice.state["locks"]["annotations"] is True
        assert (await alice.call("annotation:add", PEN))["error"]["code"] == "locked"
        assert (await educator.call("annotation:lock", {"locked": False}))["ok"]
        mine = await alice.call("annotation:add", PEN)
        assert mine["ok"]
        await educator.call("annotation:add", RECT)
        undone = await alice.call("annotation:undo")
        assert undone["id"] == mine["annotation"]["id"]
        assert (await alice.call("annotation:undo"))["error"]["code"] == "not_found"
        assert (await alice.call("annotation:clear"))["error"]["code"] == "forbidden"
        assert (await educator.call("annotation:clear"))["ok"]
        assert (await alice.next("annotation:cleared"))["page"] == 1
        rejoined = await join(http, server, lecture, "student1")
        assert rejoined.state["annotations"] == []
        await rejoined.leave()

        assert (await educator.call("laser:move", {"x": 0.5, "y": 0.25}))["ok"]
        assert (await alice.next("laser:moved"))["x"] == 0.5
        assert (await alice.call("laser:move", {"x": 0.5, "y": 0.5}))["error"][
            "code"
        ] == "forbidden"

        bad_shapes = [
            {**RECT, "points": [[0.1, 0.1]]},
            {**RECT, "points": [[0.1, 1.5], [0.2, 0.2]]},
            {**RECT, "color": "red"},
            {**RECT, "width": 1},
            {**PEN, "points": [[0.1, 0.1]] * 2001},
            {**PEN, "kind": "text"},
            {**PEN, "text": "stray"},
            {**PEN, "kind": "spray"},
        ]
        for shape in bad_shapes:
            assert (await educator.call("annotation:add", shape))["error"]["code"] == "invalid"
    finally:
        await educator.leave()
        await alice.leave()
