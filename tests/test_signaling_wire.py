"""The Socket.IO wire read strictly, over raw WebSockets and long-polling requests: malformed
Engine.IO frames and Socket.IO packets cost one WARNING line (no traceback) and the connection,
and packets that replay the lifecycle (a second CONNECT, events after a DISCONNECT) run
nothing."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import socketio
from aiohttp import WSCloseCode, WSMsgType, web

from signaling.wire import WireServer
from tests.conftest import Server, free_port
from tests.room_client import join, join_token, live_lecture

DEEP = "[" * 3000  # RecursionError in the JSON decoder, before
# Frames that used to log an ERROR traceback (or pass unnoticed), each with what it is.
MALFORMED: list[tuple[str | bytes, str]] = [
    ("", "an empty frame"),
    ("x", "not an Engine.IO packet type"),
    ("b!!!", "base64 that is not"),
    ("4" + DEEP, "an Engine.IO message nested 3,000 deep"),
    ('4{"a": 1}', "an Engine.IO message that is JSON, not a Socket.IO packet"),
    ("4", "an empty Socket.IO packet"),
    ("42/classroom,1" + DEEP, "a Socket.IO event nested 3,000 deep"),
    ("42/classroom,1" + "[" * 40 + "]" * 40, "an event nested 40 deep (the bound is 32)"),
    ("42/classroom,1[", "a truncated event"),
    ("42/classroom,1[]", "an event without a name"),
    ("42/classroom,1{}", "an event that is not a list"),
    ('42/classroom,1[5, {"text": "x"}]', "an event whose name is not a string"),
    ('44/classroom,{"message": "x"}', "a CONNECT_ERROR from a client"),
    ('45-/classroom,1["chat:send",{"_placeholder":true,"num":7}]', "a binary event"),
    ("49/classroom,", "an unknown Socket.IO packet type"),
    (b"\x04\x00garbage", "a binary frame outside any packet"),
]


def socket_url(server: Server, transport: str) -> str:
    return f"{server.base_url}/socket.io/?EIO=4&transport={transport}"


class ServerLog:
    """What the server logged since this was made."""

    def __init__(self, server: Server) -> None:
        self._path = server.log
        self._start = server.log.stat().st_size

    def lines(self) -> list[str]:
        with self._path.open("rb") as log:
            log.seek(self._start)
            return log.read().decode("utf-8", "replace").splitlines()

    async def dropped(self) -> list[str]:
        """Waits for the WARNING line, then a little more for anything after it."""
        for _ in range(50):
            if any(" WARNING " in line for line in self.lines()):
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.3)
        return self.lines()


def one_warning(lines: list[str]) -> None:
    assert len(lines) == 1, lines
    assert " WARNING signaling.wire " in lines[0] and "dropped Socket.IO connection" in lines[0]
    assert "Traceback" not in "\n".join(lines)


async def open_websocket(
    http: aiohttp.ClientSession, server: Server, token: str
) -> aiohttp.ClientWebSocketResponse:
    """A raw WebSocket joined to /classroom, past the room's snapshot."""
    ws = await http.ws_connect(socket_url(server, "websocket"))
    assert (await ws.receive_str()).startswith("0{")
    await ws.send_str("40/classroom," + json.dumps({"token": token}))
    assert (await ws.receive_str()).startswith("40/classroom,")
    assert (await receive_event(ws))[0] == "room:state"
    return ws


async def receive_event(ws: aiohttp.ClientWebSocketResponse) -> list[Any]:
    while True:
        frame = await asyncio.wait_for(ws.receive_str(), 5)
        if frame.startswith("42/classroom,"):
            event: list[Any] = json.loads(frame.removeprefix("42/classroom,"))
            return event
        if frame == "2":
            await ws.send_str("3")


async def closed_with(ws: aiohttp.ClientWebSocketResponse) -> int | None:
    """Reads until the server closes the WebSocket (five seconds at most); its close code."""
    while True:
        message = await asyncio.wait_for(ws.receive(), 5)
        if message.type in (WSMsgType.CLOSE, WSMsgType.CLOSED, WSMsgType.CLOSING):
            return ws.close_code


@pytest.mark.parametrize(("frame", "what"), MALFORMED, ids=[what for _, what in MALFORMED])
async def test_a_malformed_websocket_frame_costs_one_warning_and_the_connection(
    http: aiohttp.ClientSession, server: Server, frame: str | bytes, what: str
) -> None:
    lecture = await live_lecture(http, server)
    educator = await join(http, server, lecture, "educator")
    try:
        ws = await open_websocket(http, server, await join_token(http, server, lecture, "student1"))
        await educator.next("roster:joined")
        log = ServerLog(server)
        await (ws.send_bytes(frame) if isinstance(frame, bytes) else ws.send_str(frame))
        assert await closed_with(ws) == WSCloseCode.PROTOCOL_ERROR, what
        one_warning(await log.dropped())
        left = await educator.next("roster:left")  # the disconnect handlers ran
        assert left["user_id"] != educator.user_id
        assert (await educator.call("chat:send", {"text": "still serving"}))["ok"]
    finally:
        await educator.leave()


async def polling_session(http: aiohttp.ClientSession, server: Server, token: str) -> str:
    """A long-polling Engine.IO session joined to /classroom; its sid."""
    async with http.get(socket_url(server, "polling")) as response:
        sid: str = json.loads((await response.text())[1:])["sid"]
    url = f"{socket_url(server, 'polling')}&sid={sid}"
    async with http.post(url, data="40/classroom," + json.dumps({"token": token})) as response:
        assert response.status == 200
    async with http.get(url) as response:
        assert (await response.text()).startswith("40/classroom,")
    return sid


@pytest.mark.parametrize(
    "body",
    ["x", "4" + DEEP, "42/classroom,1" + DEEP, "42/classroom,1[]", "40/classroom\x1ex", b"\xff"],
    ids=["type", "engine-deep", "socketio-deep", "nameless", "second-bad", "not-utf8"],
)
async def test_a_malformed_long_polling_body_costs_one_warning_and_the_session(
    http: aiohttp.ClientSession, server: Server, body: str | bytes
) -> None:
    lecture = await live_lecture(http, server)
    sid = await polling_session(http, server, await join_token(http, server, lecture, "student1"))
    url = f"{socket_url(server, 'polling')}&sid={sid}"
    log = ServerLog(server)
    async with http.post(url, data=body) as response:
        refused = response.status
    one_warning(await log.dropped())
    # A bad Engine.IO payload is refused at once; after a bad Socket.IO packet the engine's
    # close packet may wait for the next poll. Either way the session is gone.
    statuses = [refused]
    for _ in range(2):
        async with http.get(url) as response:
            statuses.append(response.status)
            text = await response.text()
            assert response.status == 400 or text == "1", text
    assert statuses[-1] == 400 and refused in (200, 400), statuses


async def test_lifecycle_packets_cannot_be_replayed(
    http: aiohttp.ClientSession, server: Server
) -> None:
    """A second CONNECT on a joined namespace is refused without re-running the join (no second
    snapshot, no second roster:joined); after a DISCONNECT packet events run nothing."""
    lecture = await live_lecture(http, server)
    educator = await join(http, server, lecture, "educator")
    token = await join_token(http, server, lecture, "student1")
    ws = await open_websocket(http, server, token)
    try:
        await educator.next("roster:joined")
        await ws.send_str("40/classroom," + json.dumps({"token": token}))
        welcome = [await asyncio.wait_for(ws.receive_str(), 5)]
        while not welcome[-1].startswith("44/classroom,"):
            welcome.append(await asyncio.wait_for(ws.receive_str(), 5))
        assert not [f for f in welcome if "room:state" in f], welcome
        assert await educator.nothing("roster:joined")
        await ws.send_str("41/classroom,")
        assert (await educator.next("roster:left"))["user_id"] != educator.user_id
        await educator.silence(0.3)  # what a departure brings (the media catalogue)
        await ws.send_str('42/classroom,7["chat:send",{"text":"from a ghost"}]')
        await ws.send_str('42/classroom,8["disconnect",{}]')
        arrived = await educator.silence(0.5)
        assert arrived == {}, arrived
        frames = []
        while True:
            try:
                frames.append(await asyncio.wait_for(ws.receive_str(), 0.3))
            except TimeoutError:
                break
        served = [f for f in frames if f.startswith("43/") or "chat:message" in f]
        assert not served, frames
    finally:
        await ws.close()
        await educator.leave()


class GreetingProbe(socketio.AsyncNamespace):  # type: ignore[misc]
    """A namespace on the real WireServer that notes, for each lifecycle call, whether the
    client had its CONNECT packet at that moment (python-socketio marks a client connected
    right after sending it), and greets from ``wire_connected`` as the classroom does."""

    def __init__(self) -> None:
        super().__init__("/probe")
        self.calls: list[tuple[str, str, bool]] = []

    def _note(self, what: str, sid: str) -> None:
        self.calls.append((what, sid, self.server.manager.is_connected(sid, self.namespace)))

    async def trigger_event(self, event: str, *args: Any) -> Any:
        if event == "connect":
            sid, _environ, auth = args
            self._note("connect", sid)
            if auth != {"let": "in"}:
                raise socketio.exceptions.ConnectionRefusedError("no")
        return None

    async def wire_event(self, event: str, sid: str, args: list[Any]) -> Any:
        return {"ok": True}

    async def wire_connected(self, sid: str) -> None:
        self._note("connected", sid)
        await self.emit("hello", {"sid": sid}, to=sid)


@pytest.fixture
async def probe_server() -> AsyncIterator[tuple[str, GreetingProbe]]:
    """A WireServer in this process, serving only the probe namespace."""
    app = web.Application()
    sio = WireServer(async_mode="aiohttp")
    probe = GreetingProbe()
    sio.register_namespace(probe)
    sio.attach(app)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    yield f"http://127.0.0.1:{port}", probe
    await runner.cleanup()


async def test_a_connection_is_greeted_once_its_connect_packet_is_out(
    http: aiohttp.ClientSession, probe_server: tuple[str, GreetingProbe]
) -> None:
    """The namespace greets from ``wire_connected``, which runs once per accepted connection,
    after the CONNECT packet (nothing has to poll for it); a refused connection and a replayed
    CONNECT greet no one."""
    url, probe = probe_server
    client = socketio.AsyncClient(reconnection=False)
    hello: asyncio.Future[dict[str, str]] = asyncio.get_running_loop().create_future()
    client.on("hello", hello.set_result, namespace="/probe")
    await client.connect(url, namespaces=["/probe"], auth={"let": "in"}, transports=["websocket"])
    try:
        sid = (await asyncio.wait_for(hello, 5))["sid"]
        assert probe.calls == [("connect", sid, False), ("connected", sid, True)]
    finally:
        await client.disconnect()
    probe.calls.clear()
    refused = socketio.AsyncClient(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        await refused.connect(url, namespaces=["/probe"], auth={}, transports=["websocket"])
    assert [what for what, _, _ in probe.calls] == ["connect"]
    probe.calls.clear()
    async with http.ws_connect(f"{url}/socket.io/?EIO=4&transport=websocket") as ws:
        assert (await ws.receive_str()).startswith("0{")
        for _ in range(2):
            await ws.send_str("40/probe," + json.dumps({"let": "in"}))
        frames = [await asyncio.wait_for(ws.receive_str(), 5) for _ in range(3)]
        assert sorted(frame[:2] for frame in frames) == ["40", "42", "44"], frames
        assert [what for what, _, _ in probe.calls] == ["connect", "connected"]
