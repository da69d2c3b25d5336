"""aiortc client peers for the SFU on 127.0.0.1, for tests and benchmarks (not shipped).

A ``ClientPeer`` publishes tracks and answers the SFU's offers like a browser would. With
``decode=False`` it taps its own receivers and only counts encoded frames, so that thousands
of subscribers cost the machine almost nothing next to the SFU being measured.
``TestCardTrack`` paints each frame's index into the picture as black/white blocks beside a
fixed colour patch, which ``read_test_card`` recovers after lossy coding.
"""

from __future__ import annotations

import asyncio
import fractions
import math
import time
from collections import defaultdict, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial

from aiortc import RTCPeerConnection, RTCRtpSender, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack, VideoStreamTrack
from av import VideoFrame
from av.frame import Frame
from av.packet import Packet
from av.stream import Stream

from signaling.sfu import ice, redundancy
from signaling.sfu.connection import SdpDict
from signaling.sfu.keyframes import is_h264_keyframe, is_vp8_keyframe
from signaling.sfu.receiver_tap import ReceiverTap
from signaling.sfu.room_media import RoomMedia

WIDTH, HEIGHT = 320, 240
BITS = 16  # frame index bits, two rows of eight blocks
BLOCK_W, BLOCK_H = WIDTH // 8, 80
PATCH_RGB = (30, 90, 200)  # the colour patch in the bottom third


def paint_test_card(index: int) -> VideoFrame:
    """An RGB frame carrying ``index`` (mod 2**16) as 16 black/white blocks.

    Painted row by row in plain bytes, which is quick enough at 320x240 and 30 fps.
    """
    frame = VideoFrame(WIDTH, HEIGHT, "rgb24")
    plane = frame.planes[0]
    pad = bytes(plane.line_size - WIDTH * 3)
    bands = []
    for row in range(BITS // 8):
        line = b"".join(
            (b"\xff" if index >> (row * 8 + col) & 1 else b"\x00") * (BLOCK_W * 3)
            for col in range(8)
        )
        bands.append((line + pad) * BLOCK_H)
    bands.append((bytes(PATCH_RGB) * WIDTH + pad) * (HEIGHT - 2 * BLOCK_H))
    plane.update(b"".join(bands))
    return frame


def read_test_card(frame: VideoFrame, tolerance: int = 40) -> int | None:
    """The index painted by ``paint_test_card``, or None if the picture is not intact."""
    if (frame.width, frame.height) != (WIDTH, HEIGHT):
        return None
    plane = frame.reformat(format="rgb24").planes[0]
    pixels, stride = bytes(plane), plane.line_size

    def mean(top: int, bottom: int, left: int, right: int, channel: int | None = None) -> float:
        """Mean byte over rows [top, bottom) and columns [left, right): of all three
        channels, or of one."""
        if channel is None:
            first, step, count = left * 3, 1, (right - left) * 3
        else:
            first, step, count = left * 3 + channel, 3, right - left
        end = right * 3
        total = sum(
            sum(pixels[y * stride + first : y * stride + end : step]) for y in range(top, bottom)
        )
        return total / (count * (bottom - top))

    patch = [mean(2 * BLOCK_H + 8, HEIGHT - 8, 8, WIDTH - 8, c) for c in range(3)]
    if max(abs(level - want) for level, want in zip(patch, PATCH_RGB, strict=True)) > tolerance:
        return None
    index = 0
    for bit in range(BITS):
        row, col = divmod(bit, 8)
        level = mean(
            row * BLOCK_H + 8, (row + 1) * BLOCK_H - 8, col * BLOCK_W + 6, (col + 1) * BLOCK_W - 6
        )
        if tolerance < level < 255 - tolerance:
            return None  # neither black nor white: the picture is damaged
        index |= (level > 127) << bit
    return index


class TestCardTrack(VideoStreamTrack):
    """30 fps test card, paced in real time by aiortc's ``next_timestamp``."""

    __test__ = False  # not a pytest class, despite the name

    async def recv(self) -> Frame:
        pts, time_base = await self.next_timestamp()
        index = pts // 3000  # 90 kHz clock, 30 fps
        frame = paint_test_card(index)
        frame.pts = pts
        frame.time_base = time_base
        return frame


KEPT_PAYLOADS = 256


@dataclass
class FrameLog:
    """What one received track delivered: arrival times, keyframes (when counting),
    test-card indices (when decoding) and, for a peer taking RED, its latest audio payloads."""

    kind: str
    arrivals: list[float] = field(default_factory=list)
    keyframes: int = 0
    indices: list[int | None] = field(default_factory=list)
    first_keyframe_at: float | None = None
    payloads: deque[bytes] = field(default_factory=lambda: deque(maxlen=KEPT_PAYLOADS))


class ClientPeer:
    """A participant's side of one connection to the SFU; see the module docstring."""

    def __init__(self, *, decode: bool = True, red: bool = False) -> None:
        """``red``: answer the SFU with RED, as a browser does, and keep each audio payload
        as received (aiortc cannot decode RED, so ``decode`` must then be False)."""
        assert not (red and decode), "aiortc cannot decode RED"
        if red:
            redundancy.register()
        self.pc = RTCPeerConnection(ice.configuration(ice.LOOPBACK))
        self._decode = decode
        self._red = red
        self.by_kind: dict[str, list[FrameLog]] = defaultdict(list)
        self._tasks: set[asyncio.Task[None]] = set()
        self.pc.on("track", self._on_track)

    def _on_track(self, track: MediaStreamTrack) -> None:
        log = FrameLog(track.kind)
        self.by_kind[track.kind].append(log)
        if self._decode:
            task = asyncio.ensure_future(self._consume(track, log))
            self._tasks.add(task)
            return
        for transceiver in self.pc.getTransceivers():
            if transceiver.receiver.track is track:
                ReceiverTap(transceiver.receiver).deliver_to(partial(self._count, log))

    def _count(self, log: FrameLog, data: bytes, timestamp: int) -> None:
        now = time.monotonic()
        log.arrivals.append(now)
        if self._red and log.kind == "audio":
            log.payloads.append(data)
        if log.kind == "video" and self._is_keyframe(data):
            log.keyframes += 1
            if log.first_keyframe_at is None:
                log.first_keyframe_at = now

    @staticmethod
    def _is_keyframe(data: bytes) -> bool:
        # aiortc's H.264 depacketizer always starts a frame with a 4-byte start code,
        # which a VP8 frame tag never is.
        if data.startswith(b"\x00\x00\x00\x01"):
            return is_h264_keyframe(data)
        return is_vp8_keyframe(data)

    async def _consume(self, track: MediaStreamTrack, log: FrameLog) -> None:
        try:
            while True:
                frame = await track.recv()
                log.arrivals.append(time.monotonic())
                if isinstance(frame, VideoFrame):
                    log.indices.append(read_test_card(frame))
        except MediaStreamError:
            pass

    async def offer(
        self, tracks: Sequence[MediaStreamTrack], video_codec: str | None = "H264"
    ) -> SdpDict:
        """Offer to publish ``tracks``, sending video as ``video_codec`` (None: offer all of
        aiortc's video codecs in its own order, VP8 first)."""
        for track in tracks:
            transceiver = self.pc.addTransceiver(track, direction="sendonly")
            if track.kind == "video" and video_codec is not None:
                capabilities = RTCRtpSender.getCapabilities("video").codecs
                transceiver.setCodecPreferences(
                    [c for c in capabilities if c.mimeType == f"video/{video_codec}"]
                )
        if not self._red:
            self._refuse_red()
        with ice.gathering_on(ice.LOOPBACK):
            await self.pc.setLocalDescription(await self.pc.createOffer())
        return {"type": "offer", "sdp": self.pc.localDescription.sdp}

    def _refuse_red(self) -> None:
        """aiortc offers every codec it knows on every audio m-line, receiving ones included,
        and RED is among them once the SFU registered it in this process: an offer must not
        claim RED this peer cannot decode (the SFU would then send it RED)."""
        audio = RTCRtpSender.getCapabilities("audio").codecs
        plain = [c for c in audio if c.mimeType.lower() != "audio/red"]
        for transceiver in self.pc.getTransceivers():
            if transceiver.kind == "audio":
                transceiver.setCodecPreferences(plain)

    async def accept(self, answer: SdpDict) -> None:
        await self.pc.setRemoteDescription(RTCSessionDescription(**answer))

    async def answer(self, offer: SdpDict) -> SdpDict:
        """Answer a server offer; unless this peer takes RED (which aiortc cannot decode),
        RED is left out and the SFU sends it plain Opus (see ``redundancy``)."""
        sdp = offer["sdp"] if self._red else redundancy.without_red(offer["sdp"])
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type=offer["type"]))
        with ice.gathering_on(ice.LOOPBACK):
            await self.pc.setLocalDescription(await self.pc.createAnswer())
        return {"type": "answer", "sdp": self.pc.localDescription.sdp}

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await self.pc.close()


class PacketReplayTrack(MediaStreamTrack):
    """Replays pre-encoded packets in real time, looping with ever-increasing timestamps.

    Lets a benchmark publisher send realistic media for the cost of packetizing it.
    """

    def __init__(
        self, kind: str, packets: Sequence[bytes], clock_rate: int, frame_ticks: int
    ) -> None:
        super().__init__()
        self.kind = kind
        self._packets = packets
        self._time_base = fractions.Fraction(1, clock_rate)
        self._ticks = frame_ticks
        self._period = frame_ticks / clock_rate
        self.frames_sent = 0
        self._start: float | None = None

    async def recv(self) -> Packet[Stream]:
        if self._start is None:
            self._start = time.monotonic()
        due = self._start + self.frames_sent * self._period
        delay = due - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        data = self._packets[self.frames_sent % len(self._packets)]
        packet = Packet(data)
        packet.pts = self.frames_sent * self._ticks
        packet.time_base = self._time_base
        self.frames_sent += 1
        return packet


async def publish(
    room: RoomMedia,
    participant_id: str,
    tracks: Sequence[MediaStreamTrack],
    video_codec: str = "H264",
    red: bool = False,
) -> ClientPeer:
    """A client that publishes ``tracks`` into ``room`` (client-initiated offer)."""
    client = ClientPeer(decode=False, red=red)
    connection = room.connect(participant_id)
    await client.accept(await connection.handle_offer(await client.offer(tracks, video_codec)))
    return client


def join(
    room: RoomMedia, participant_id: str, *, decode: bool = True, red: bool = False
) -> ClientPeer:
    """A client subscribed to every current publication; the SFU's re-offers are answered
    as they come, the way a browser's signalling handler would."""
    client = ClientPeer(decode=decode, red=red)

    async def answer(offer: SdpDict) -> None:
        await room.connections[participant_id].handle_answer(await client.answer(offer))

    room.connect(participant_id, answer)
    for publication_id in room.publications:
        room.subscribe(participant_id, publication_id)
    return client


async def until(condition: Callable[[], object], within: float, step: float = 0.01) -> float:
    """Seconds until ``condition()`` held (polled every ``step``); TimeoutError after
    ``within`` seconds. Media arrives on other tasks, so polling is the honest way to wait."""
    start = time.monotonic()
    for _ in range(math.ceil(within / step) + 1):
        if condition():
            return time.monotonic() - start
        await asyncio.sleep(step)
    raise TimeoutError(f"condition not met within {within} s")
