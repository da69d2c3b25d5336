"""The lectures' media wherever they are held: here, or relayed to the lecture's media node.

Socket.IO connections land on any ``serve`` process, but a lecture's peer connections must
all end on the one process holding its media (``signaling.media_nodes``). The namespace asks
this relay for everything media; for a lecture placed here it runs on ``NamespaceMedia`` as in
one process, and for a lecture placed on another node it sends the same request over the
``NodeBus`` and hands back the answer. The holder sends its server offers and catalogue
straight to the socket (python-socketio's Redis manager carries an emit to a socket on any
process), and the browser opens its peer connection with the holder's ICE candidates: the
browser never knows which process holds its media.

Every beat renews this node's lease and looks after the lectures it relays: a holder that
lost its lease has its lectures placed again, and the node that moved one tells the room
``media:moved``, on which clients open a new peer connection and publish again. A lecture
this node holds but is no longer placed on (its lease lapsed meanwhile) is closed here.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, TypeGuard

from redis.asyncio import Redis

from classroom_server.room import Actor, Outcome, RoomContext, RoomError
from classroom_server.room.outcome import StartRecording
from signaling.media_events import MEDIA_EVENTS, MediaEvent
from signaling.media_nodes import MediaNodes, NoMediaNode, Placement
from signaling.namespace_media import EmitRoom, NamespaceMedia
from signaling.node_bus import Handler, NodeBus, NodeUnreachable, RemoteError

log = logging.getLogger(__name__)
MOVED = "media:moved"


def _actor(data: list[Any]) -> Actor:
    user_id, name, role = data
    return Actor(int(user_id), str(name), role)


class MediaRelay:
    """See the module docstring."""

    def __init__(
        self,
        local: NamespaceMedia,
        nodes: MediaNodes,
        redis: Redis | None,
        context: Callable[[int], RoomContext],
        emit_room: EmitRoom,
        beat_seconds: float,
    ) -> None:
        self.local = local
        self.nodes = nodes
        self._context = context
        self._emit_room = emit_room
        self._beat_seconds = beat_seconds
        self._bus = NodeBus(redis, nodes.node_id, self._serve) if redis is not None else None
        self._remote: dict[int, str] = {}
        """Lectures this node relays, and the node holding each as last seen."""
        self._services: dict[str, Handler] = {}
        self._beating: asyncio.Task[None] | None = None

    @property
    def ice_servers(self) -> list[dict[str, Any]]:
        return self.local.ice_servers

    async def start(self) -> None:
        if self._bus is not None:
            await self._bus.start()
        await self._beat()
        self._beating = asyncio.get_running_loop().create_task(self._beat_forever())

    async def stop(self) -> None:
        if self._beating is not None:
            self._beating.cancel()
            await asyncio.gather(self._beating, return_exceptions=True)
        try:
            await self.nodes.leave()
        except Exception:
            log.warning("media node: could not give up the lease", exc_info=True)
        if self._bus is not None:
            await self._bus.stop()

    # -- what the namespace asks ------------------------------------------------------

    async def run(
        self, name: str, event: MediaEvent, sid: str, actor: Actor, ctx: RoomContext, data: Any
    ) -> Outcome:
        """A client's media event, run where the lecture's media is held."""
        node = await self.place(ctx.lecture_id)
        if not self.elsewhere(node):
            return await self.local.run(event.handler, sid, actor, ctx, data)
        args = {
            "name": name,
            "sid": sid,
            "actor": [actor.user_id, actor.name, actor.role],
            "lecture": ctx.lecture_id,
            "payload": data.model_dump(mode="json"),
        }
        return Outcome(ack=await self.call(node, "event", args))

    async def welcome(self, sid: str, ctx: RoomContext, actor: Actor) -> None:
        node = await self.holder(ctx.lecture_id)
        if not self.elsewhere(node):
            await self.local.welcome(sid, ctx, actor)
            return
        args = {
            "sid": sid,
            "lecture": ctx.lecture_id,
            "actor": [actor.user_id, actor.name, actor.role],
        }
        try:
            await self.call(node, "welcome", args)
        except RoomError:
            log.warning("media node %s could not welcome %s", node, sid)

    async def resync(self, lecture_id: int) -> None:
        await self._tell(lecture_id, "resync", {"lecture": lecture_id})

    async def disconnected(self, sid: str, lecture_id: int, user: int, room_empty: bool) -> None:
        args = {"sid": sid, "lecture": lecture_id, "user": user, "empty": room_empty}
        await self._tell(lecture_id, "disconnected", args)

    async def ended(self, lecture_id: int) -> None:
        await self._tell(lecture_id, "ended", {"lecture": lecture_id})
        self._remote.pop(lecture_id, None)

    # -- for others that follow the media (the recorder) --------------------------------

    def serve(self, op: str, handler: Handler) -> None:
        """Other nodes' requests ``op`` for this node's lectures run ``handler``."""
        self._services[op] = handler

    def elsewhere(self, node: str | None) -> TypeGuard[str]:
        """Whether ``node`` (a holder; None when unplaced, which means here) is another."""
        return node is not None and node != self.nodes.node_id

    async def tell(self, node: str, op: str, args: dict[str, Any]) -> None:
        """``op`` on ``node`` (another), without waiting; lost if that node is gone."""
        assert self._bus is not None
        try:
            await self._bus.tell(node, op, args)
        except NodeUnreachable:
            log.info("media node %s gone before %s", node, op)

    # -- where a lecture is held --------------------------------------------------------

    def _known(self, lecture_id: int) -> str | None:
        if self.local.registry.lecture(lecture_id) is not None:
            return self.nodes.node_id  # the beat closes it here if it was placed elsewhere
        return self._remote.get(lecture_id)

    def _remember(self, lecture_id: int, node: str | None) -> None:
        if node is not None and node != self.nodes.node_id:
            self._remote[lecture_id] = node

    async def holder(self, lecture_id: int) -> str | None:
        """The lecture's node, None when it is placed nowhere (nobody has joined media)."""
        node = self._known(lecture_id) or await self.nodes.placed(lecture_id)
        self._remember(lecture_id, node)
        return node

    async def place(self, lecture_id: int) -> str:
        """The lecture's node, placed now if it has none or its node is gone."""
        node = self._known(lecture_id)
        if node is not None:
            return node
        try:
            placement = await self.nodes.place(lecture_id)
        except NoMediaNode as exc:
            raise RoomError("media_unavailable", str(exc)) from None
        self._remember(lecture_id, placement.node)
        await self._placed(lecture_id, placement)
        return placement.node

    async def _placed(self, lecture_id: int, placement: Placement) -> None:
        if not placement.moved:
            return
        log.warning("lecture %s: its media node was lost, placed on %s", lecture_id, placement.node)
        outcome = Outcome().emit(MOVED, {"reason": "node_lost"})
        if await self.nodes.was_recording(lecture_id):
            outcome = outcome.effect(StartRecording())  # a new take, on the new node
        await self._emit_room(lecture_id, outcome)

    async def call(self, node: str, op: str, args: dict[str, Any]) -> dict[str, Any]:
        """``op`` on ``node`` (another), its answer; its errors as ``RoomError``."""
        assert self._bus is not None  # another node is named only where Redis is shared
        try:
            return await self._bus.call(node, op, args)
        except RemoteError as exc:
            raise RoomError(exc.code, str(exc), **exc.extra) from None
        except NodeUnreachable as exc:
            self._remote.pop(args["lecture"], None)
            raise RoomError("media_unavailable", f"{exc}; try again") from None

    async def _tell(self, lecture_id: int, op: str, args: dict[str, Any]) -> None:
        node = await self.holder(lecture_id)
        if self.elsewhere(node):
            await self.tell(node, op, args)
        else:
            await self._serve(op, args)

    # -- what other nodes ask of this one ------------------------------------------------

    async def _serve(self, op: str, args: dict[str, Any]) -> dict[str, Any]:
        lecture_id = int(args["lecture"])
        if op in self._services:
            return await self._services[op](op, args)
        if op == "event":
            return await self._serve_event(args)
        if op == "welcome":
            await self.local.welcome(args["sid"], self._context(lecture_id), _actor(args["actor"]))
        elif op == "resync":
            await self.local.resync(lecture_id)
        elif op == "disconnected":
            # An emptied room's media closes, but its placement stays (until the lecture
            # ends): nodes that relay to this one may still name it, and must be right.
            empty = bool(args["empty"])
            await self.local.disconnected(args["sid"], lecture_id, int(args["user"]), empty)
        elif op == "ended":
            await self.local.ended(lecture_id)
            await self.nodes.release(lecture_id)
        else:
            raise RemoteError("unknown_operation", f"no media operation {op!r}", {})
        return {}

    async def _serve_event(self, args: dict[str, Any]) -> dict[str, Any]:
        event = MEDIA_EVENTS.get(args["name"])
        if event is None:
            raise RemoteError("unknown_event", f"no media event {args['name']!r}", {})
        ctx = self._context(int(args["lecture"]))
        data = event.payload.model_validate(args["payload"])
        try:
            outcome = await self.local.run(
                event.handler, args["sid"], _actor(args["actor"]), ctx, data
            )
        except RoomError as exc:
            raise RemoteError(exc.code, exc.message, exc.extra) from None
        await self._emit_room(ctx.lecture_id, outcome)
        return outcome.ack

    # -- the beat -----------------------------------------------------------------------

    async def _beat_forever(self) -> None:
        while True:
            await asyncio.sleep(self._beat_seconds)
            await self._beat()

    async def _beat(self) -> None:
        try:
            await self.nodes.beat(self.local.connections())
            await self._check_held(self.local.holding())
            await self._check_relayed()
        except Exception:
            log.warning("media node: beat failed", exc_info=True)

    async def _check_held(self, holding: list[int]) -> None:
        for lecture_id in holding:
            node = await self.nodes.placed(lecture_id)
            if node is not None and node != self.nodes.node_id:
                log.warning(
                    "lecture %s is placed on %s now: closing its media here", lecture_id, node
                )
                await self.local.ended(lecture_id)

    async def _check_relayed(self) -> None:
        """Follows the placements of the lectures this node relays: one that ended is
        forgotten, one placed elsewhere is followed, and one whose node died is placed again."""
        for lecture_id in list(self._remote):
            node = await self.nodes.placed(lecture_id)
            if node is None or node == self.nodes.node_id:
                del self._remote[lecture_id]
            else:
                self._remote[lecture_id] = node
        alive = await self.nodes.alive(set(self._remote.values()))
        for lecture_id, node in list(self._remote.items()):
            if node in alive:
                continue
            del self._remote[lecture_id]
            try:
                placement = await self.nodes.place(lecture_id)
            except NoMediaNode:
                log.warning("lecture %s lost its media node and no node has room", lecture_id)
                continue
            self._remember(lecture_id, placement.node)
            await self._placed(lecture_id, placement)
