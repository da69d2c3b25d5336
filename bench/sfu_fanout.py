"""SFU fan-out: server CPU per subscriber for one 500 kbps video + Opus lecture.

The question is how many students one server core can carry when the SFU forwards encoded
frames, and how that compares with aiortc's MediaRelay (decode once, re-encode per
subscriber), the obvious stock alternative.

    python bench/sfu_fanout.py [--quick]

How it measures, and why this way:

* The server (``--role server``) runs as a subprocess pinned to core 0 (``taskset -c 0``);
  the publisher, the subscribers and this orchestrator run on core 1, so only server work
  lands on the measured core. Server CPU is utime + stime of all its threads, read from
  ``/proc/<pid>/stat`` at the start and end of a steady-state window.
* The publisher replays a clip encoded once up front (H.264 ~500 kbps, 640x360, 30 fps,
  keyframe every 2 s, plus 20 ms Opus frames), so publishing costs no encoding.
* Subscribers are real aiortc peers on 127.0.0.1, several processes of them, that tap their
  own receivers and count encoded frames: they never decode, so the client core keeps up.
* Each subscriber's video and audio frame counts in the window are checked against the
  publisher's 30 and 50 frames/s: a size "holds full rate" when every subscriber got >= 95%.
* The MediaRelay baseline uses the same publisher and subscribers; each subscriber's sender
  re-encodes the decoded frames with aiortc's H.264 encoder.
* Each size gets a fresh server process, so no run inherits another's state.

Figures: server CPU-seconds per subscriber per second of media (CPU / N / window), RTP
packets sent per server CPU-second (from the senders' own stats), and subscribers per core
= 1 / (CPU per subscriber) at the largest size that holds full rate.
"""

from __future__ import annotations

import argparse
import asyncio
import fractions
import json
import math
import os
import pickle
import socket
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import av
import numpy as np
from aiohttp import web
from aiortc import (
    RTCPeerConnection,
    RTCRtpSender,
    RTCRtpTransceiver,
    RTCSessionDescription,
)
from aiortc.codecs.base import Encoder
from aiortc.contrib.media import MediaRelay
from aiortc.mediastreams import MediaStreamTrack
from aiortc.stats import RTCOutboundRtpStreamStats
from av.frame import Frame
from av.stream import Stream

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from signaling.sfu import aiortc_internals, ice
from signaling.sfu.codecs import exactly
from signaling.sfu.connection import Connection, SdpDict
from signaling.sfu.forwarder import Forwarder
from signaling.sfu.room_media import RoomMedia
from signaling.sfu.subscriber_track import SubscriberTrack
from tests.sfu_peer import ClientPeer, PacketReplayTrack, until

SERVER_CORE, CLIENT_CORE = 0, 1
HOST = "127.0.0.1"  # loopback only, by design
FPS, AUDIO_FPS = 30, 50
VIDEO_BITRATE = 500_000
SUBSCRIBERS_PER_PROCESS = 25
JOINS_IN_FLIGHT = 4
# Subscribers yield to the publisher on the shared client core: a starved publisher stops
# answering ICE consent checks and the SFU drops it after 30 s, voiding the run.
CLIENT_NICENESS = 5
FULL_RATE = 0.95
CACHE = Path(tempfile.gettempdir()) / "qou-sfu-fanout-clip.pickle"


# --- aiortc's own senders, for comparison only ----------------------------------------------


class SharedPayloadEncoder(Encoder):
    """Hands aiortc's sender the RTP payloads the forwarder already packetized for the frame.

    The forwarder stores them in ``packet.opaque``; ``pts`` is already in RTP clock units.
    Nothing is encoded here, so ``encode`` refuses.
    """

    def encode(self, frame: Frame, force_keyframe: bool = False) -> tuple[list[bytes], int]:
        raise TypeError("the SFU forwards encoded media; it never encodes")

    def pack(self, packet: av.Packet[Stream]) -> tuple[list[bytes], int]:
        payloads = packet.opaque
        if not isinstance(payloads, list) or packet.pts is None:
            raise TypeError("packet was not prepared by the SFU forwarder")
        return payloads, packet.pts


class AiortcSenderConnection(Connection):
    """A subscriber's frames go through aiortc's ``RTCRtpSender``, which pulls them from the
    subscription's queue in a task per track and packetizes each one itself (stock aiortc),
    instead of the product's ``DirectSender``."""

    shared_payloads = False

    def _send_from(
        self, forwarder: Forwarder, transceiver: RTCRtpTransceiver, track: SubscriberTrack
    ) -> None:
        # The codec alone (and RTX): aiortc's sender cannot build RED.
        transceiver.setCodecPreferences(exactly(transceiver.kind, forwarder.codec))
        aiortc_internals.on_keyframe_request(transceiver.sender, forwarder.request_keyframe)
        if self.shared_payloads:
            # aiortc creates its encoder only when it has none (bench only: not a contract).
            transceiver.sender._RTCRtpSender__encoder = SharedPayloadEncoder()


class SharedPayloadConnection(AiortcSenderConnection):
    """aiortc's sender task per subscriber, sending the forwarder's shared packetization."""

    shared_payloads = True


class StockSenderRoom(RoomMedia):
    connection_type = AiortcSenderConnection


class SharedPayloadRoom(RoomMedia):
    connection_type = SharedPayloadConnection


MODES: dict[str, type[RoomMedia]] = {
    "sfu": RoomMedia,  # the product: DirectSender
    "sfu-sender": SharedPayloadRoom,  # aiortc's sender task per subscriber, shared packetization
    "sfu-stock": StockSenderRoom,  # aiortc's sender, packetizing per subscriber
}


# --- media, encoded once -------------------------------------------------------------------


def encode_clip(seconds: int) -> dict[str, list[bytes]]:
    """H.264 Annex-B access units and Opus packets, as a browser would send them."""
    if CACHE.exists():
        clip: dict[str, list[bytes]] = pickle.loads(CACHE.read_bytes())
        if len(clip["video"]) >= seconds * FPS:
            return clip
    clip = {"video": encode_video(seconds), "audio": encode_audio(seconds)}
    CACHE.write_bytes(pickle.dumps(clip))
    return clip


def encode_video(seconds: int) -> list[bytes]:
    codec = av.CodecContext.create("libx264", "w")
    codec.width, codec.height = 640, 360
    codec.pix_fmt = "yuv420p"
    codec.framerate = fractions.Fraction(FPS, 1)
    codec.time_base = fractions.Fraction(1, FPS)
    codec.bit_rate = VIDEO_BITRATE
    codec.gop_size = 2 * FPS
    codec.profile = "Baseline"
    codec.options = {"tune": "zerolatency", "level": "31", "maxrate": "550k", "bufsize": "500k"}
    rng = np.random.default_rng(7)
    noise = rng.integers(0, 40, (360, 640, 3), dtype=np.uint8)
    yy, xx = np.mgrid[0:360, 0:640]
    units: list[bytes] = []
    for i in range(seconds * FPS):
        image = ((xx + 4 * i) % 256).astype(np.uint8)[..., None] + ((yy + 2 * i) % 64).astype(
            np.uint8
        )[..., None]
        image = np.repeat(image, 3, axis=2) + np.roll(noise, i * 3, axis=1)
        frame = av.VideoFrame.from_ndarray(image.astype(np.uint8), format="rgb24")
        frame.pts = i
        units.extend(bytes(p) for p in codec.encode(frame.reformat(format="yuv420p")))
    units.extend(bytes(p) for p in codec.encode(None))
    return units


def encode_audio(seconds: int) -> list[bytes]:
    codec = av.CodecContext.create("libopus", "w")
    codec.sample_rate = 48000
    codec.layout = "stereo"
    codec.format = "s16"
    codec.bit_rate = 64000
    codec.time_base = fractions.Fraction(1, 48000)
    t = np.arange(960 * AUDIO_FPS * seconds) / 48000
    tone = (np.sin(2 * np.pi * 440 * t) * 8000).astype(np.int16)
    packets: list[bytes] = []
    for i in range(0, len(tone), 960):
        samples = np.repeat(tone[i : i + 960], 2).reshape(1, -1)
        frame = av.AudioFrame.from_ndarray(samples, format="s16", layout="stereo")
        frame.sample_rate = 48000
        frame.pts = i
        packets.extend(bytes(p) for p in codec.encode(frame))
    return packets


# --- the server process (core 0) -----------------------------------------------------------


class SfuServer:
    """Signalling over plain HTTP for the bench only; the SFU itself is the product code."""

    def __init__(self, room_type: type[RoomMedia]) -> None:
        self.room = room_type(
            "bench",
            host_addresses=ice.LOOPBACK,
            # Seen only when the publisher's connection dies (e.g. ICE consent expires on a
            # starved machine): the figures after it are void.
            on_unpublished=lambda pid: print(f"server: {pid} unpublished", file=sys.stderr),
        )
        self.offers: dict[str, asyncio.Queue[dict[str, str]]] = {}

    async def publish(self, offer: dict[str, str]) -> dict[str, str]:
        return await self.room.connect("publisher").handle_offer(offer)

    async def join(self, pid: str) -> dict[str, str]:
        queue = self.offers.setdefault(pid, asyncio.Queue())
        self.room.connect(pid, queue.put)
        for publication_id in self.room.publications:
            self.room.subscribe(pid, publication_id)
        return await queue.get()

    async def answer(self, pid: str, answer: dict[str, str]) -> None:
        await self.room.connections[pid].handle_answer(answer)

    def stats(self) -> dict[str, float]:
        from prometheus_client import REGISTRY

        room = {"room": "bench"}
        return {
            "frames_in": sum(f.frames_in for f in self.room.forwarders.values()),
            "publications": len(self.room.publications),
            "dropped": REGISTRY.get_sample_value("qou_sfu_dropped_frames_total", room) or 0.0,
        }

    def senders(self) -> list[RTCRtpSender]:
        return [
            s
            for pid, c in self.room.connections.items()
            if pid != "publisher"
            for s in c.pc.getSenders()
        ]


class RelayServer:
    """aiortc's MediaRelay: decode the publisher once, re-encode for every subscriber."""

    def __init__(self) -> None:
        self.relay = MediaRelay()
        self.tracks: list[MediaStreamTrack] = []
        self.pcs: dict[str, RTCPeerConnection] = {}

    def _pc(self, pid: str) -> RTCPeerConnection:
        self.pcs[pid] = RTCPeerConnection(ice.configuration(ice.LOOPBACK))
        return self.pcs[pid]

    async def _local(self, pc: RTCPeerConnection, description: RTCSessionDescription) -> SdpDict:
        with ice.gathering_on(ice.LOOPBACK):
            await pc.setLocalDescription(description)
        return {"type": pc.localDescription.type, "sdp": pc.localDescription.sdp}

    async def publish(self, offer: SdpDict) -> SdpDict:
        pc = self._pc("publisher")
        pc.on("track", self.tracks.append)
        await pc.setRemoteDescription(RTCSessionDescription(**offer))
        return await self._local(pc, await pc.createAnswer())

    async def join(self, pid: str) -> SdpDict:
        pc = self._pc(pid)
        for track in self.tracks:
            transceiver = pc.addTransceiver(self.relay.subscribe(track), direction="sendonly")
            if track.kind == "video":
                caps = RTCRtpSender.getCapabilities("video").codecs
                transceiver.setCodecPreferences([c for c in caps if c.mimeType == "video/H264"])
        return await self._local(pc, await pc.createOffer())

    async def answer(self, pid: str, answer: SdpDict) -> None:
        await self.pcs[pid].setRemoteDescription(RTCSessionDescription(**answer))

    def stats(self) -> dict[str, float]:
        return {}

    def senders(self) -> list[RTCRtpSender]:
        return [s for pid, pc in self.pcs.items() if pid != "publisher" for s in pc.getSenders()]


async def packets_sent(senders: list[RTCRtpSender]) -> int:
    """RTP packets the subscribers' senders sent, from aiortc's own stats."""
    total = 0
    for sender in senders:
        for stat in (await sender.getStats()).values():
            if isinstance(stat, RTCOutboundRtpStreamStats):
                total += stat.packetsSent
    return total


async def serve(mode: str, port: int) -> None:
    server = RelayServer() if mode == "relay" else SfuServer(MODES[mode])

    async def publish(request: web.Request) -> web.Response:
        return web.json_response(await server.publish(await request.json()))

    async def join(request: web.Request) -> web.Response:
        return web.json_response(await server.join(request.match_info["pid"]))

    async def answer(request: web.Request) -> web.Response:
        await server.answer(request.match_info["pid"], await request.json())
        return web.json_response({})

    async def stats(request: web.Request) -> web.Response:
        return web.json_response(
            {"packets_sent": await packets_sent(server.senders()), **server.stats()}
        )

    app = web.Application()
    app.router.add_post("/publish", publish)
    app.router.add_post("/join/{pid}", join)
    app.router.add_post("/answer/{pid}", answer)
    app.router.add_get("/stats", stats)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, HOST, port).start()
    await asyncio.Event().wait()


# --- subscriber processes (core 1) ---------------------------------------------------------


async def run_clients(base: str, prefix: str, count: int) -> None:
    """Join ``count`` subscribers and say READY; then, for each window read from stdin (two
    monotonic-clock times: CLOCK_MONOTONIC is one clock for all processes), report each
    subscriber's frame counts in it, until the orchestrator ends the process."""
    peers = [ClientPeer(decode=False, red=True) for _ in range(count)]  # as browsers answer
    joins: list[float] = []
    limit = asyncio.Semaphore(JOINS_IN_FLIGHT)
    async with aiohttp.ClientSession() as http:

        async def join(i: int, peer: ClientPeer) -> None:
            async with limit:
                start = time.monotonic()
                async with http.post(f"{base}/join/{prefix}{i}") as response:
                    offer = await response.json()
                async with http.post(f"{base}/answer/{prefix}{i}", json=await peer.answer(offer)):
                    pass
            await until(lambda: any(log.first_keyframe_at for log in peer.by_kind["video"]), 30)
            joins.append(time.monotonic() - start)

        await asyncio.gather(*(join(i, peer) for i, peer in enumerate(peers)))
    print("READY " + json.dumps({"joins": joins}), flush=True)
    loop = asyncio.get_running_loop()
    while line := await loop.run_in_executor(None, sys.stdin.readline):
        t0, t1 = map(float, line.split())
        counts = [
            {
                kind: sum(t0 <= t <= t1 for log in peer.by_kind[kind] for t in log.arrivals)
                for kind in ("video", "audio")
            }
            for peer in peers
        ]
        print("COUNTS " + json.dumps(counts), flush=True)


# --- the orchestrator (core 1) -------------------------------------------------------------


@dataclass
class Run:
    mode: str
    subscribers: int
    window: float
    cpu: float
    client_cpu: float
    packets: int
    counts: list[dict[str, int]]
    joins: list[float]
    published: int  # frames the publisher sent in the window
    arrived: int | None  # frames the SFU's taps delivered in the window (None: MediaRelay)

    @property
    def cpu_ms_per_subscriber(self) -> float:
        return 1000 * self.cpu / self.subscribers / self.window

    @property
    def packets_per_cpu_second(self) -> float:
        return self.packets / self.cpu if self.cpu else math.inf

    def worst(self, kind: str, rate: int) -> float:
        return min(c[kind] for c in self.counts) / (rate * self.window)

    @property
    def full_rate(self) -> bool:
        return self.worst("video", FPS) >= FULL_RATE and self.worst("audio", AUDIO_FPS) >= FULL_RATE


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def cpu_seconds(pid: int) -> float:
    """utime + stime of all the process's threads (fields 14 and 15 of /proc/pid/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def role_command(*args: str, core: int, niceness: int = 0) -> list[str]:
    """nice and taskset exec, so the child's pid is the measured Python process's own."""
    pin = ["taskset", "-c", str(core)]
    return ["nice", "-n", str(niceness), *pin, sys.executable, __file__, *args]


async def read_line(process: asyncio.subprocess.Process, tag: str) -> Any:
    assert process.stdout is not None
    while line := (await process.stdout.readline()).decode():
        if line.startswith(tag + " "):
            return json.loads(line[len(tag) + 1 :])
    raise ClientsFailed(f"a client process exited before {tag}")


class PublisherLost(RuntimeError):
    """aioice ends a connection after 30 s without consent answers, which happens when the
    machine is starved (other jobs at higher priority); figures after that are void."""


class ClientsFailed(RuntimeError):
    """Subscribers could not join (or report), typically after ``PublisherLost``."""


class Session:
    """One server process (one mode), one publisher, and subscribers added size by size."""

    def __init__(self, mode: str, clip: dict[str, list[bytes]], profile: Path | None) -> None:
        self.mode = mode
        self.clip = clip
        self.profile = profile
        self.base = f"http://{HOST}:{free_port()}"
        self.publisher = ClientPeer(decode=False)
        self.clients: list[asyncio.subprocess.Process] = []
        self.joins: list[float] = []
        self.sizes: list[int] = []
        self.tracks: list[PacketReplayTrack] = []
        self.server: asyncio.subprocess.Process | None = None
        self.http: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        port = self.base.rsplit(":", 1)[1]
        self.server = await asyncio.create_subprocess_exec(
            *role_command("--role", "server", "--mode", self.mode, "--port", port, core=0),
            stdout=asyncio.subprocess.DEVNULL,
        )
        self.http = aiohttp.ClientSession()
        for _ in range(200):
            if await self._listening():
                break
            await asyncio.sleep(0.1)
        self.tracks = tracks = [
            PacketReplayTrack("video", self.clip["video"], 90000, 90000 // FPS),
            PacketReplayTrack("audio", self.clip["audio"], 48000, 960),
        ]
        answer = await self._call("post", "/publish", await self.publisher.offer(tracks))
        await self.publisher.accept(answer)
        await until(lambda: self.publisher.pc.connectionState == "connected", 10)

    async def _listening(self) -> bool:
        try:
            await self._call("get", "/stats")
        except aiohttp.ClientConnectionError:
            return False
        return True

    async def _call(self, method: str, path: str, body: object = None) -> Any:
        assert self.http is not None
        async with self.http.request(method, self.base + path, json=body) as response:
            return await response.json()

    async def grow_to(self, n: int) -> None:
        """Add client processes (on core 1) until ``n`` subscribers have video."""
        have = sum(self.sizes)
        new = []
        while have < n:
            size = min(SUBSCRIBERS_PER_PROCESS, n - have)
            command = role_command(
                "--role",
                "clients",
                "--base",
                self.base,
                "--count",
                str(size),
                "--prefix",
                f"c{len(self.clients)}-",
                core=CLIENT_CORE,
                niceness=CLIENT_NICENESS,
            )
            process = await asyncio.create_subprocess_exec(
                *command, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE
            )
            self.clients.append(process)
            self.sizes.append(size)
            new.append(process)
            have += size
        for ready in await asyncio.gather(*(read_line(p, "READY") for p in new)):
            self.joins.extend(ready["joins"])

    async def measure(self, warmup: float, window: float) -> Run:
        assert self.server is not None
        await asyncio.sleep(warmup)
        pids = [self.server.pid] + [c.pid for c in self.clients]
        stats0 = await self._call("get", "/stats")
        t0, cpu0 = time.monotonic(), [cpu_seconds(pid) for pid in pids]
        published0 = sum(t.frames_sent for t in self.tracks)
        n = sum(self.sizes)
        spy = None
        if self.profile is not None:
            spy = await start_profiler(
                self.server.pid, window, self.profile / f"{self.mode}-{n}.txt"
            )
        await asyncio.sleep(window)
        t1, cpu1 = time.monotonic(), [cpu_seconds(pid) for pid in pids]
        published = sum(t.frames_sent for t in self.tracks) - published0
        stats1 = await self._call("get", "/stats")
        if stats1.get("publications", 2) < 2 or not published:
            raise PublisherLost(f"{self.mode} N={n}: the publisher's connection died")
        arrived = int(stats1.get("frames_in", 0) - stats0.get("frames_in", 0))
        if spy is not None:
            await spy.wait()
        counts = []
        for client in self.clients:
            assert client.stdin is not None
            client.stdin.write(f"{t0} {t1}\n".encode())
            await client.stdin.drain()
            counts.extend(await read_line(client, "COUNTS"))
        spent = [b - a for a, b in zip(cpu0, cpu1, strict=True)]
        return Run(
            self.mode,
            n,
            t1 - t0,
            spent[0],
            sum(spent[1:]) / (t1 - t0),
            stats1["packets_sent"] - stats0["packets_sent"],
            counts,
            list(self.joins),
            published,
            arrived if "frames_in" in stats1 else None,
        )

    async def stop(self) -> None:
        """Counting clients hold nothing worth a graceful goodbye: end them at once."""
        for process in [*self.clients, self.server]:
            if process is not None and process.returncode is None:
                process.kill()
                await process.wait()
        await self.publisher.close()
        if self.http is not None:
            await self.http.close()


async def start_profiler(pid: int, seconds: float, out: Path) -> asyncio.subprocess.Process:
    """py-spy samples from core 1 without pausing the server (--nonblocking)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    return await asyncio.create_subprocess_exec(
        "taskset",
        "-c",
        str(CLIENT_CORE),
        "py-spy",
        "record",
        "--nonblocking",
        "--format",
        "raw",
        "--duration",
        str(int(seconds)),
        "--pid",
        str(pid),
        "--output",
        str(out),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )


def report(run: Run) -> None:
    load = os.getloadavg()[0]
    print(
        f"{run.mode:9} N={run.subscribers:4}  server {run.cpu_ms_per_subscriber:7.2f} ms CPU "
        f"per subscriber-second  {run.packets_per_cpu_second:7.0f} pkts/CPU-s  "
        f"worst sub: video {run.worst('video', FPS):4.0%} "
        f"audio {run.worst('audio', AUDIO_FPS):4.0%} "
        f"full rate {'yes' if run.full_rate else 'NO '}  client core {run.client_cpu:4.0%}  "
        f"{'' if run.arrived is None else f'SFU got {run.arrived / run.published:4.0%}  '}"
        f"join p50 {sorted(run.joins)[len(run.joins) // 2]:.2f}s max {max(run.joins):.2f}s  "
        f"load {load:.1f}",
        flush=True,
    )


async def sweep(
    mode: str,
    sizes: list[int],
    clip: dict[str, list[bytes]],
    args: argparse.Namespace,
    warmup: float,
    window: float,
) -> list[Run]:
    runs = []
    session = Session(mode, clip, args.profile)
    started = time.monotonic()
    try:
        await session.start()
        for n in sizes:
            await session.grow_to(n)
            runs.append(await session.measure(warmup, window))
            report(runs[-1])
    except (PublisherLost, ClientsFailed) as lost:
        print(f"VOID {lost}; larger sizes of this mode skipped", flush=True)
    finally:
        await session.stop()
    print(f"  ({mode}: {time.monotonic() - started:.0f} s)", flush=True)
    return runs


async def orchestrate(args: argparse.Namespace) -> None:
    os.sched_setaffinity(0, {CLIENT_CORE})
    quick = args.quick
    sfu_sizes = args.sizes if args.sizes is not None else ([10, 25] if quick else [10, 25, 50, 100])
    relay_sizes = (
        args.relay_sizes if args.relay_sizes is not None else ([2, 5] if quick else [2, 5, 10])
    )
    stock_sizes = args.stock_sizes if args.stock_sizes is not None else ([] if quick else [10, 50])
    warmup, window = (2.0, 3.0) if quick else (2.0, 10.0)
    clip = encode_clip(6 if quick else 12)
    kbps = sum(map(len, clip["video"])) * 8 * FPS / len(clip["video"]) / 1000
    print(
        f"clip: {len(clip['video'])} video frames at {kbps:.0f} kbps, "
        f"{len(clip['audio'])} Opus frames",
        flush=True,
    )
    runs = {
        mode: await sweep(mode, sizes, clip, args, warmup, window)
        for mode, sizes in (
            ("sfu", sfu_sizes),
            ("sfu-sender", stock_sizes),
            ("sfu-stock", stock_sizes),
            ("relay", relay_sizes),
        )
        if sizes
    }
    if not runs.get("sfu"):
        raise SystemExit("no SFU figures: the machine was too busy to hold a connection")
    best = pick(runs["sfu"])
    print(f"SFU figures from N={best.subscribers}")
    print(f"RESULT subscribers_per_core={1000 / best.cpu_ms_per_subscriber:.0f}")
    print(f"RESULT packets_per_cpu_second={best.packets_per_cpu_second:.0f}")
    if runs.get("relay"):
        relay = pick(runs["relay"])
        ratio = relay.cpu_ms_per_subscriber / best.cpu_ms_per_subscriber
        print(f"MediaRelay figures from N={relay.subscribers}")
        print(f"RESULT vs_mediarelay={ratio:.1f}")


def pick(runs: list[Run]) -> Run:
    """The largest size that held full rate, else the smallest (flagged NO above)."""
    held = [r for r in runs if r.full_rate]
    return max(held or runs[:1], key=lambda r: r.subscribers)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="N = 10, 25 (MediaRelay 2, 5)")
    parser.add_argument("--sizes", type=int, nargs="*", help="SFU subscriber counts")
    parser.add_argument("--relay-sizes", type=int, nargs="*", help="MediaRelay subscriber counts")
    parser.add_argument(
        "--stock-sizes",
        type=int,
        nargs="*",
        help="sizes for the two aiortc-sender variants (shared and per-subscriber packetizing)",
    )
    parser.add_argument("--profile", type=Path, help="write py-spy stacks of each run here")
    parser.add_argument(
        "--role", choices=["orchestrator", "server", "clients"], default="orchestrator"
    )
    parser.add_argument("--mode", choices=[*MODES, "relay"], default="sfu")
    parser.add_argument("--port", type=int)
    parser.add_argument("--base")
    parser.add_argument("--prefix", default="c")
    parser.add_argument("--count", type=int, default=1)
    args = parser.parse_args()
    if args.role == "server":
        asyncio.run(serve(args.mode, args.port))
    elif args.role == "clients":
        asyncio.run(run_clients(args.base, args.prefix, args.count))
    else:
        asyncio.run(orchestrate(args))


if __name__ == "__main__":
    main()
