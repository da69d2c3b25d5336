"""A test participant: a real python-socketio client in the /classroom namespace."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

import aiohttp
import socketio

from tests.conftest import Server, bearer


class Participant:
    def __init__(self, username: str) -> None:
        self.username = username
        self.sio = socketio.AsyncClient(reconnection=False)
        self.events: dict[str, asyncio.Queue[Any]] = defaultdict(asyncio.Queue)
        self.state: dict[str, Any] = {}
        self.sio.on("*", self._record, namespace="/classroom")

    async def _record(self, event: str, data: Any = None) -> None:
        if event == "room:state":
            self.state = data
        await self.events[event].put(data)

    async def _open(self, server: Server, token: str) -> None:
        await self.sio.connect(
            server.base_url,
            namespaces=["/classroom"],
            auth={"token": token},
            transports=["websocket"],
            wait_timeout=5,
        )

    async def connect(self, server: Server, token: str) -> dict[str, Any]:
        await self._open(server, token)
        state: dict[str, Any] = await self.next("room:state")
        return state

    async def wait_in_lobby(self, server: Server, token: str) -> dict[str, Any]:
        """Connects as someone the lecture keeps in its lobby: ``lobby:wait``, not the room."""
        await self._open(server, token)
        waiting: dict[str, Any] = await self.next("lobby:wait")
        return waiting

    async def call(self, event: str, payload: Any = None, patient: bool = True) -> dict[str, Any]:
        """Sends an event and returns its ack; a patient caller waits out rate limits."""
        while True:
            ack: dict[str, Any] = await self.sio.call(
                event, payload if payload is not None else {}, namespace="/classroom", timeout=5
            )
            error = ack.get("error") or {}
            if not patient or error.get("code") != "rate_limited":
                return ack
            await asyncio.sleep(error["retry_after"] + 0.01)

    async def next(self, event: str) -> Any:
        """The next such event, waiting at most five seconds."""
        return await asyncio.wait_for(self.events[event].get(), 5.0)

    async def nothing(self, event: str, wait: float = 0.3) -> bool:
        """True when no such event arrives within ``wait`` seconds."""
        try:
            await asyncio.wait_for(self.events[event].get(), wait)
        except TimeoutError:
            return True
        return False

    async def deck_settled(self) -> dict[str, Any]:
        """The first ``slides:deck`` update that is no longer processing (ready or failed)."""
        while True:
            update: dict[str, Any] = await self.next("slides:deck")
            if update["status"] != "processing":
                return update

    def drain(self, event: str) -> list[Any]:
        queue, items = self.events[event], []
        while not queue.empty():
            items.append(queue.get_nowait())
        return items

    async def silence(self, wait: float = 0.3) -> dict[str, list[Any]]:
        """Waits ``wait`` seconds, then empties every queue: what arrived, by event (empty if
        nothing did)."""
        await asyncio.sleep(wait)
        arrived = {event: self.drain(event) for event in list(self.events)}
        return {event: items for event, items in arrived.items() if items}

    @property
    def user_id(self) -> int:
        return int(self.state["you"]["id"])

    async def leave(self) -> None:
        if self.sio.connected:
            await self.sio.disconnect()


async def demo_course_id(
    http: aiohttp.ClientSession, server: Server, headers: dict[str, str] | None = None
) -> int:
    """The seeded course OL101, looked up as the educator (``headers`` spare a login)."""
    headers = headers or await bearer(http, server, "educator")
    async with http.get(server.url("/api/v1/courses"), headers=headers) as response:
        courses = (await response.json())["items"]
    return int(next(c["id"] for c in courses if c["code"] == "OL101"))


async def lecture_in(
    http: aiohttp.ClientSession,
    server: Server,
    course_id: int,
    headers: dict[str, str],
    start: bool = True,
    **fields: Any,
) -> int:
    """A lecture ("Week 1" unless ``fields`` say otherwise) scheduled now in the course by
    whoever ``headers`` authorise, and started unless asked not to."""
    body = {"title": "Week 1", "scheduled_start": datetime.now(UTC).isoformat(), **fields}
    async with http.post(
        server.url(f"/api/v1/courses/{course_id}/lectures"), json=body, headers=headers
    ) as response:
        assert response.status == 201, await response.text()
        lecture_id = int((await response.json())["id"])
    if start:
        async with http.post(
            server.url(f"/api/v1/lectures/{lecture_id}/start"), headers=headers
        ) as response:
            assert response.status == 200, await response.text()
    return lecture_id


async def live_lecture(
    http: aiohttp.ClientSession,
    server: Server,
    start: bool = True,
    headers: dict[str, str] | None = None,
    **fields: Any,
) -> int:
    """A lecture in OL101 made (and started) by the educator; logs in once, or not at all when
    given the educator's ``headers`` (each login is an Argon2 hash on the server)."""
    headers = headers or await bearer(http, server, "educator")
    course_id = await demo_course_id(http, server, headers)
    return await lecture_in(http, server, course_id, headers, start, **fields)


async def join_token(
    http: aiohttp.ClientSession,
    server: Server,
    lecture_id: int,
    username: str,
    headers: dict[str, str] | None = None,
) -> str:
    """A room token for ``username`` (``headers``, theirs, spare a login)."""
    headers = headers or await bearer(http, server, username)
    async with http.post(
        server.url(f"/api/v1/lectures/{lecture_id}/join"), headers=headers
    ) as response:
        assert response.status == 200, await response.text()
        token: str = (await response.json())["token"]
    return token


async def join(
    http: aiohttp.ClientSession, server: Server, lecture_id: int, username: str
) -> Participant:
    participant = Participant(username)
    await participant.connect(server, await join_token(http, server, lecture_id, username))
    return participant


def durable(state: dict[str, Any]) -> dict[str, Any]:
    """Everything a refused event could have changed (roster flags, media and recording too)."""
    keys: tuple[str, ...] = ("lecture", "slide", "annotations", "chat", "hands", "poll")
    keys += ("locks", "decks", "roster", "media", "recording", "lobby", "captions", "breakout")
    return {k: state[k] for k in keys}


async def snapshot(http: aiohttp.ClientSession, server: Server, lecture: int) -> dict[str, Any]:
    """The room as a newcomer sees it (student3 joins for it and leaves again)."""
    newcomer = await join(http, server, lecture, "student3")
    await newcomer.leave()
    return durable(newcomer.state)


async def quiet(*participants: Participant) -> dict[str, dict[str, list[Any]]]:
    """What reached each participant (by name) lately; empty when nothing did."""
    await asyncio.sleep(0.3)
    arrived = {p.username: await p.silence(0) for p in participants}
    return {name: events for name, events in arrived.items() if events}
