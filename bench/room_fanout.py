"""Live-room chat fan-out: how fast, how completely and how cheaply one room delivers chat.

The question is whether a lecture of 500 students fits on one server core: every chat message
is validated, rate-limited, stored and then delivered to everyone in the room, so the cost
grows with students x messages. The FIELD-NOTES baseline (bare python-socketio, no
validation or storage) is the yardstick the room should stay close to.

    python bench/room_fanout.py [--quick]

How it measures, and why this way:

* The server runs as a subprocess pinned to core 0 (``taskset -c 0``) and the clients on
  core 1, so client work never steals the server's CPU and the figures mean "one core".
* Each room size gets a fresh server process on the same data directory, so memory and CPU
  readings start from the same clean state instead of inheriting the previous size's heap.
* Students are real python-socketio clients spread over several processes (one Python
  process cannot receive thousands of messages a second on its own without adding latency).
* Every chat text carries its send time; ``time.time()`` is one clock for all processes on a
  machine, so each receiver can compute the delivery latency itself.
* Senders rotate over all students, so nobody comes near the 5-messages-per-5-s chat limit.
* Students are created through the REST API like an admin would, but their room join tokens
  are minted with the deployment key the bench gives the server: argon2id costs ~0.2 s of CPU
  per login, and 500 logins would add minutes of setup that measure nothing about the room.
  (Bearer tokens cannot be minted: the server records the ones it issues.) The educator's
  and the observers' join tokens still come from ``POST /lectures/{id}/join``, the real path.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

import aiohttp
import socketio

SERVER_CORE, CLIENT_CORE = 0, 1
HOST = "127.0.0.1"  # loopback only, by design
NAMESPACE = "/classroom"
PASSWORD = "bench-password-1"
SECRET_KEY = secrets.token_urlsafe(48)
WORKERS = 4
HTTP_CONCURRENCY = 8  # the server has 6 hashing threads; more in flight only queues
JOINS_IN_FLIGHT = 8  # per worker process
JOIN_WAIT = 60  # seconds one socket may take to connect and get room:state
CLI = [sys.executable, "-m", "classroom_server"]  # the qou-classroom entry point


@dataclass(frozen=True)
class Plan:
    """How big and how long; the quick plan is a smoke test that must finish within a minute."""

    sizes: tuple[int, ...]
    rate: float  # chat messages per second, room-wide
    seconds: float  # length of the send phase
    settle: float  # idle before the "before joins" RSS reading
    idle: float  # idle after the joins, before the "after joins" RSS reading
    drain: float  # longest wait for late deliveries after the last send
    deadline: int  # hard cap on the whole run, seconds


QUICK = Plan((50, 100), rate=10, seconds=3, settle=1, idle=2, drain=3, deadline=120)
FULL = Plan((100, 250, 500), rate=10, seconds=10, settle=2, idle=4, drain=5, deadline=570)


@dataclass
class Sample:
    """One room size's figures."""

    n: int
    joined: int = 0
    join_seconds: float = 0.0
    join_cpu_ms: float = 0.0  # server CPU per join, roster broadcasts included
    kib_per_student: float = 0.0
    planned: int = 0  # messages the schedule sends
    sent: int = 0  # messages the server acknowledged as sent
    send_errors: Counter[str] = field(default_factory=Counter)
    latencies_ms: list[float] = field(default_factory=list)
    server_cpu_s: float = 0.0
    observer_deliveries: int = 0
    client_cpu_share: float = 0.0  # our client processes' CPU, as a share of their core
    others_server_core: float = 0.0  # CPU that other processes took on the server's core
    others_client_core: float = 0.0  # ... and on the clients' core

    @property
    def noisy(self) -> bool:
        """Someone else's load on the server core inflates latency; say so rather than hide it."""
        return self.others_server_core > 0.05

    @property
    def expected(self) -> int:
        """Every planned message to every student: a refused send counts as undelivered."""
        return self.planned * self.n

    @property
    def ratio(self) -> float:
        return len(self.latencies_ms) / self.expected if self.expected else 0.0

    @property
    def cpu_us_per_delivery(self) -> float:
        deliveries = len(self.latencies_ms) + self.observer_deliveries
        return self.server_cpu_s * 1e6 / deliveries if deliveries else float("nan")

    def percentile(self, p: int) -> float:
        if len(self.latencies_ms) < 2:
            return float("nan")
        return statistics.quantiles(self.latencies_ms, n=100, method="inclusive")[p - 1]


# --- the server under test ----------------------------------------------------------------


def server_env() -> dict[str, str]:
    """Our key, and no inherited QOU_* settings that could point at Postgres or Redis."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("QOU_")}
    return {**env, "QOU_SECRET_KEY": SECRET_KEY}


def on_cores(pinned: bool) -> list[str]:
    """The server core alone, or both cores for setup (children inherit main's client core)."""
    cores = [SERVER_CORE] if pinned else [SERVER_CORE, CLIENT_CORE]
    return ["taskset", "-c", ",".join(map(str, cores))]


def core_busy() -> dict[int, float]:
    """Seconds each core has been busy since boot (/proc/stat, all but idle and iowait).

    The machine may be shared: the busy time a core had beyond our own processes' CPU time is
    other people's load, and the report shows it next to the latencies it distorts.
    """
    busy = {}
    for line in Path("/proc/stat").read_text().splitlines():
        name, *ticks = line.split()
        if name in (f"cpu{SERVER_CORE}", f"cpu{CLIENT_CORE}"):
            counts = [int(t) for t in ticks[:8]]
            busy[int(name[3:])] = (sum(counts) - counts[3] - counts[4]) / os.sysconf("SC_CLK_TCK")
    return busy


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Server:
    """A ``qou-classroom serve`` subprocess; taskset execs, so its pid is the server's."""

    process: subprocess.Popen[bytes]
    url: str

    @classmethod
    def start(cls, data_dir: Path, pinned: bool) -> Server:
        port = free_port()
        command = [*on_cores(pinned), *CLI, "serve", "--host", HOST, "--port", str(port)]
        command += ["--data-dir", str(data_dir), "--log-level", "warning"]
        with (data_dir / "server.log").open("ab") as log:  # the child keeps its own copy
            process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, env=server_env()
            )
        return cls(process, f"http://{HOST}:{port}")

    async def ready(self, http: aiohttp.ClientSession) -> None:
        """Waits for /healthz (callers bound the wait) or fails if the server died."""
        while self.process.poll() is None:
            try:
                async with http.get(self.url + "/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
        raise RuntimeError(f"server exited with {self.process.returncode}")

    def cpu_seconds(self) -> float:
        """utime + stime of all the server's threads (fields 14 and 15 of /proc/pid/stat)."""
        stat = Path(f"/proc/{self.process.pid}/stat").read_text()
        fields = stat.rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_kib(self) -> int:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise RuntimeError("no VmRSS")

    def stop(self) -> None:
        """Hard stop after a short grace: a clean shutdown of 500 sockets measures nothing
        (aiohttp would wait up to 5 s for them), and SQLite's WAL survives a kill."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(1)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


# --- REST setup ---------------------------------------------------------------------------


async def call_api(
    http: aiohttp.ClientSession, url: str, token: str | None, body: dict[str, Any] | None = None
) -> dict[str, Any]:
    """POST and return the JSON answer; any failure stops the bench with the server's words."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with http.post(url, json=body, headers=headers) as response:
        if response.status >= 300:
            raise RuntimeError(f"POST {url}: {response.status} {await response.text()}")
        answer: dict[str, Any] = await response.json()
        return answer


async def login(http: aiohttp.ClientSession, base: str, username: str) -> str:
    body = {"username": username, "password": PASSWORD}
    answer = await call_api(http, base + "/api/v1/auth/token", None, body)
    return str(answer["access_token"])


def join_token(user_id: int, lecture: int) -> str:
    """A student's room join token as ``POST /lectures/{id}/join`` would issue it, signed with
    the key we gave the server (bearer tokens are recorded server-side, so they cannot be
    minted; join tokens are short-lived and stateless)."""
    from classroom_server.security import TokenIssuer  # here: client processes never need it

    issuer = TokenIssuer(SECRET_KEY)
    return issuer.issue("join", user_id, timedelta(hours=2), lecture=lecture, role="student").token


def seed(data_dir: Path) -> None:
    """Demo course, educator and student1..3, plus an admin, through the CLI."""
    for args in (
        ["demo", "--password", PASSWORD],
        ["create-user", "admin", "--role", "admin", "--password", PASSWORD],
    ):
        command = [*on_cores(False), *CLI, *args, "--data-dir", str(data_dir)]
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=120, env=server_env()
        )
        if done.returncode:
            raise RuntimeError(f"{' '.join(args[:2])} failed: {done.stderr.strip()[-2000:]}")


async def course_id(http: aiohttp.ClientSession, base: str, token: str) -> int:
    headers = {"Authorization": f"Bearer {token}"}
    async with http.get(base + "/api/v1/courses", headers=headers) as response:
        courses = (await response.json())["items"]
    return int(next(c["id"] for c in courses if c["code"] == "OL101"))


async def create_students(base: str, count: int) -> list[int]:
    """Accounts and enrolments through the REST API, concurrently; returns the user ids."""
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

        return list(await asyncio.gather(*(one(i) for i in range(count))))


async def open_lecture(http: aiohttp.ClientSession, base: str) -> tuple[int, str]:
    """A live lecture of the demo course; returns its id and the educator's bearer token."""
    educator = await login(http, base, "educator")
    course = await course_id(http, base, educator)
    body = {"title": "Fan-out bench", "scheduled_start": datetime.now(UTC).isoformat()}
    lecture = await call_api(http, f"{base}/api/v1/courses/{course}/lectures", educator, body)
    await call_api(http, f"{base}/api/v1/lectures/{lecture['id']}/start", educator)
    return int(lecture["id"]), educator


async def join_tokens(
    http: aiohttp.ClientSession, base: str, lecture: int, bearers: list[str]
) -> list[str]:
    gate = asyncio.Semaphore(HTTP_CONCURRENCY * 4)

    async def one(bearer: str) -> str:
        async with gate:
            answer = await call_api(http, f"{base}/api/v1/lectures/{lecture}/join", bearer)
        return str(answer["token"])

    return list(await asyncio.gather(*(one(b) for b in bearers)))


# --- one socket in the room ---------------------------------------------------------------


class Student:
    """A python-socketio client that times every bench chat message it receives."""

    def __init__(self) -> None:
        self.sio = socketio.AsyncClient(reconnection=False, handle_sigint=False)
        self.joined = asyncio.Event()
        self.latencies: list[float] = []
        self.expect = 0  # bench messages to wait for
        self.complete = asyncio.Event()
        self.sio.on("room:state", self._state, namespace=NAMESPACE)
        self.sio.on("chat:message", self._message, namespace=NAMESPACE)

    async def _state(self, _data: Any) -> None:
        self.joined.set()

    async def _message(self, data: dict[str, Any]) -> None:
        now = time.time()
        text = data.get("text", "")
        if text.startswith("bench:"):
            self.latencies.append(now - float(text.rsplit(":", 1)[1]))
            if len(self.latencies) >= self.expect:
                self.complete.set()

    async def join(self, url: str, token: str) -> None:
        """Connects and waits for room:state; a busy single-core server may take a while."""
        await self.sio.connect(
            url,
            namespaces=[NAMESPACE],
            auth={"token": token},
            transports=["websocket"],
            wait_timeout=JOIN_WAIT,
        )
        await asyncio.wait_for(self.joined.wait(), JOIN_WAIT)

    async def send(self, k: int) -> str:
        """Sends bench message ``k`` stamped with the current time; returns the ack's verdict."""
        text = f"bench:{k}:{time.time():.6f}"
        try:
            ack = await self.sio.call("chat:send", {"text": text}, namespace=NAMESPACE, timeout=10)
        except socketio.exceptions.SocketIOError as exc:  # no ack in time, or disconnected
            return type(exc).__name__
        return "ok" if ack.get("ok") else str(ack.get("error", {}).get("code", "?"))

    async def leave(self) -> None:
        if self.sio.connected:
            await self.sio.disconnect()


# --- client worker processes --------------------------------------------------------------


async def receive(conn: Connection) -> Any:
    """The next message on a pipe without blocking the event loop (callers bound the wait)."""
    loop, readable = asyncio.get_running_loop(), asyncio.Event()
    loop.add_reader(conn.fileno(), readable.set)
    try:
        await readable.wait()
    finally:
        loop.remove_reader(conn.fileno())
    return conn.recv()


async def order(conn: Connection, seconds: float) -> tuple[Any, ...]:
    """main's next order; ("stop",) when main has gone quiet for too long."""
    try:
        async with asyncio.timeout(seconds):
            message: tuple[Any, ...] = await receive(conn)
            return message
    except (TimeoutError, EOFError):
        return ("stop",)


def worker_main(conn: Connection) -> None:
    """Entry point of a client process: on the client core, deaf to Ctrl-C (main cleans up)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.sched_setaffinity(0, {CLIENT_CORE})
    asyncio.run(worker(conn))


async def worker(conn: Connection) -> None:
    """join -> joined, send -> done, stop: the protocol main drives, one phase at a time.

    "stop" may come instead of any order (main failed or was interrupted): then just leave.
    """
    first = await order(conn, 300)
    if first[0] != "join":
        return
    _, url, tokens = first
    students = [Student() for _ in tokens]
    started, failures = time.monotonic(), await join_all(students, url, tokens)
    conn.send(("joined", len(students) - len(failures), failures, time.monotonic() - started))
    second = await order(conn, 600)
    if second[0] == "send":
        conn.send(("done", *await send_phase(students, *second[1:])))
        await order(conn, 120)
    if students:
        await asyncio.wait([asyncio.ensure_future(s.leave()) for s in students], timeout=3)


async def join_all(students: list[Student], url: str, tokens: list[str]) -> list[str]:
    """Joins everyone, a few at a time; returns why the failures failed."""
    gate = asyncio.Semaphore(JOINS_IN_FLIGHT)

    async def one(student: Student, token: str) -> str | None:
        async with gate:
            try:
                await student.join(url, token)
            except Exception as exc:
                return f"{type(exc).__name__}: {exc}"
        return None

    results = await asyncio.gather(*(one(s, t) for s, t in zip(students, tokens, strict=True)))
    return [r for r in results if r is not None]


async def send_phase(
    students: list[Student], t0: float, rate: float, count: int, n: int, me: int, drain: float
) -> tuple[list[float], int, Counter[str], float]:
    """Sends this process's share of the schedule, then waits for every delivery or the drain.

    Message k is sent at t0 + k/rate by student k mod n; student g lives in process g mod
    WORKERS as its local number g // WORKERS.
    """
    cpu0 = time.process_time()
    mine = [k for k in range(count) if (k % n) % WORKERS == me]

    async def send(k: int) -> str:
        await asyncio.sleep(max(0.0, t0 + k / rate - time.time()))
        student = students[(k % n) // WORKERS]
        return await student.send(k) if student.joined.is_set() else "not_joined"

    for student in students:
        student.expect = count
    verdicts = Counter(await asyncio.gather(*(send(k) for k in mine)))
    waits = [asyncio.ensure_future(s.complete.wait()) for s in students if s.joined.is_set()]
    if waits:
        await asyncio.wait(waits, timeout=max(0.0, t0 + count / rate + drain - time.time()))
    for wait in waits:
        wait.cancel()
    latencies = [seconds * 1000 for s in students for seconds in s.latencies]
    sent = verdicts.pop("ok", 0)
    return latencies, sent, verdicts, time.process_time() - cpu0


@dataclass
class Workers:
    """The client processes and main's ends of their pipes."""

    processes: list[BaseProcess]
    pipes: list[Connection]

    @classmethod
    def spawn(cls) -> Workers:
        context = mp.get_context("spawn")  # main runs an event loop: never fork under it
        processes: list[BaseProcess] = []
        pipes: list[Connection] = []
        for _ in range(WORKERS):
            ours, theirs = context.Pipe()
            process = context.Process(target=worker_main, args=(theirs,), daemon=True)
            process.start()
            processes.append(process)
            pipes.append(ours)
        return cls(processes, pipes)

    async def ask(self, messages: list[tuple[Any, ...]]) -> list[Any]:
        """One order to each worker, then every answer (callers bound the wait)."""
        for pipe, message in zip(self.pipes, messages, strict=True):
            pipe.send(message)
        return list(await asyncio.gather(*(receive(p) for p in self.pipes)))

    def stop(self) -> None:
        for pipe in self.pipes:
            try:
                pipe.send(("stop",))
            except OSError:
                pass
        for process in self.processes:
            process.join(5)
            if process.is_alive():
                process.terminate()
                process.join(2)


# --- one room size ------------------------------------------------------------------------


async def observers(
    http: aiohttp.ClientSession, base: str, lecture: int, educator: str
) -> list[Student]:
    """The educator and student1 join first: they warm every join and chat code path, so the
    "before" memory reading already includes the one-off caches and not just empty rooms."""
    student1 = await login(http, base, "student1")
    people = []
    for bearer in (educator, student1):
        person = Student()
        await person.join(base, (await join_tokens(http, base, lecture, [bearer]))[0])
        people.append(person)
    ack = await people[0].sio.call("chat:send", {"text": "warm-up"}, namespace=NAMESPACE)
    if not ack.get("ok"):
        raise RuntimeError(f"warm-up chat refused: {ack}")
    return people


async def measure(plan: Plan, data_dir: Path, students: list[int], n: int) -> Sample:
    server, workers = Server.start(data_dir, pinned=True), Workers.spawn()
    sample, watchers = Sample(n), list[Student]()
    try:
        async with aiohttp.ClientSession() as http:
            async with asyncio.timeout(30):
                await server.ready(http)
            lecture, educator = await open_lecture(http, server.url)
            watchers = await observers(http, server.url, lecture, educator)
            tokens = [join_token(user_id, lecture) for user_id in students[:n]]
        await join_phase(plan, server, workers, tokens, sample)
        await chat_phase(plan, server, workers, sample, watchers)
    finally:
        server.stop()
        workers.stop()
        for watcher in watchers:
            await watcher.leave()
    return sample


async def join_phase(
    plan: Plan, server: Server, workers: Workers, tokens: list[str], sample: Sample
) -> None:
    """All N join; memory per student is the RSS growth after they idle a few seconds."""
    await asyncio.sleep(plan.settle)
    before, cpu0 = server.rss_kib(), server.cpu_seconds()
    shares = [("join", server.url, tokens[w::WORKERS]) for w in range(WORKERS)]
    async with asyncio.timeout(60 + sample.n * 0.3):
        answers = await workers.ask(shares)
    sample.join_cpu_ms = (server.cpu_seconds() - cpu0) * 1000 / sample.n
    sample.joined = sum(a[1] for a in answers)
    sample.join_seconds = max(a[3] for a in answers)
    for failure in [f for a in answers for f in a[2]][:3]:
        print(f"  join failed: {failure}", file=sys.stderr)
    await asyncio.sleep(plan.idle)
    sample.kib_per_student = (server.rss_kib() - before) / sample.n


async def chat_phase(
    plan: Plan, server: Server, workers: Workers, sample: Sample, watchers: list[Student]
) -> None:
    """A fixed rate of chat for a fixed time; server CPU is read around the whole phase."""
    count = sample.planned = round(plan.rate * plan.seconds)
    t0 = time.time() + 1.0
    for watcher in watchers:
        watcher.latencies.clear()
    cpu0, busy0, main0, wall0 = server.cpu_seconds(), core_busy(), time.process_time(), time.time()
    orders = [("send", t0, plan.rate, count, sample.n, w, plan.drain) for w in range(WORKERS)]
    async with asyncio.timeout(plan.seconds + plan.drain + 30):
        answers = await workers.ask(orders)
    sample.server_cpu_s = server.cpu_seconds() - cpu0
    busy, wall = core_busy(), time.time() - wall0
    clients_cpu = sum(a[4] for a in answers) + time.process_time() - main0
    for _, latencies, sent, errors, _cpu in answers:
        sample.latencies_ms += latencies
        sample.sent += sent
        sample.send_errors += errors
    sample.observer_deliveries = sum(len(w.latencies) for w in watchers)
    sample.client_cpu_share = clients_cpu / wall
    others = busy[SERVER_CORE] - busy0[SERVER_CORE] - sample.server_cpu_s
    sample.others_server_core = max(0.0, others / wall)
    others = busy[CLIENT_CORE] - busy0[CLIENT_CORE] - clients_cpu
    sample.others_client_core = max(0.0, others / wall)


# --- report -------------------------------------------------------------------------------


COLUMNS: list[tuple[str, Callable[[Sample], str]]] = [
    ("N", lambda s: f"{s.n}"),
    ("joined", lambda s: f"{s.joined}"),
    ("join s", lambda s: f"{s.join_seconds:.1f}"),
    ("ms/join", lambda s: f"{s.join_cpu_ms:.1f}"),
    ("sent", lambda s: f"{s.sent}/{s.planned}"),
    ("p50 ms", lambda s: f"{s.percentile(50):.1f}"),
    ("p99 ms", lambda s: f"{s.percentile(99):.1f}"),
    ("max ms", lambda s: f"{max(s.latencies_ms, default=0):.1f}"),
    ("delivered", lambda s: f"{len(s.latencies_ms)}/{s.expected}"),
    ("ratio", lambda s: f"{s.ratio:.4f}"),
    ("srv CPU s", lambda s: f"{s.server_cpu_s:.2f}"),
    ("us/deliv", lambda s: f"{s.cpu_us_per_delivery:.1f}"),
    ("KiB/stu", lambda s: f"{s.kib_per_student:.1f}"),
    ("cli CPU", lambda s: f"{s.client_cpu_share:.0%}"),
    ("others c0/c1", lambda s: f"{s.others_server_core:.0%}/{s.others_client_core:.0%}"),
]


def table(samples: list[Sample]) -> str:
    """Right-aligned columns, each as wide as its widest cell."""
    cells = [[name for name, _ in COLUMNS]]
    cells += [[cell(s) for _, cell in COLUMNS] for s in samples]
    widths = [max(len(row[i]) for row in cells) for i in range(len(COLUMNS))]
    lines = [" ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) for row in cells]
    return "\n".join([lines[0], "-" * len(lines[0]), *lines[1:]])


def report(samples: list[Sample]) -> None:
    print()
    print(table(samples))
    for s in samples:
        if s.send_errors:
            print(f"N={s.n}: send errors {dict(s.send_errors)}")
        if s.noisy:
            print(
                f"N={s.n}: WARNING other processes took {s.others_server_core:.0%} of the server"
                " core during the chat phase; its latencies are inflated"
            )
    print(
        "ms/join: server CPU per join (room:state, roster broadcasts). Chat phase: cli CPU = our"
        " client processes' share of core 1; others = CPU other processes took on core 0"
        " (server) / core 1 (clients)"
    )
    print()
    for s in samples:
        print(f"RESULT chat_p99_ms_{s.n}={s.percentile(99):.1f}")
        print(f"RESULT delivered_ratio_{s.n}={s.ratio:.4f}")
        print(f"RESULT cpu_us_per_delivery_{s.n}={s.cpu_us_per_delivery:.1f}")
    print(f"RESULT kib_per_student={samples[-1].kib_per_student:.1f}")


# --- main ---------------------------------------------------------------------------------


def check_machine() -> None:
    if shutil.which("taskset") is None:
        sys.exit("taskset not found (util-linux): it pins the server to one core")
    if len(os.sched_getaffinity(0)) < 2:
        sys.exit("needs two usable cores: one for the server, one for the clients")


async def run(plan: Plan, data_dir: Path) -> list[Sample]:
    seed(data_dir)
    setup = Server.start(data_dir, pinned=False)  # argon2 per account: use both cores here
    try:
        async with aiohttp.ClientSession() as http, asyncio.timeout(30):
            await setup.ready(http)
        started = time.monotonic()
        students = await create_students(setup.url, max(plan.sizes))
        print(f"created {len(students)} students in {time.monotonic() - started:.1f} s")
    finally:
        setup.stop()
    samples = []
    for n in plan.sizes:
        print(f"N={n}: joining, idling, chatting at {plan.rate:g}/s for {plan.seconds:g} s")
        samples.append(await measure(plan, data_dir, students, n))
    return samples


def on_deadline(_signum: int, _frame: Any) -> None:
    raise TimeoutError("the benchmark ran over its deadline")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="N=50 and 100, short phases")
    plan = QUICK if parser.parse_args().quick else FULL
    check_machine()
    os.sched_setaffinity(0, {CLIENT_CORE})
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the finally blocks
    signal.signal(signal.SIGALRM, on_deadline)
    signal.alarm(plan.deadline)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="qou-fanout-") as tmp:
        try:
            samples = asyncio.run(run(plan, Path(tmp)))
        except KeyboardInterrupt:
            sys.exit("interrupted: the server and the client processes are stopped")
        except Exception:
            log = Path(tmp) / "server.log"
            if log.exists():
                print(log.read_text()[-3000:], file=sys.stderr)
            raise
    report(samples)
    print(f"(total {time.monotonic() - started:.0f} s)")


if __name__ == "__main__":
    main()
