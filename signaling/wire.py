"""The Socket.IO wire, read strictly: a client's event reaches the room only through the
namespace's event table, and input that is not the protocol ends the connection.

python-socketio dispatches an event by its name (``AsyncNamespace.trigger_event`` looks up
``on_<name>``) on the same path that carries its own lifecycle calls, so a client that emitted
``disconnect`` ran the namespace's disconnect handler and left the roster while staying in the
room. Here every client event goes to the namespace's ``wire_event`` and nowhere else;
``trigger_event`` is left to python-socketio's own ``connect`` and ``disconnect`` calls.

Malformed input (frames Engine.IO cannot decode, Socket.IO packets that do not parse or nest
deeper than ``bounded_json.MAX_DEPTH``, binary packets, an event that is not a list headed by
its name) surfaced as ERROR tracebacks from inside the libraries and left the connection up.
Each now costs one WARNING line and the connection (WebSocket close code 1002).

A namespace greets a new connection from ``wire_connected``, called once its CONNECT packet has
gone out (python-socketio sends it only after the connect handler returns).

This reaches into python-socketio and python-engineio internals (``_handle_eio_message``,
``_handle_connect``, ``_handle_event_internal``, the engine's ``_async`` driver table);
tests/test_signaling_wire.py and the lifecycle tests in
tests/test_signaling_classroom_namespace.py hold them to the versions in constraints.txt.
"""

from __future__ import annotations

import json
import logging
from typing import Any, Protocol, runtime_checkable

import engineio
import socketio
from aiohttp import WSCloseCode, web
from engineio import exceptions as engine_exceptions
from engineio import packet as engine_packet
from engineio import payload as engine_payload
from engineio.async_drivers import aiohttp as engine_aiohttp
from socketio import packet as sio_packet

from classroom_server import bounded_json
from classroom_server.room import RoomError
from classroom_server.security.proxies import client_address

log = logging.getLogger(__name__)
# What a client may send; CONNECT_ERROR is the server's, and binary packets carry nothing this
# protocol uses (their attachments would be one more parser to trust).
CLIENT_PACKETS = frozenset(
    {sio_packet.CONNECT, sio_packet.DISCONNECT, sio_packet.EVENT, sio_packet.ACK}
)


class MalformedPacket(engine_exceptions.EngineIOError):  # type: ignore[misc]
    """Input that is not the protocol. An EngineIOError, so that Engine.IO's long-polling
    path answers 400 and forgets the session."""


@runtime_checkable
class WireNamespace(Protocol):
    """A namespace that takes client events by name from a table of its own."""

    namespace: str

    async def wire_event(self, event: str, sid: str, args: list[Any]) -> Any:
        """The ack for ``event`` sent with ``args``; never dispatches by attribute name."""

    async def wire_connected(self, sid: str) -> None:
        """``sid`` has its CONNECT packet: what greets a new connection may be sent now
        (python-socketio sends CONNECT only after the connect handler returns)."""


class _WireJson:
    """Socket.IO's JSON: the standard encoder, a decoder bounded in nesting depth."""

    dumps = staticmethod(json.dumps)
    loads = staticmethod(bounded_json.loads)


def _unreadable(what: str, exc: BaseException) -> MalformedPacket:
    return MalformedPacket(f"{what}: {type(exc).__name__}: {exc}")


class WirePacket(sio_packet.Packet):  # type: ignore[misc]
    """A Socket.IO packet decoded strictly: anything off-protocol is a MalformedPacket."""

    json = _WireJson

    def __init__(self, *args: Any, encoded_packet: Any = None, **kwargs: Any) -> None:
        if encoded_packet is not None and not encoded_packet:  # would pass as an empty EVENT
            raise MalformedPacket("an empty packet")
        super().__init__(*args, encoded_packet=encoded_packet, **kwargs)

    def decode(self, encoded_packet: Any) -> int:
        if not isinstance(encoded_packet, str):
            raise MalformedPacket("a binary frame where a packet was expected")
        try:
            attachments: int = super().decode(encoded_packet)
        except Exception as exc:  # whatever the decoder raises on garbage
            raise _unreadable("unreadable Socket.IO packet", exc) from None
        if self.packet_type not in CLIENT_PACKETS:
            raise MalformedPacket(f"Socket.IO packet type {self.packet_type!r} from a client")
        data = self.data
        if self.packet_type == sio_packet.EVENT and not (
            isinstance(data, list) and data and isinstance(data[0], str)
        ):
            raise MalformedPacket("an event that is not a list headed by its name")
        if self.packet_type == sio_packet.ACK and not isinstance(data, list):
            raise MalformedPacket("an ack that is not a list")
        return attachments


def _warn(sid: str | None, request: web.Request | None, problem: MalformedPacket) -> None:
    who = client_address(request) if request is not None else "-"
    # %r: the reason quotes client bytes; repr keeps them on one line.
    log.warning("dropped Socket.IO connection %s from %s: %.200r", sid, who, str(problem))


class _GuardedWebSocket(engine_aiohttp.WebSocket):  # type: ignore[misc]
    """Engine.IO's aiohttp WebSocket, checking each frame decodes before the engine reads it
    (the engine decodes outside any error handling)."""

    async def __call__(self, environ: dict[str, Any]) -> web.StreamResponse:
        sid: str = self.handler.__self__.sid  # the engine socket whose handler this runs
        self.server.websockets[sid] = self
        try:
            response: web.StreamResponse = await super().__call__(environ)
            return response
        finally:
            self.server.websockets.pop(sid, None)

    async def wait(self) -> Any:
        data = await super().wait()
        try:
            engine_packet.Packet(encoded_packet=data)
        except Exception as exc:  # whatever the decoder raises on garbage
            problem = _unreadable("unreadable Engine.IO frame", exc)
            await self.server.drop(self.handler.__self__.sid, self.environ, problem)
            raise OSError("dropped") from None  # the engine's read loop ends on any error
        return data

    async def close_for(self, problem: MalformedPacket) -> None:
        await self._sock.close(code=WSCloseCode.PROTOCOL_ERROR, message=b"malformed packet")


class _CheckedBody:
    """A long-polling POST body that must decode as an Engine.IO payload."""

    def __init__(self, engine: GuardedEngine, environ: dict[str, Any]) -> None:
        self._engine = engine
        self._environ = environ
        self._content = environ["wsgi.input"]

    async def read(self, size: int = -1) -> bytes:
        body: bytes = await self._content.read(size)
        try:
            engine_payload.Payload(encoded_payload=body.decode("utf-8"))
        except Exception as exc:  # whatever the decoder raises on garbage
            problem = _unreadable("unreadable Engine.IO payload", exc)
            sid = self._environ["aiohttp.request"].query.get("sid")
            await self._engine.drop(sid, self._environ, problem)
            raise problem from None  # the engine forgets the session and answers 400
        return body


class GuardedEngine(engineio.AsyncServer):  # type: ignore[misc]
    """The Engine.IO server: undecodable frames and payloads drop their connection."""

    _async: dict[str, Any]  # the async driver's functions and classes, by role

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.websockets: dict[str, _GuardedWebSocket] = {}
        translate = self._async["translate_request"]

        def translate_request(request: web.Request) -> dict[str, Any]:
            environ: dict[str, Any] = translate(request)
            if request.method == "POST":
                environ["wsgi.input"] = _CheckedBody(self, environ)
            return environ

        # The driver table is shared by every engine in the process: this one gets a copy.
        self._async = {
            **self._async,
            "websocket": _GuardedWebSocket,
            "translate_request": translate_request,
        }

    async def drop(
        self, sid: str | None, environ: dict[str, Any] | None, problem: MalformedPacket
    ) -> None:
        """One WARNING line; the session's disconnect handlers run and its WebSocket closes.
        Not ``disconnect()``: that waits for a long-polling client to collect the close."""
        _warn(sid, (environ or {}).get("aiohttp.request"), problem)
        socket = self.sockets.get(sid) if sid is not None else None
        if socket is not None:
            await socket.close(wait=False, reason=self.reason.SERVER_DISCONNECT)
        websocket = self.websockets.get(sid) if sid is not None else None
        if websocket is not None:
            await websocket.close_for(problem)


UNKNOWN = RoomError("unknown_event", "this namespace takes no events").as_ack()


class WireServer(socketio.AsyncServer):  # type: ignore[misc]
    """python-socketio's server with the wire read strictly (see the module's docstring)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(serializer=WirePacket, **kwargs)

    def _engineio_server_class(self) -> type[GuardedEngine]:
        return GuardedEngine

    def register_namespace(self, namespace_handler: Any) -> None:
        if not isinstance(namespace_handler, WireNamespace):
            raise TypeError("namespaces on this server take events through wire_event")
        super().register_namespace(namespace_handler)

    async def _handle_connect(self, eio_sid: str, namespace: str | None, data: Any) -> None:
        """python-socketio's CONNECT handling, then the namespace's ``wire_connected`` for a
        connection it accepted: the greeting waits on the CONNECT packet, not a poll for it.
        A CONNECT on a namespace the client has already joined is refused and greets no one."""
        namespace = namespace or "/"
        joined = self.manager.sid_from_eio_sid(eio_sid, namespace) is not None
        await super()._handle_connect(eio_sid, namespace, data)
        handler = self.namespace_handlers.get(namespace)
        sid = None if joined else self.manager.sid_from_eio_sid(eio_sid, namespace)
        if handler is not None and sid is not None and self.manager.is_connected(sid, namespace):
            await handler.wire_connected(sid)

    async def _handle_eio_message(self, eio_sid: str, data: Any) -> None:
        try:
            await super()._handle_eio_message(eio_sid, data)
        except MalformedPacket as problem:  # only WirePacket.decode raises it
            await self.eio.drop(eio_sid, self.environ.get(eio_sid), problem)

    async def _handle_event_internal(
        self,
        server: WireServer,
        sid: str,
        eio_sid: str,
        data: list[Any],
        namespace: str,
        id: int | None,
    ) -> None:
        handler = self.namespace_handlers.get(namespace)
        answer = UNKNOWN if handler is None else await handler.wire_event(data[0], sid, data[1:])
        if id is not None:
            ack = self.packet_class(sio_packet.ACK, namespace=namespace, id=id, data=[answer])
            await server._send_packet(eio_sid, ack)
