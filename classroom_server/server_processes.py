"""``serve --workers N``: N server processes on one port, so every core carries lectures.

One Python process forwards media and fans out chat on one core. Each process here is a
whole server (REST, Socket.IO, a media node) bound to the same port with ``SO_REUSEPORT``:
the kernel spreads new connections over them, and they share rooms, media placement and the
job queue through Redis and PostgreSQL exactly as processes on several machines do
(``docs/deployment.md``). A WebSocket is one connection, so it stays with its process; Socket.IO
long-polling is many requests that would land on different processes, so it is turned off
(a load balancer with sticky sessions in front of separate ports can keep it).

The parent only supervises: a process that dies is started again (under the same index, so it
forgets what its earlier run left in the rooms, ``signaling.room_presence``), one that fails
at start-up stops them all with its exit code, and every child dies with the parent
(``classroom_server.lifeline``), however the parent dies.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import time
from collections.abc import Callable
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from types import FrameType

from classroom_server import lifeline
from classroom_server.config import Settings

log = logging.getLogger(__name__)
STARTUP_SECONDS = 10.0
"""A process that exits sooner than this after starting failed to start, and is not retried."""
RESTART_PAUSE_SECONDS = 1.0
STOP_SECONDS = 10.0

Run = Callable[[Settings], None]
"""Runs one server until it stops (``settings.process_index`` set: it shares its port)."""


class StartupFailed(Exception):
    """A server process exited while starting: the same flags would fail again."""


def _child(run: Run, settings: Settings, end: Connection) -> None:
    lifeline.hold(end)
    run(settings)


class Supervisor:
    """Keeps ``workers`` server processes running until asked to stop."""

    def __init__(self, run: Run, settings: Settings, workers: int) -> None:
        self._run = run
        self._settings = settings
        self._workers = workers
        self._context = multiprocessing.get_context("spawn")
        self._lifeline = lifeline.Lifeline(self._context)
        self._children: dict[int, tuple[BaseProcess, float]] = {}
        self._stopping = False

    def run(self) -> None:
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, self._stop)
        try:
            for index in range(self._workers):
                self._start(index)
            while not self._stopping:
                wait([process.sentinel for process, _ in self._children.values()], timeout=0.5)
                self._restart_dead()
        finally:
            self._stop_all()

    def _stop(self, _signum: int, _frame: FrameType | None) -> None:
        self._stopping = True

    def _start(self, index: int) -> None:
        settings = self._settings.model_copy(update={"process_index": index})
        process = self._context.Process(
            target=_child,
            args=(self._run, settings, self._lifeline.end),
            name=f"qou-classroom-{index}",
        )
        process.start()
        self._children[index] = (process, time.monotonic())

    def _restart_dead(self) -> None:
        for index, (process, started) in list(self._children.items()):
            if process.is_alive() or self._stopping:
                continue
            code = process.exitcode
            if time.monotonic() - started < STARTUP_SECONDS and code != -signal.SIGKILL:
                raise StartupFailed(f"server process {index} exited while starting (code {code})")
            log.warning("server process %s exited (code %s): starting it again", index, code)
            time.sleep(RESTART_PAUSE_SECONDS)
            self._start(index)

    def _stop_all(self) -> None:
        for process, _ in self._children.values():
            if process.is_alive():
                process.terminate()  # SIGTERM: each closes its media and leases cleanly
        deadline = time.monotonic() + STOP_SECONDS
        for process, _ in self._children.values():
            process.join(max(0.0, deadline - time.monotonic()))
        self._lifeline.cut()  # whatever did not stop in time goes now
