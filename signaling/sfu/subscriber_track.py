"""One subscriber's view of a published track.

Frames reach the subscriber in one of two ways. A participant's subscription has a
``DirectSender``: the forwarder's ``offer`` sends each frame at once on the subscriber's
transport, so no task, queue or wake-up is spent per subscriber. A local consumer without a
transport (the recorder) pulls them with ``recv()`` from a bounded queue. Either way the
forwarder never waits, so a slow subscriber only hurts itself: when its queue overflows (or
its socket pushes back) it discards what it holds and skips frames until a keyframe. Dropping
the backlog rather than the newest frames keeps a recovered subscriber live instead of
permanently behind.

A subscriber asks for a keyframe when it needs one *and can use one*: it waits for a keyframe
and its sender is ready. Asking earlier (say, before DTLS is up) would only spend the
publisher's keyframe, and the 500 ms throttle, on frames nobody can take.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable

import av
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from av.stream import Stream

from signaling.sfu.direct_sender import DirectSender

VIDEO_QUEUE_FRAMES = 30  # one second at 30 fps
AUDIO_QUEUE_FRAMES = 50  # one second of 20 ms Opus frames


class SubscriberTrack(MediaStreamTrack):
    """Encoded frames for one subscriber; see the module docstring for the policy."""

    def __init__(
        self,
        kind: str,
        request_keyframe: Callable[[], None],
        on_drop: Callable[[int], None],
        capacity: int | None = None,
    ) -> None:
        super().__init__()
        self.kind = kind
        self._request_keyframe = request_keyframe
        self._on_drop = on_drop
        self._capacity = capacity or (VIDEO_QUEUE_FRAMES if kind == "video" else AUDIO_QUEUE_FRAMES)
        self._queue: deque[av.Packet[Stream]] = deque()
        self._waiter: asyncio.Future[None] | None = None
        self.direct: DirectSender | None = None
        # A decoder can only start on a keyframe, so a new subscriber starts out waiting.
        self.awaiting_keyframe = True
        self.dropped_frames = 0

    def offer(self, packet: av.Packet[Stream]) -> bool:
        """Deliver ``packet`` unless this subscriber waits for a keyframe or is overflowing.

        Returns whether it was sent or queued. Never blocks, never raises on a slow consumer.
        """
        if self.awaiting_keyframe and not packet.is_keyframe:
            self._drop(1)
            if self._ready():
                self._request_keyframe()
            return False
        direct = self.direct
        if direct is not None:
            return self._send(direct, packet)
        if len(self._queue) >= self._capacity:
            return self._overflow(packet)
        self.awaiting_keyframe = False
        self._queue.append(packet)
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            if not waiter.done():
                waiter.set_result(None)
        return True

    def _send(self, direct: DirectSender, packet: av.Packet[Stream]) -> bool:
        if direct.send(packet):
            self.awaiting_keyframe = False
            return True
        self._drop(1)
        self.awaiting_keyframe = True
        return False

    def _ready(self) -> bool:
        direct = self.direct
        if direct is not None:
            return direct.ready()
        return self._waiter is not None  # the consumer is waiting in recv()

    def _overflow(self, packet: av.Packet[Stream]) -> bool:
        self._drop(len(self._queue))
        self._queue.clear()
        if packet.is_keyframe:
            return self.offer(packet)
        self._drop(1)
        self.awaiting_keyframe = True
        return False

    def _drop(self, frames: int) -> None:
        self.dropped_frames += frames
        self._on_drop(frames)

    @property
    def queued(self) -> int:
        return len(self._queue)

    async def recv(self) -> av.Packet[Stream]:
        """Next queued frame for a local consumer. With a ``DirectSender`` none ever comes and
        this waits until the track stops, which keeps aiortc's own sending loop (which reads
        the transceiver's track) idle."""
        while not self._queue:
            if self.readyState != "live":
                raise MediaStreamError
            self._waiter = asyncio.get_running_loop().create_future()
            await self._waiter
        return self._queue.popleft()

    def stop(self) -> None:
        super().stop()
        self._queue.clear()
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)
