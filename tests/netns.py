"""Two network namespaces joined by a veth pair: a shaped link for weak-network tests.

``two_namespaces()`` makes a "server" and a "student" namespace (each with ``lo`` up) joined by
one veth pair, ``SERVER_IP`` on the server's end and ``STUDENT_IP`` on the student's. Nothing
is ever created in, or sent from, the machine's own namespace: the veth pair is made inside
the server namespace with its peer end inside the student's. Names carry the process id and a
counter, so parallel runs do not clash; leftovers of a run that was killed outright (no
``finally``) are removed by the next run.

Shaping (this kernel has no netem, see ../shared/FIELD-NOTES.md):
- rate: ``tc tbf`` on each end's egress (the server end's egress is the student's downlink,
  the student end's egress the uplink);
- loss: an nftables rule ``numgen random mod 100 < N drop`` on each side's way in from the
  veth (the student's input is the downlink, the server's the uplink); dropped on the way in
  because a packet nftables drops on output fails the sender's ``sendto`` (EPERM), which no
  real network does;
- a cut: the same place, dropping everything both ways (no interface event, as when a Wi-Fi
  network stops carrying packets); ``Link.set_down`` takes the student's interface down
  instead.

Code in this process reaches into a namespace with ``Namespace.open_socket`` (a socket made there:
a socket keeps its namespace; give it to aiohttp as ``socket_factory``) and runs programs there
with ``Namespace.popen`` / ``Namespace.run``. ``chromium_in`` writes a wrapper Playwright can
launch as ``executable_path``: it talks to Chromium over a pipe, which crosses namespaces.

Needs root and ``ip``, ``tc`` and ``nft`` (Debian: iproute2, nftables); ``missing()`` says
what is missing, for a skip.
"""

from __future__ import annotations

import contextlib
import ctypes
import itertools
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

PREFIX = "qou"
SERVER_IP = "10.77.0.1"
STUDENT_IP = "10.77.0.2"
SUBNET = "10.77.0.0/24"
SERVER_IF = "vsrv"  # each name lives in its own namespace: no clash between runs
STUDENT_IF = "vstu"
NFT_TABLE = "qou_link"
TOOLS = ("ip", "tc", "nft")

_CLONE_NEWNET = 0x40000000
_counter = itertools.count()


def missing() -> str | None:
    """Why this machine cannot run namespace tests, or None when it can."""
    if os.geteuid() != 0:
        return "network namespaces need root (CI runs as root)"
    absent = [tool for tool in TOOLS if shutil.which(tool) is None]
    if absent:
        packages = {"ip": "iproute2", "tc": "iproute2", "nft": "nftables"}
        wanted = sorted({packages[tool] for tool in absent})
        return f"missing {', '.join(absent)} (apt-get install {' '.join(wanted)})"
    return None


def _run(*command: str, check: bool = True, input: str | None = None) -> str:
    done = subprocess.run(command, capture_output=True, text=True, input=input, timeout=30)
    if check and done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)}: {done.stderr.strip() or done.stdout.strip()}")
    return done.stdout


def _setns(fd: int) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.setns(fd, _CLONE_NEWNET) != 0:
        error = ctypes.get_errno()
        raise OSError(error, os.strerror(error))


@dataclass
class Namespace:
    """One named network namespace and the processes this test started in it."""

    name: str
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def command(self, *command: str) -> list[str]:
        return ["ip", "netns", "exec", self.name, *command]

    def run(self, *command: str, check: bool = True, input: str | None = None) -> str:
        return _run(*self.command(*command), check=check, input=input)

    def popen(
        self, command: Sequence[str], log: IO[bytes], env: dict[str, str] | None = None
    ) -> subprocess.Popen[bytes]:
        """Starts ``command`` in the namespace; it is ended (by its pid) when the namespace
        goes. ``ip netns exec`` execs the command, so the pid is the command's own."""
        process = subprocess.Popen(
            self.command(*command),
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
        )
        self.processes.append(process)
        return process

    def open_socket(self, family: int, kind: int, proto: int = 0) -> socket.socket:
        """A socket of this namespace, made from this thread (setns is per thread) and
        returned to the namespace the thread was in."""
        with open("/proc/thread-self/ns/net", "rb") as home:
            with open(f"/run/netns/{self.name}", "rb") as target:
                _setns(target.fileno())
            try:
                return socket.socket(family, kind, proto)
            finally:
                _setns(home.fileno())

    def socket_factory(self, addr_info: tuple[Any, ...]) -> socket.socket:
        """For ``aiohttp.TCPConnector(socket_factory=...)``: HTTP into the namespace."""
        family, kind, proto = addr_info[0], addr_info[1], addr_info[2]
        return self.open_socket(family, kind, proto)

    def wait_listening(self, host: str, port: int, process: subprocess.Popen[bytes]) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"{process.args!r} exited with {process.returncode}")
            with self.open_socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
                sock.settimeout(0.2)
                if sock.connect_ex((host, port)) == 0:
                    return
            time.sleep(0.1)
        raise RuntimeError(f"nothing listens on {host}:{port} in {self.name}")

    def stop_processes(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)

    def nft(self, script: str) -> None:
        self.run("nft", "-f", "-", input=script)


@dataclass
class Link:
    """The veth pair between the two namespaces and what is done to it."""

    server: Namespace
    student: Namespace

    def rate(self, kbit: int | None, latency_ms: int = 200) -> None:
        """Both directions limited to ``kbit`` (tbf; ``latency_ms`` of queue, then drops);
        None removes the limit."""
        for namespace, interface in ((self.server, SERVER_IF), (self.student, STUDENT_IF)):
            if kbit is None:
                namespace.run("tc", "qdisc", "del", "dev", interface, "root", check=False)
                continue
            # tbf needs a bucket of at least one MTU-sized packet plus a little.
            burst = max(4000, kbit * 1000 // 8 // 50)  # 20 ms at the rate
            namespace.run(
                "tc", "qdisc", "replace", "dev", interface, "root", "tbf",
                "rate", f"{kbit}kbit", "burst", str(burst), "latency", f"{latency_ms}ms",
            )  # fmt: skip

    def loss(self, percent: int) -> None:
        """Drop ``percent`` % of packets at random each way (0 removes the loss)."""
        self._rules("loss", None if percent == 0 else f"numgen random mod 100 < {percent}")

    def cut(self) -> None:
        """No packet crosses the link either way until ``restore``."""
        self._rules("cut", "")

    def restore(self) -> None:
        self._rules("cut", None)

    def set_down(self, down: bool) -> None:
        """The student's end of the veth administratively down (or up again)."""
        self.student.run("ip", "link", "set", STUDENT_IF, "down" if down else "up")

    def clear(self) -> None:
        """A clean, unlimited link."""
        self.rate(None)
        self.loss(0)
        self.restore()
        self.set_down(False)

    def dropped(self, chain: str) -> int:
        """Packets the ``chain`` rules ("loss", "cut") have dropped so far, both ways."""
        return sum(_counted(ns, chain) for ns in (self.server, self.student))

    def _rules(self, chain: str, match: str | None) -> None:
        """``chain`` drops (and counts) what ``match`` matches on each side's way in from the
        veth, or nothing when ``match`` is None. The student's
        input is the downlink, the server's the uplink. Dropping on the way in, not out,
        keeps it silent: a packet nftables drops on output fails the sender's sendto."""
        for namespace, interface in ((self.server, SERVER_IF), (self.student, STUDENT_IF)):
            script = f"flush chain inet {NFT_TABLE} {chain}\n"
            if match is not None:
                rule = f"iifname {interface} {match} counter drop"
                script += f"add rule inet {NFT_TABLE} {chain} {rule}\n"
            namespace.nft(script)

    def block_udp_to_server(self) -> None:
        """The server namespace drops every UDP packet that comes in over the veth: the
        student reaches the server over TCP only (TURN over TCP, HTTP, WebSocket)."""
        self.server.nft(
            f"add rule inet {NFT_TABLE} no_udp iifname {SERVER_IF} meta l4proto udp counter drop\n"
        )

    def udp_blocked(self) -> int:
        """UDP packets from the student that ``block_udp_to_server`` has dropped."""
        return _counted(self.server, "no_udp")


def _counted(namespace: Namespace, chain: str) -> int:
    out = namespace.run("nft", "list", "chain", "inet", NFT_TABLE, chain)
    return sum(int(words.split()[0]) for words in out.split("packets ")[1:])


def _rule_set() -> str:
    """Each namespace's table: input chains, empty for now. "cut" runs first (lowest
    priority number), then "no_udp", then "loss"."""
    chains = [
        f"add chain inet {NFT_TABLE} {name} {{ type filter hook input priority {priority}; }}"
        for name, priority in (("cut", -10), ("no_udp", -5), ("loss", 0))
    ]
    return f"add table inet {NFT_TABLE}\n" + "\n".join(chains) + "\n"


def _ours() -> list[str]:
    out = _run("ip", "netns", "list", check=False)
    return [line.split()[0] for line in out.splitlines() if line.startswith(f"{PREFIX}-")]


def _delete(name: str) -> None:
    """Ends what still runs in namespace ``name`` (by pid) and deletes it; its veth end goes
    with it."""
    pids = _run("ip", "netns", "pids", name, check=False).split()
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, ValueError):  # gone already
            os.kill(int(pid), signal.SIGKILL)
    _run("ip", "netns", "delete", name, check=False)


def sweep_leftovers() -> None:
    """Deletes namespaces of earlier runs whose process is gone (killed before cleanup)."""
    for name in _ours():
        parts = name.split("-")  # qou-<role>-<pid>-<n>
        if len(parts) == 4 and parts[2].isdigit() and not Path(f"/proc/{parts[2]}").exists():
            _delete(name)


@contextmanager
def two_namespaces() -> Iterator[Link]:
    """A server and a student namespace joined by a clean veth link; both deleted on exit,
    whatever happened (processes started with ``Namespace.popen`` are stopped first)."""
    sweep_leftovers()
    run = f"{os.getpid()}-{next(_counter)}"
    server, student = Namespace(f"{PREFIX}-srv-{run}"), Namespace(f"{PREFIX}-stu-{run}")
    try:
        for namespace in (server, student):
            _run("ip", "netns", "add", namespace.name)
            namespace.run("ip", "link", "set", "lo", "up")
            # Only needed when both veth ends share a namespace (FIELD-NOTES), harmless here.
            for scope in ("all", "default"):
                namespace.run("sysctl", "-qw", f"net.ipv4.conf.{scope}.rp_filter=0")
        server.run(
            "ip", "link", "add", SERVER_IF, "type", "veth",
            "peer", "name", STUDENT_IF, "netns", student.name,
        )  # fmt: skip
        for namespace, interface, address in (
            (server, SERVER_IF, SERVER_IP),
            (student, STUDENT_IF, STUDENT_IP),
        ):
            namespace.run("ip", "addr", "add", f"{address}/24", "dev", interface)
            namespace.run("ip", "link", "set", interface, "up")
            namespace.nft(_rule_set())
        yield Link(server, student)
    finally:
        for namespace in (student, server):
            namespace.stop_processes()
            _delete(namespace.name)


def chromium_in(namespace: Namespace, directory: Path, chromium: str) -> str:
    """A script that starts ``chromium`` inside ``namespace``, for Playwright's
    ``executable_path`` (exec keeps the pid Playwright knows, and the pipe it talks over)."""
    path = directory / f"chromium-{namespace.name}"
    path.write_text(f'#!/bin/sh\nexec ip netns exec {namespace.name} {chromium} "$@"\n')
    path.chmod(0o755)
    return str(path)
