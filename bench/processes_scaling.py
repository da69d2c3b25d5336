"""One server process vs ``serve --workers 2`` on a 2-core machine: chat fan-out and SFU.

The question (issue 13, item 2) is whether a second process on the second core doubles what
one machine carries, or whether crossing processes (python-socketio's Redis pub/sub for chat,
the media relay for signalling) eats the gain.

    python bench/processes_scaling.py [--quick]

How it measures, and why this way:

* Both configurations run the same ``qou-classroom serve`` flags against one PostgreSQL
  database and one Redis (so the single process pays for Redis pub/sub too, as it would in a
  deployment that might grow); the only difference is ``--workers 2``. Servers gather ICE on
  127.0.0.1 only. The configurations alternate (1, 2 in quick mode; 1, 2, 2, 1 in full mode)
  so slow drift in the machine's other load hits both alike.
* Clients share the two cores with the servers, so the servers cannot be driven to
  saturation. Instead each server process's CPU (utime + stime from ``/proc/<pid>/stat``; for
  ``--workers 2`` the supervisor's children whose command line holds ``spawn_main``) is read
  over a steady window while a fixed load runs, together with what the clients received.
  From that:

  - efficiency = deliveries per server CPU-second (all server processes, supervisor
    included): falls if crossing processes costs extra work;
  - busiest share = the busiest server process's CPU-seconds per second of window;
  - projected capacity per machine = deliveries per second / busiest share, i.e. what the
    machine would carry when its busiest process had a whole core to itself (one core per
    process). This is a PROJECTION from CPU use, not a measurement at saturation: it assumes
    cost grows linearly with load and that nothing but the server runs on the cores.

  The headline is capacity(2 processes) / capacity(1 process): 2.0 would be perfect scaling.
* Chat: several lectures, each with students spread over several client processes; every
  lecture chats at a fixed rate, senders rotating over its students so nobody nears the chat
  rate limit. A delivery is one bench message arriving at one student in the window.
* SFU: several lectures, each with one publisher (an H.264 ~500 kbps clip + Opus, encoded
  once and replayed, as ``bench/sfu_fanout.py``) and S subscribers that count encoded frames
  without decoding. Placement spreads the lectures over the media nodes; subscribers whose
  Socket.IO connection landed on the other process get their signalling relayed, and their
  media straight from the lecture's node. A subscriber counts when it received >= 95 % of the
  publisher's 30 video and 50 audio frames per second; capacity is in such subscribers, and
  the SFU headline uses only runs where every subscriber did (when the clients starve on the
  shared cores, frames go missing at the clients and the run says nothing about the server).
* Students are created through the REST API; their join tokens are minted with the key the
  bench gives the servers (as ``bench/room_fanout.py``: argon2 logins would dominate setup).
* "others" is the machine's busy time (/proc/stat) beyond the servers', the client
  processes' and this orchestrator's CPU, in cores: other people's load, shown so noise is
  visible rather than hidden.

Everything it starts (servers, client processes) is stopped on the way out, error or Ctrl-C
included, and the scratch PostgreSQL database ``qou_bench_processes`` is dropped; Redis
database 8 is flushed before each server start.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ctypes
import json
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import socketio

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bench.room_fanout import call_api, free_port, login
from bench.sfu_fanout import encode_clip
from classroom_server.db import Database, Role
from classroom_server.db.migrate import prepare as migrate
from classroom_server.demo import seed_demo
from classroom_server.security import TokenIssuer
from classroom_server.users import create_user
from signaling.media_nodes import NODES_KEY, placement_key
from tests.sfu_peer import ClientPeer, PacketReplayTrack, until

HOST = "127.0.0.1"  # loopback only, by design
NAMESPACE = "/classroom"
PASSWORD = "bench-password-1"
SECRET_KEY = secrets.token_urlsafe(48)
REDIS_URL = "redis://127.0.0.1:6379/8"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_NAME = "qou_bench_processes"
PG_URL = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{PG_NAME}"
CLI = [sys.executable, "-m", "classroom_server"]
LOOPBACK_ICE = ["--ice-address", "127.0.0.1", "--ice-allow", "127.0.0.0/8"]
FPS, AUDIO_FPS = 30, 50
FULL_RATE = 0.95
JOINS_IN_FLIGHT = 8
HTTP_CONCURRENCY = 8
TICK = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Plan:
    """Sizes and durations; quick must finish within a minute on a busy 2-core machine."""

    lectures: int
    students: int  # chat: students per lecture
    chat_procs: int
    rate: float  # chat messages per second per lecture
    subscribers: int  # SFU: subscribers per lecture
    sfu_procs: int
    warmup: float
    window: float
    idle: float  # seconds of idle server CPU read before the chat phase (fixed overhead)
    order: tuple[int, ...]  # server processes per run, in run order
    deadline: int  # hard cap on the whole run, seconds


QUICK = Plan(4, 12, 2, 8.0, 3, 2, warmup=1.0, window=3.0, idle=1.0, order=(1, 2), deadline=75)
FULL = Plan(
    4, 100, 4, 6.0, 15, 3, warmup=3.0, window=15.0, idle=5.0, order=(1, 2, 2, 1), deadline=660
)


# --- /proc readings --------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """utime + stime of all the process's threads (fields 14 and 15 of /proc/pid/stat)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def machine_busy() -> float:
    """Seconds all cores have been busy since boot (/proc/stat, all but idle and iowait)."""
    counts = [int(t) for t in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return (sum(counts) - counts[3] - counts[4]) / TICK


def children_with(pid: int, marker: bytes) -> list[int]:
    """Living children of ``pid`` whose command line holds ``marker``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if (
                stat[0] != "Z"
                and int(stat[1]) == pid
                and marker in (entry / "cmdline").read_bytes()
            ):
                found.append(int(entry.name))
        except OSError:
            continue
    return sorted(found)


def connections(pids: list[int], port: int) -> dict[int, int]:
    """Established TCP connections each process holds on the server port: how SO_REUSEPORT
    spread the clients' sockets."""
    inodes: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                parts = line.split()
                if int(parts[1].rsplit(":", 1)[1], 16) == port and parts[3] == "01":
                    inodes.add(parts[9])
    held = {}
    for pid in pids:
        count = 0
        with contextlib.suppress(OSError):
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                with contextlib.suppress(OSError):
                    link = os.readlink(fd)
                    if link.startswith("socket:[") and link[8:-1] in inodes:
                        count += 1
        held[pid] = count
    return held


def die_with_parent() -> None:
    """preexec_fn: the child gets SIGTERM if this orchestrator dies, even by SIGKILL."""
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def server_env() -> dict[str, str]:
    """Our key, and no inherited QOU_* settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("QOU_")}
    return {**env, "QOU_SECRET_KEY": SECRET_KEY}


# --- scratch stores --------------------------------------------------------------------------


async def flush_redis() -> None:
    redis = Redis.from_url(REDIS_URL)
    try:
        await redis.flushdb()
    finally:
        await redis.aclose()


async def redis_get(keys: list[str]) -> list[str | None]:
    redis = Redis.from_url(REDIS_URL, decode_responses=True)
    try:
        return list(await redis.mget(keys)) if keys else []
    finally:
        await redis.aclose()


async def media_nodes() -> set[str]:

    redis = Redis.from_url(REDIS_URL, decode_responses=True)
    try:
        return set(await redis.smembers(NODES_KEY))
    finally:
        await redis.aclose()


async def postgres(statement: str) -> None:
    """One statement on the admin database, outside a transaction (CREATE/DROP DATABASE)."""
    url = PG_ADMIN.replace("postgresql://", "postgresql+asyncpg://")
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(statement))
    finally:
        await engine.dispose()


# --- the server under test -------------------------------------------------------------------


@dataclass
class Server:
    """``qou-classroom serve`` with ``workers`` processes on one port."""

    workers: int
    data_dir: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    pids: list[int] = field(default_factory=list)  # the processes that serve

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self) -> None:
        command = [*CLI, "serve", "--host", HOST, "--port", str(self.port)]
        command += ["--data-dir", str(self.data_dir), "--database-url", PG_URL]
        command += ["--redis-url", REDIS_URL, "--log-level", "warning", *LOOPBACK_ICE]
        if self.workers > 1:
            command += ["--workers", str(self.workers)]
        with (self.data_dir / "server.log").open("ab") as log:
            self.process = subprocess.Popen(
                command,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=server_env(),
                preexec_fn=die_with_parent,
            )

    async def ready(self) -> None:
        """Every process is a registered media node and /healthz answers."""
        assert self.process is not None
        async with aiohttp.ClientSession() as http:
            while self.process.poll() is None:
                if self.workers == 1:
                    self.pids = [self.process.pid]
                else:
                    self.pids = children_with(self.process.pid, b"spawn_main")
                if len(self.pids) == self.workers and len(await media_nodes()) == self.workers:
                    with contextlib.suppress(aiohttp.ClientError):
                        async with http.get(self.url + "/healthz") as response:
                            if response.status == 200:
                                return
                await asyncio.sleep(0.1)
        raise RuntimeError(f"server exited with {self.process.returncode}")

    def cpu(self) -> list[float]:
        """CPU-seconds of each serving process, then of the supervisor (0 for one process)."""
        assert self.process is not None
        supervisor = cpu_seconds(self.process.pid) if self.workers > 1 else 0.0
        return [cpu_seconds(pid) for pid in self.pids] + [supervisor]

    def stop(self) -> None:
        """SIGKILL: the run measured what it had to, and a clean stop (closing every peer
        connection, up to 10 s with --workers) costs seconds the quick mode lacks. Redis is
        flushed before the next start; the serving processes are killed by pid too (the
        supervisor's lifeline would end them as well)."""
        if self.process is None:
            return
        left = [p for p in self.pids if p != self.process.pid]
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(5)
        for pid in left:  # still ours: a serving process, not a reused pid
            with contextlib.suppress(OSError):
                if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes():
                    os.kill(pid, signal.SIGKILL)


# --- REST setup ------------------------------------------------------------------------------


async def course_id(http: aiohttp.ClientSession, base: str, token: str) -> int:
    headers = {"Authorization": f"Bearer {token}"}
    async with http.get(base + "/api/v1/courses", headers=headers) as response:
        courses = (await response.json())["items"]
    return int(next(c["id"] for c in courses if c["code"] == "OL101"))


@dataclass
class Accounts:
    """The educator's bearer token (recorded in the shared database, so valid on every run's
    server) and the bench students' user ids."""

    educator: str
    course: int
    students: list[int]


async def create_accounts(base: str, count: int) -> Accounts:
    async with aiohttp.ClientSession() as http:
        admin, educator = await login(http, base, "admin"), await login(http, base, "educator")
        course = await course_id(http, base, educator)
        gate = asyncio.Semaphore(HTTP_CONCURRENCY)

        async def one(i: int) -> int:
            name = f"bench{i:04d}"
            async with gate:
                body = {"username": name, "password": PASSWORD, "role": "student"}
                user = await call_api(http, base + "/api/v1/users", admin, body)
                path = f"/api/v1/courses/{course}/enrolments"
                await call_api(http, base + path, educator, {"username": name})
            return int(user["id"])

        students = list(await asyncio.gather(*(one(i) for i in range(count))))
    return Accounts(educator, course, students)


async def open_lectures(base: str, accounts: Accounts, count: int) -> list[int]:
    """``count`` live lectures of the demo course, new for each run (fresh rooms)."""
    lectures = []
    async with aiohttp.ClientSession() as http:
        for i in range(count):
            body = {"title": f"Scaling {i}", "scheduled_start": datetime.now(UTC).isoformat()}
            path = f"{base}/api/v1/courses/{accounts.course}/lectures"
            lecture = await call_api(http, path, accounts.educator, body)
            await call_api(http, f"{base}/api/v1/lectures/{lecture['id']}/start", accounts.educator)
            lectures.append(int(lecture["id"]))
    return lectures


def join_token(user_id: int, lecture: int) -> str:
    """A student's room join token as ``POST /lectures/{id}/join`` would issue it."""
    issuer = TokenIssuer(SECRET_KEY)
    return issuer.issue("join", user_id, timedelta(hours=2), lecture=lecture, role="student").token


# --- client processes ------------------------------------------------------------------------


async def connect(sio: socketio.AsyncClient, url: str, token: str, joined: asyncio.Event) -> None:
    await sio.connect(
        url,
        namespaces=[NAMESPACE],
        auth={"token": token},
        transports=["websocket"],
        wait_timeout=30,
    )
    await asyncio.wait_for(joined.wait(), 30)


async def read_order() -> Any:
    """The next JSON line on stdin (None at EOF: the orchestrator is gone)."""
    line = await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    return json.loads(line) if line.strip() else None


def say(tag: str, body: object) -> None:
    print(f"{tag} {json.dumps(body)}", flush=True)


class Student:
    """A chat student: records the wall-clock arrival and latency of every bench message."""

    def __init__(self) -> None:
        self.sio = socketio.AsyncClient(reconnection=False, handle_sigint=False)
        self.joined = asyncio.Event()
        self.arrivals: list[tuple[float, float]] = []  # (arrival, latency) in seconds
        self.sio.on("room:state", self._state, namespace=NAMESPACE)
        self.sio.on("chat:message", self._message, namespace=NAMESPACE)

    async def _state(self, _data: Any) -> None:
        self.joined.set()

    async def _message(self, data: dict[str, Any]) -> None:
        now = time.time()
        text = data.get("text", "")
        if text.startswith("bench:"):
            self.arrivals.append((now, now - float(text.rsplit(":", 1)[1])))

    async def send(self, text: str) -> str:
        try:
            ack = await self.sio.call("chat:send", {"text": text}, namespace=NAMESPACE, timeout=10)
        except socketio.exceptions.SocketIOError as exc:
            return type(exc).__name__
        return "ok" if ack.get("ok") else str(ack.get("error", {}).get("code", "?"))


async def chat_clients() -> None:
    """join -> READY; send -> SENT (deliveries in the window); EOF -> leave."""
    first = await read_order()
    if first is None:
        return
    students: dict[tuple[int, int], Student] = {}
    gate = asyncio.Semaphore(JOINS_IN_FLIGHT)

    async def join(key: tuple[int, int], token: str) -> str | None:
        student = students[key] = Student()
        async with gate:
            try:
                await connect(student.sio, first["url"], token, student.joined)
            except Exception as exc:
                return f"{type(exc).__name__}: {exc}"
        return None

    failures = await asyncio.gather(*(join((lec, s), tok) for lec, s, tok in first["students"]))
    say("READY", {"failures": [f for f in failures if f]})
    order = await read_order()
    if order is not None:
        t0, rate, count = order["t0"], order["rate"], order["count"]
        lectures, n = order["lectures"], order["n"]

        async def send(lecture: int, k: int) -> str:
            await asyncio.sleep(max(0.0, t0 + (k + lecture / lectures) / rate - time.time()))
            return await students[(lecture, k % n)].send(f"bench:{lecture}:{k}:{time.time():.6f}")

        mine = [
            (lec, k) for lec in range(lectures) for k in range(count) if (lec, k % n) in students
        ]
        verdicts = await asyncio.gather(*(send(lec, k) for lec, k in mine))
        await asyncio.sleep(max(0.0, order["drain_until"] - time.time()))
        w0, w1 = order["window"]
        in_window = [lat for s in students.values() for at, lat in s.arrivals if w0 <= at < w1]
        say(
            "SENT",
            {
                "verdicts": verdicts,
                "in_window": len(in_window),
                "latencies_ms": [round(lat * 1000, 1) for lat in in_window],
                "received": sum(len(s.arrivals) for s in students.values()),
            },
        )
        await read_order()
    await asyncio.wait(
        [asyncio.ensure_future(s.sio.disconnect()) for s in students.values()], timeout=3
    )


async def sfu_clients() -> None:
    """join -> READY; each "t0 t1" window (monotonic) -> COUNTS; EOF -> end."""
    first = await read_order()
    if first is None:
        return
    subs: list[tuple[int, ClientPeer]] = []
    gate = asyncio.Semaphore(4)

    async def join(lecture: int, token: str) -> str | None:
        sio = socketio.AsyncClient(reconnection=False, handle_sigint=False)
        peer = ClientPeer(decode=False, red=True)  # as browsers answer
        joined = asyncio.Event()

        async def on_state(_data: Any) -> None:
            joined.set()

        async def on_offer(offer: dict[str, Any]) -> None:
            answer = await peer.answer({"type": offer["type"], "sdp": offer["sdp"]})
            await sio.call("media:answer", answer, namespace=NAMESPACE, timeout=10)

        sio.on("room:state", on_state, namespace=NAMESPACE)
        sio.on("media:offer", on_offer, namespace=NAMESPACE)
        subs.append((lecture, peer))
        keep.append(sio)
        async with gate:
            try:
                await connect(sio, first["url"], token, joined)
                ack = await sio.call("media:join", {"video": True}, namespace=NAMESPACE, timeout=20)
                if not ack.get("ok"):
                    return f"media:join refused: {ack}"
                await until(lambda: any(log.first_keyframe_at for log in peer.by_kind["video"]), 30)
            except Exception as exc:
                return f"{type(exc).__name__}: {exc}"
        return None

    keep: list[socketio.AsyncClient] = []
    failures = await asyncio.gather(*(join(lec, tok) for lec, tok in first["subs"]))
    say("READY", {"failures": [f for f in failures if f]})
    while (window := await read_order()) is not None:
        t0, t1 = window
        counts = [
            {
                "lecture": lecture,
                **{
                    kind: sum(t0 <= t <= t1 for log in peer.by_kind[kind] for t in log.arrivals)
                    for kind in ("video", "audio")
                },
            }
            for lecture, peer in subs
        ]
        say("COUNTS", counts)


@dataclass
class Clients:
    """Client processes of one kind (``role``), started by this file.

    Not niced (unlike sfu_fanout.py's): other sessions' load on this shared machine runs at
    nice 0, and niced subscribers starved to 13-46 % of the frames while the servers idled."""

    processes: list[asyncio.subprocess.Process] = field(default_factory=list)

    async def spawn(self, role: str, count: int, log: Path) -> None:
        """Started before the server, so their imports (aiortc takes seconds on a busy
        machine) overlap its start; each waits on stdin for its first order."""
        with log.open("ab") as errors:
            for _ in range(count):
                process = await asyncio.create_subprocess_exec(
                    sys.executable,
                    __file__,
                    "--role",
                    role,
                    stdin=asyncio.subprocess.PIPE,
                    stdout=asyncio.subprocess.PIPE,
                    stderr=errors,
                    preexec_fn=die_with_parent,
                    limit=64 * 1024 * 1024,  # a report line holds every latency
                )
                self.processes.append(process)

    @staticmethod
    async def tell(process: asyncio.subprocess.Process, order: object) -> None:
        assert process.stdin is not None
        process.stdin.write((json.dumps(order) + "\n").encode())
        await process.stdin.drain()

    async def ask(self, orders: list[object] | None, tag: str) -> list[Any]:
        """One order to each (None: no order), then each one's ``tag`` line."""
        if orders is not None:
            for process, order in zip(self.processes, orders, strict=True):
                await self.tell(process, order)
        return list(await asyncio.gather(*(self.hear(p, tag) for p in self.processes)))

    @staticmethod
    async def hear(process: asyncio.subprocess.Process, tag: str) -> Any:
        assert process.stdout is not None
        while line := (await process.stdout.readline()).decode():
            if line.startswith(tag + " "):
                return json.loads(line[len(tag) + 1 :])
        raise RuntimeError(f"a client process exited before {tag}")

    def cpu(self) -> float:
        return sum(cpu_seconds(p.pid) for p in self.processes)

    async def stop(self) -> None:
        """Counting clients hold nothing worth a graceful goodbye: end them at once (the
        server sees their sockets close, as when a laptop's lid shuts)."""
        for process in self.processes:
            if process.returncode is None:
                process.kill()
        for process in self.processes:
            await process.wait()


# --- one run ---------------------------------------------------------------------------------


@dataclass
class Window:
    """CPU of each server process over the steady window, and the machine's other load."""

    seconds: float
    server_cpu: list[float]  # per serving process
    supervisor_cpu: float
    ours_cpu: float  # client processes and this orchestrator
    busy: float  # the whole machine

    @property
    def others_cores(self) -> float:
        spent = sum(self.server_cpu) + self.supervisor_cpu + self.ours_cpu
        return max(0.0, (self.busy - spent) / self.seconds)

    @property
    def total_cpu(self) -> float:
        return sum(self.server_cpu) + self.supervisor_cpu

    @property
    def busiest_share(self) -> float:
        return max(self.server_cpu) / self.seconds

    @property
    def shares(self) -> str:
        return "/".join(f"{c / self.seconds:.0%}" for c in self.server_cpu)


class Meter:
    """Reads every CPU figure at the window's start and end."""

    def __init__(self, server: Server, *clients: Clients) -> None:
        self.server, self.clients = server, clients

    def read(self) -> tuple[float, list[float], float, float]:
        ours = sum(c.cpu() for c in self.clients) + time.process_time()
        return time.monotonic(), self.server.cpu(), ours, machine_busy()

    def between(self, a: tuple[float, list[float], float, float]) -> Window:
        b = self.read()
        cpu = [y - x for x, y in zip(a[1], b[1], strict=True)]
        return Window(b[0] - a[0], cpu[:-1], cpu[-1], b[2] - a[2], b[3] - a[3])


@dataclass
class ChatRun:
    workers: int
    window: Window
    deliveries: int  # bench messages received by students in the window
    expected: int  # messages sent in the run x students
    received: int  # all bench messages received in the run
    refused: dict[str, int]
    latencies_ms: list[float]
    spread: list[int]  # connections per process
    idle: Window | None = None  # the same server with its lectures open and nobody in them

    @property
    def per_second(self) -> float:
        return self.deliveries / self.window.seconds

    @property
    def per_cpu_second(self) -> float:
        return self.deliveries / self.window.total_cpu if self.window.total_cpu else float("nan")

    @property
    def capacity(self) -> float:
        return self.per_second / self.window.busiest_share

    def p(self, q: int) -> float:
        if len(self.latencies_ms) < 2:
            return float("nan")
        return statistics.quantiles(self.latencies_ms, n=100, method="inclusive")[q - 1]


@dataclass
class SfuRun:
    workers: int
    window: Window
    subscribers: int
    full_rate: int  # subscribers that got >= 95 % of video and audio frames
    frames: int  # frames all subscribers received in the window
    worst_video: float
    worst_audio: float
    placement: list[int]  # lectures held by each process
    sequence: list[int]  # the process each lecture was placed on, in start order
    moved: bool  # a lecture's placement changed during the phase
    spread: list[int]
    failures: list[str]

    @property
    def per_second(self) -> float:
        return self.frames / self.window.seconds

    @property
    def per_cpu_second(self) -> float:
        return self.frames / self.window.total_cpu if self.window.total_cpu else float("nan")

    @property
    def capacity(self) -> float:
        """Full-rate subscribers per machine, projected from the busiest process's CPU."""
        return self.full_rate / self.window.busiest_share

    @property
    def valid(self) -> bool:
        """Every subscriber kept up; when clients starve (the machine is shared), frames go
        missing at the clients and the run says nothing about the server."""
        return self.subscribers > 0 and self.full_rate == self.subscribers


async def chat_phase(
    plan: Plan,
    server: Server,
    accounts: Accounts,
    lectures: list[int],
    clients: Clients,
    idle: Clients,
) -> ChatRun:
    """``idle``: the SFU phase's client processes, waiting (their CPU counts as ours)."""
    try:
        shares: list[list[tuple[int, int, str]]] = [[] for _ in range(plan.chat_procs)]
        for index, lecture in enumerate(lectures):
            for s in range(plan.students):
                token = join_token(accounts.students[s], lecture)
                shares[s % plan.chat_procs].append((index, s, token))
        for process, share in zip(clients.processes, shares, strict=True):
            await clients.tell(process, {"url": server.url, "students": share})
        async with asyncio.timeout(60 + plan.students * plan.lectures * 0.1):
            ready = await clients.ask(None, "READY")
        for failure in [f for r in ready for f in r["failures"]][:3]:
            print(f"  chat join failed: {failure}", file=sys.stderr)
        count = round(plan.rate * (plan.warmup + plan.window + 0.3))
        t0 = time.time() + 0.5
        w0 = t0 + plan.warmup
        w1 = w0 + plan.window
        order = {
            "t0": t0,
            "rate": plan.rate,
            "count": count,
            "n": plan.students,
            "lectures": len(lectures),
            "window": [w0, w1],
            "drain_until": t0 + count / plan.rate + 1.0,
        }
        meter = Meter(server, clients, idle)
        for process in clients.processes:
            await clients.tell(process, order)
        await asyncio.sleep(max(0.0, w0 - time.time()))
        start = meter.read()
        await asyncio.sleep(max(0.0, w1 - time.time()))
        window = meter.between(start)
        spread = connections(server.pids, server.port)
        async with asyncio.timeout(count / plan.rate + 30):
            answers = await clients.ask(None, "SENT")
        verdicts: dict[str, int] = {}
        for answer in answers:
            for verdict in answer["verdicts"]:
                verdicts[verdict] = verdicts.get(verdict, 0) + 1
        sent = verdicts.pop("ok", 0)
        return ChatRun(
            server.workers,
            window,
            deliveries=sum(a["in_window"] for a in answers),
            expected=sent * plan.students,
            received=sum(a["received"] for a in answers),
            refused=verdicts,
            latencies_ms=[lat for a in answers for lat in a["latencies_ms"]],
            spread=[spread[pid] for pid in server.pids],
        )
    finally:
        await clients.stop()


class Publisher:
    """The educator of one lecture publishing the replayed clip over Socket.IO."""

    def __init__(self, clip: dict[str, list[bytes]]) -> None:

        self.sio = socketio.AsyncClient(reconnection=False, handle_sigint=False)
        self.peer = ClientPeer(decode=False)
        self.joined = asyncio.Event()
        self.tracks = [
            PacketReplayTrack("video", clip["video"], 90000, 90000 // FPS),
            PacketReplayTrack("audio", clip["audio"], 48000, 960),
        ]
        self.sio.on("room:state", self._state, namespace=NAMESPACE)
        self.sio.on("media:offer", self._offer, namespace=NAMESPACE)

    async def _state(self, _data: Any) -> None:
        self.joined.set()

    async def _offer(self, offer: dict[str, Any]) -> None:
        answer = await self.peer.answer({"type": offer["type"], "sdp": offer["sdp"]})
        await self.sio.call("media:answer", answer, namespace=NAMESPACE, timeout=10)

    async def call(self, event: str, payload: dict[str, Any]) -> dict[str, Any]:
        ack: dict[str, Any] = await self.sio.call(event, payload, namespace=NAMESPACE, timeout=20)
        if not ack.get("ok"):
            raise RuntimeError(f"{event} refused: {ack}")
        return ack

    async def start(self, url: str, token: str) -> None:

        await connect(self.sio, url, token, self.joined)
        await self.call("media:join", {"video": True})
        for track, source in zip(self.tracks, ("camera", "microphone"), strict=True):
            await self.call("media:publish", {"track_id": track.id, "source": source})
        ack = await self.call("media:offer", await self.peer.offer(self.tracks))
        await self.peer.accept(ack["answer"])
        await until(lambda: self.peer.pc.connectionState == "connected", 15)

    def frames_sent(self) -> int:
        return sum(t.frames_sent for t in self.tracks)

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.sio.disconnect()
        with contextlib.suppress(Exception):
            await self.peer.close()


async def educator_tokens(base: str, accounts: Accounts, lectures: list[int]) -> list[str]:
    async with aiohttp.ClientSession() as http:
        return [
            str(
                (await call_api(http, f"{base}/api/v1/lectures/{lec}/join", accounts.educator))[
                    "token"
                ]
            )
            for lec in lectures
        ]


async def holders(server: Server, lectures: list[int]) -> list[int]:
    """The index of the serving process that holds each lecture's media (-1: not placed);
    node ids carry the process id."""

    nodes = await redis_get([placement_key(lec) for lec in lectures])
    pids = [int(node.split(":")[1]) if node else 0 for node in nodes]
    return [server.pids.index(pid) if pid in server.pids else -1 for pid in pids]


async def sfu_phase(
    plan: Plan,
    server: Server,
    accounts: Accounts,
    lectures: list[int],
    clip: dict[str, list[bytes]],
    clients: Clients,
) -> SfuRun:
    publishers = [Publisher(clip) for _ in lectures]
    try:
        tokens = await educator_tokens(server.url, accounts, lectures)
        # One after the other: placement counts each lecture's load at once, so they spread.
        sequence = []  # which process each lecture went to, in start order
        for lecture, publisher, token in zip(lectures, publishers, tokens, strict=True):
            await publisher.start(server.url, token)
            sequence += await holders(server, [lecture])
        placed = await holders(server, lectures)
        shares: list[list[tuple[int, str]]] = [[] for _ in range(plan.sfu_procs)]
        for index, lecture in enumerate(lectures):
            for s in range(plan.subscribers):
                user = accounts.students[s]
                shares[(index * plan.subscribers + s) % plan.sfu_procs].append(
                    (index, join_token(user, lecture))
                )
        for process, share in zip(clients.processes, shares, strict=True):
            await clients.tell(process, {"url": server.url, "subs": share})
        async with asyncio.timeout(90):
            ready = await clients.ask(None, "READY")
        failures = [f for r in ready for f in r["failures"]]
        for failure in failures[:3]:
            print(f"  subscriber failed: {failure}", file=sys.stderr)
        await asyncio.sleep(plan.warmup)
        meter = Meter(server, clients)
        start, sent0 = meter.read(), sum(p.frames_sent() for p in publishers)
        t0 = time.monotonic()
        await asyncio.sleep(plan.window)
        t1 = time.monotonic()
        window = meter.between(start)
        published = sum(p.frames_sent() for p in publishers) - sent0
        if published < 0.9 * (FPS + AUDIO_FPS) * len(publishers) * (t1 - t0):
            print(f"  WARNING publishers sent only {published} frames", file=sys.stderr)
        spread = connections(server.pids, server.port)
        counts = [
            c for answer in await clients.ask([[t0, t1]] * len(shares), "COUNTS") for c in answer
        ]
        video = [c["video"] / (FPS * (t1 - t0)) for c in counts]
        audio = [c["audio"] / (AUDIO_FPS * (t1 - t0)) for c in counts]
        return SfuRun(
            server.workers,
            window,
            subscribers=len(counts),
            full_rate=sum(
                v >= FULL_RATE and a >= FULL_RATE for v, a in zip(video, audio, strict=True)
            ),
            frames=sum(c["video"] + c["audio"] for c in counts),
            worst_video=min(video, default=0.0),
            worst_audio=min(audio, default=0.0),
            placement=[placed.count(i) for i in range(len(server.pids))],
            sequence=sequence,
            moved=placed != await holders(server, lectures),
            spread=[spread[pid] for pid in server.pids],
            failures=failures,
        )
    finally:
        await clients.stop()
        for publisher in publishers:
            await publisher.close()


# --- the whole run ---------------------------------------------------------------------------


@dataclass
class Results:
    chat: list[ChatRun] = field(default_factory=list)
    sfu: list[SfuRun] = field(default_factory=list)


async def prepare() -> None:
    """A fresh scratch database, migrated and seeded (demo course, educator, admin) in this
    process: three CLI processes would each import the whole server first, seconds apiece
    on a busy machine, and the quick mode has a minute."""

    await postgres(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)')
    await postgres(f'CREATE DATABASE "{PG_NAME}"')
    database = Database(PG_URL)
    try:
        await migrate(database, migrate=True)
        async with database.session() as session:
            await seed_demo(session, password=PASSWORD)
        async with database.session() as session:
            await create_user(session, "admin", PASSWORD, Role.ADMIN, None, "en", "UTC")
            await session.commit()
    finally:
        await database.close()


async def one_run(
    plan: Plan,
    workers: int,
    data_dir: Path,
    accounts: Accounts | None,
    clip: dict[str, list[bytes]],
    results: Results,
) -> Accounts:
    """One server configuration: start it, chat phase, SFU phase, stop it."""
    log = data_dir / "server.log"
    log_start = log.stat().st_size if log.exists() else 0
    await flush_redis()  # no leases, placements or rooms left from the previous run
    server = Server(workers, data_dir)
    chatters, subscribers = Clients(), Clients()
    try:
        await chatters.spawn("chat", plan.chat_procs, data_dir / "clients.log")
        await subscribers.spawn("sfu", plan.sfu_procs, data_dir / "clients.log")
        server.start()
        async with asyncio.timeout(60):
            await server.ready()
        if accounts is None:
            started = time.monotonic()
            accounts = await create_accounts(server.url, max(plan.students, plan.subscribers))
            print(
                f"created {len(accounts.students)} students in {time.monotonic() - started:.1f} s"
            )
        lectures = await open_lectures(server.url, accounts, plan.lectures)
        meter = Meter(server, chatters, subscribers)
        before = meter.read()
        await asyncio.sleep(plan.idle)
        idle = meter.between(before)
        chat = await chat_phase(plan, server, accounts, lectures, chatters, subscribers)
        chat.idle = idle
        results.chat.append(chat)
        print(chat_line(len(results.chat), chat), flush=True)
        sfu = await sfu_phase(plan, server, accounts, lectures, clip, subscribers)
        results.sfu.append(sfu)
        print(sfu_line(len(results.sfu), sfu), flush=True)
    finally:
        await chatters.stop()
        await subscribers.stop()
        await asyncio.to_thread(server.stop)
        news = log.read_bytes()[log_start:].decode(errors="replace").splitlines()
        worries = [line for line in news if "WARNING" in line or "ERROR" in line]
        for line in worries[:6]:
            print(f"  server log: {line[:300]}")
    return accounts


def chat_line(run: int, c: ChatRun) -> str:
    w = c.window
    return (
        f"chat run {run} workers={c.workers}: {c.per_second:.0f} deliveries/s "
        f"(received {c.received}/{c.expected}), p50 {c.p(50):.0f} ms p99 {c.p(99):.0f} ms, "
        f"server CPU {w.shares} (+supervisor {w.supervisor_cpu / w.seconds:.1%}), "
        f"{c.per_cpu_second:.0f} deliveries/CPU-s, capacity {c.capacity:.0f}/s, "
        f"sockets {'/'.join(map(str, c.spread))}, others {w.others_cores:.2f} cores, "
        f"idle server CPU {c.idle.shares if c.idle else '?'}"
        + (f", refused {c.refused}" if c.refused else "")
    )


def sfu_line(run: int, s: SfuRun) -> str:
    w = s.window
    return (
        f"sfu run {run} workers={s.workers}: {s.full_rate}/{s.subscribers} subscribers at full "
        f"rate (worst video {s.worst_video:.0%} audio {s.worst_audio:.0%}), "
        f"{s.per_second:.0f} frames/s, server CPU {w.shares} "
        f"(+supervisor {w.supervisor_cpu / w.seconds:.1%}), {s.per_cpu_second:.0f} frames/CPU-s, "
        f"capacity {s.capacity:.0f} subscribers, lectures {'/'.join(map(str, s.placement))} "
        f"(placed on {','.join(map(str, s.sequence))})"
        f"{' (MOVED during the phase)' if s.moved else ''}, "
        f"sockets {'/'.join(map(str, s.spread))}, others {w.others_cores:.2f} cores"
    )


async def run(plan: Plan, data_dir: Path) -> Results:
    clip = await asyncio.to_thread(encode_clip, 6)
    await prepare()
    results, accounts = Results(), None
    for workers in plan.order:
        accounts = await one_run(plan, workers, data_dir, accounts, clip, results)
    return results


# --- report ----------------------------------------------------------------------------------


def mean(values: list[float]) -> float:
    return statistics.fmean(values) if values else float("nan")


def table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = [" ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in [header, *rows]]
    return "\n".join([lines[0], "-" * len(lines[0]), *lines[1:]])


Column = tuple[str, Callable[[Any], str]]

CHAT_COLUMNS: list[Column] = [
    ("procs", lambda c: f"{c.workers}"),
    ("deliv/s", lambda c: f"{c.per_second:.0f}"),
    ("recv/exp", lambda c: f"{c.received}/{c.expected}"),
    ("p50 ms", lambda c: f"{c.p(50):.0f}"),
    ("p99 ms", lambda c: f"{c.p(99):.0f}"),
    ("srv CPU", lambda c: c.window.shares),
    ("deliv/CPU-s", lambda c: f"{c.per_cpu_second:.0f}"),
    ("busiest", lambda c: f"{c.window.busiest_share:.0%}"),
    ("capacity/s", lambda c: f"{c.capacity:.0f}"),
    ("sockets", lambda c: "/".join(map(str, c.spread))),
    ("others", lambda c: f"{c.window.others_cores:.2f}"),
    ("idle CPU", lambda c: c.idle.shares if c.idle else "?"),
]

SFU_COLUMNS: list[Column] = [
    ("procs", lambda s: f"{s.workers}"),
    ("full rate", lambda s: f"{s.full_rate}/{s.subscribers}"),
    ("worst v/a", lambda s: f"{s.worst_video:.0%}/{s.worst_audio:.0%}"),
    ("frames/s", lambda s: f"{s.per_second:.0f}"),
    ("srv CPU", lambda s: s.window.shares),
    ("frames/CPU-s", lambda s: f"{s.per_cpu_second:.0f}"),
    ("busiest", lambda s: f"{s.window.busiest_share:.0%}"),
    ("capacity subs", lambda s: f"{s.capacity:.0f}"),
    ("lectures", lambda s: "/".join(map(str, s.placement))),
    ("sockets", lambda s: "/".join(map(str, s.spread))),
    ("others", lambda s: f"{s.window.others_cores:.2f}"),
]


def report(plan: Plan, results: Results) -> None:
    print()
    print(
        f"Chat: {plan.lectures} lectures x {plan.students} students, {plan.rate:g} messages/s"
        f" per lecture; window {plan.window:g} s"
    )
    rows = [
        [f"{i + 1}", *(cell(c) for _, cell in CHAT_COLUMNS)] for i, c in enumerate(results.chat)
    ]
    print(table(["run", *(name for name, _ in CHAT_COLUMNS)], rows))
    print()
    print(
        f"SFU: {plan.lectures} lectures x (1 publisher + {plan.subscribers} subscribers); window"
        f" {plan.window:g} s"
    )
    rows = [[f"{i + 1}", *(cell(s) for _, cell in SFU_COLUMNS)] for i, s in enumerate(results.sfu)]
    print(table(["run", *(name for name, _ in SFU_COLUMNS)], rows))
    print(
        "\nsrv CPU: each serving process's share of one core over the window; busiest: the"
        " largest of those; others: busy cores beyond our servers, clients and orchestrator."
        "\nidle CPU: each serving process's CPU share with its lectures open and nobody in them"
        " (beats, Redis listeners), read just before the chat phase."
        "\ncapacity = deliveries per second / busiest share: PROJECTED from the busiest"
        " process's CPU (each process given one core), not measured at saturation."
    )
    figures: dict[str, float] = {}
    for workers in (1, 2):
        chats = [c for c in results.chat if c.workers == workers]
        sfus = [s for s in results.sfu if s.workers == workers]
        if any(s.valid for s in sfus):
            sfus = [s for s in sfus if s.valid]
        elif sfus:
            print(
                f"WARNING: no SFU run with {workers} process(es) had every subscriber at full"
                " rate (starved clients); its SFU figures are understated"
            )
        figures[f"chat_capacity_{workers}"] = mean([c.capacity for c in chats])
        figures[f"chat_deliveries_per_cpu_s_{workers}"] = mean([c.per_cpu_second for c in chats])
        figures[f"chat_busiest_share_{workers}"] = mean([c.window.busiest_share for c in chats])
        figures[f"sfu_capacity_subscribers_{workers}"] = mean([s.capacity for s in sfus])
        figures[f"sfu_frames_per_cpu_s_{workers}"] = mean([s.per_cpu_second for s in sfus])
        figures[f"sfu_busiest_share_{workers}"] = mean([s.window.busiest_share for s in sfus])
        figures[f"idle_cpu_share_{workers}"] = mean(
            [c.idle.total_cpu / c.idle.seconds for c in chats if c.idle]
        )
        figures[f"sfu_full_rate_fraction_{workers}"] = mean(
            [s.full_rate / s.subscribers if s.subscribers else 0.0 for s in sfus]
        )
    figures["chat_capacity_ratio_2_vs_1"] = figures["chat_capacity_2"] / figures["chat_capacity_1"]
    figures["sfu_capacity_ratio_2_vs_1"] = (
        figures["sfu_capacity_subscribers_2"] / figures["sfu_capacity_subscribers_1"]
    )
    figures["chat_efficiency_ratio_2_vs_1"] = (
        figures["chat_deliveries_per_cpu_s_2"] / figures["chat_deliveries_per_cpu_s_1"]
    )
    figures["sfu_efficiency_ratio_2_vs_1"] = (
        figures["sfu_frames_per_cpu_s_2"] / figures["sfu_frames_per_cpu_s_1"]
    )
    windows = [r.window for r in [*results.chat, *results.sfu]]
    figures["others_cores_max"] = max(w.others_cores for w in windows)
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print()
    for name in sorted(figures, key=lambda n: ("ratio" not in n, n)):
        value = figures[name]
        print(f"RESULT {name}={value:.3f}" if abs(value) < 10 else f"RESULT {name}={value:.0f}")


# --- main ------------------------------------------------------------------------------------


def on_deadline(_signum: int, _frame: Any) -> None:
    raise TimeoutError("the benchmark ran over its deadline")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="small rooms, short windows (<1 min)")
    parser.add_argument("--role", choices=["orchestrator", "chat", "sfu"], default="orchestrator")
    args = parser.parse_args()
    if args.role == "chat":
        asyncio.run(chat_clients())
        return
    if args.role == "sfu":
        asyncio.run(sfu_clients())
        return
    plan = QUICK if args.quick else FULL
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the finally blocks
    signal.signal(signal.SIGALRM, on_deadline)
    signal.alarm(plan.deadline)
    started = time.monotonic()
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, load average {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory(prefix="qou-processes-") as tmp:
        try:
            results = asyncio.run(run(plan, Path(tmp)))
        except KeyboardInterrupt:
            sys.exit("interrupted: servers and client processes are stopped")
        except BaseException:
            log = Path(tmp) / "server.log"
            if log.exists():
                print(log.read_text()[-3000:], file=sys.stderr)
            raise
        finally:
            signal.alarm(0)
            with contextlib.suppress(Exception):
                asyncio.run(postgres(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)'))
    report(plan, results)
    print(f"(total {time.monotonic() - started:.0f} s)")


if __name__ == "__main__":
    main()
