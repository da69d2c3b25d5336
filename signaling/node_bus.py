"""Requests between media nodes over Redis pub/sub: one channel per node.

A node that gets a media event for a lecture held elsewhere asks the holder to run it and
waits for the answer (``call``), or only tells it (``tell``: a resync, a socket gone). Replies
travel on the asker's own channel, matched by request id. Pub/sub keeps nothing: a request to
a node that is not listening fails at once (no subscriber), and one whose node dies before
answering times out, each as a ``NodeUnreachable`` the caller turns into an error the
client sees. Requests in flight per node are bounded, so a flood queues nowhere.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.client import PubSub

log = logging.getLogger(__name__)
CALL_TIMEOUT_SECONDS = 10.0
MAX_IN_FLIGHT = 256
"""Requests this node runs for others at once; more are refused (the asker sees an error)."""

Handler = Callable[[str, dict[str, Any]], Awaitable[dict[str, Any]]]
"""(operation, arguments) -> result, run for another node."""


def channel(node: str) -> str:
    return f"qou:media:bus:{node}"


class NodeUnreachable(Exception):
    """The node did not answer: not listening, gone, or too busy."""


class RemoteError(Exception):
    """The request ran on the other node and failed there with ``code``."""

    def __init__(self, code: str, message: str, extra: dict[str, Any]) -> None:
        super().__init__(message)
        self.code = code
        self.extra = extra


class NodeBus:
    """This node's end of the bus; ``handler`` runs what other nodes ask of it."""

    def __init__(self, redis: Redis, node_id: str, handler: Handler) -> None:
        self._redis = redis
        self._node = node_id
        self._handler = handler
        self._pending: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._running: set[asyncio.Task[None]] = set()
        self._pubsub: PubSub | None = None
        self._listener: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Listens from now on; a Redis that cannot be reached now (the server still starts
        and says so on /readyz) is tried again every second."""
        self._pubsub = pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        try:
            await pubsub.subscribe(channel(self._node))
        except Exception:
            log.warning("node bus: cannot subscribe yet; trying again", exc_info=True)
        self._listener = asyncio.get_running_loop().create_task(self._listen(pubsub))

    async def stop(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            await asyncio.gather(self._listener, return_exceptions=True)
        for task in list(self._running):
            task.cancel()
        await asyncio.gather(*self._running, return_exceptions=True)
        if self._pubsub is not None:
            await self._pubsub.aclose()
        for future in self._pending.values():
            future.cancel()

    async def call(self, node: str, op: str, args: dict[str, Any]) -> dict[str, Any]:
        request_id = secrets.token_hex(8)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[request_id] = future
        try:
            message = {"id": request_id, "op": op, "args": args, "reply": self._node}
            await self._send(node, message)
            reply = await asyncio.wait_for(future, CALL_TIMEOUT_SECONDS)
        except TimeoutError:
            raise NodeUnreachable(f"media node {node} did not answer {op}") from None
        finally:
            self._pending.pop(request_id, None)
        if "error" in reply:
            error = reply["error"]
            raise RemoteError(error["code"], error["message"], error.get("extra", {}))
        result: dict[str, Any] = reply["result"]
        return result

    async def tell(self, node: str, op: str, args: dict[str, Any]) -> None:
        await self._send(node, {"op": op, "args": args})

    async def _send(self, node: str, message: dict[str, Any]) -> None:
        listeners = await self._redis.publish(channel(node), json.dumps(message))
        if not listeners:
            raise NodeUnreachable(f"media node {node} is not listening")

    async def _listen(self, pubsub: PubSub) -> None:
        while True:
            try:
                if not pubsub.channels:  # the first subscription failed
                    await pubsub.subscribe(channel(self._node))
                message = await pubsub.get_message(timeout=1.0)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("node bus: the subscription failed; listening again", exc_info=True)
                await asyncio.sleep(1.0)
                continue
            if message is not None:
                self._received(json.loads(message["data"]))

    def _received(self, message: dict[str, Any]) -> None:
        if "op" not in message:
            future = self._pending.get(message.get("id", ""))
            if future is not None and not future.done():
                future.set_result(message)
            return
        task = asyncio.get_running_loop().create_task(self._run(message))
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    async def _run(self, message: dict[str, Any]) -> None:
        reply_to = message.get("reply")
        if len(self._running) > MAX_IN_FLIGHT:
            answer: dict[str, Any] = {"error": {"code": "busy", "message": "media node busy"}}
        else:
            answer = await self._answer(message["op"], message["args"])
        if reply_to is None:
            return
        answer["id"] = message["id"]
        try:
            await self._redis.publish(channel(reply_to), json.dumps(answer))
        except Exception:
            log.warning("node bus: could not reply to %s", reply_to, exc_info=True)

    async def _answer(self, op: str, args: dict[str, Any]) -> dict[str, Any]:
        try:
            return {"result": await self._handler(op, args)}
        except RemoteError as exc:
            return {"error": {"code": exc.code, "message": str(exc), "extra": exc.extra}}
        except Exception as exc:
            log.exception("node bus: %s failed", op)
            return {"error": {"code": "internal_error", "message": str(exc) or op}}
