"""Child processes that die with the process that started them, however it dies.

kill -9 of ``serve`` left its slide-render workers (spawned multiprocessing children, about
230 MB each) running under PID 1, piling up crash after crash: nothing in a worker notices its
parent is gone, because the queues it waits on keep both of their ends open inside the worker.

A lifeline is a pipe whose write end only the parent holds (multiprocessing passes a spawned
child just the read end it is given). Each child watches its read end from a daemon thread;
when the parent dies the kernel closes the write end, the read sees end-of-file, and the child
exits on the spot, even in the middle of a render (PDFium runs with the GIL released).

Not ``PR_SET_PDEATHSIG``: it fires when the *thread* that started the child exits, and this
server starts children from helper threads (``asyncio.to_thread``) that come and go, which
would kill healthy workers; it is Linux-only besides. A pipe is neither.
"""

from __future__ import annotations

import os
import sys
import threading
from multiprocessing.connection import Connection
from multiprocessing.context import BaseContext

EXIT_STATUS = 70  # EX_SOFTWARE: the parent vanished; nothing of the child's is worth saving


class Lifeline:
    """The parent's side: give ``end`` to each child's ``hold``; ``cut`` ends them all."""

    def __init__(self, context: BaseContext) -> None:
        self._end, self._keep = context.Pipe(duplex=False)

    @property
    def end(self) -> Connection:
        """The read end, for a child's initializer arguments."""
        return self._end

    def cut(self) -> None:
        """Closes both ends: every child still holding the lifeline exits."""
        self._keep.close()
        self._end.close()


def hold(end: Connection) -> None:
    """A child's initializer: exit as soon as the parent's end of the lifeline closes."""
    threading.Thread(target=_watch, args=(end,), name="lifeline", daemon=True).start()


def _watch(end: Connection) -> None:
    try:
        while True:
            end.recv_bytes()  # the parent never writes; this returns only at end-of-file
    except (EOFError, OSError):
        pass
    os._exit(EXIT_STATUS)  # no cleanup: the parent that would want it is gone


# For a program that is not ours (ffmpeg), which cannot hold a pipe: a Python stub asks the
# kernel to kill it when its parent dies (PR_SET_PDEATHSIG, which survives exec), checks the
# parent did not die already, and becomes the program. Here the thread caveat above does not
# bite: the caller awaits the program on the event loop's thread, which outlives the wait.
_STUB = (
    "import ctypes, os, signal, sys\n"
    "ctypes.CDLL(None).prctl(1, signal.SIGKILL)\n"  # 1: PR_SET_PDEATHSIG
    "if os.getppid() != int(sys.argv[1]): os._exit(70)\n"
    "os.execv(sys.argv[2], sys.argv[2:])\n"
)


def dying_with_this_process(argv: list[str]) -> list[str]:
    """``argv`` run so that it is killed when this process dies, however it dies (Linux; on
    other systems ``argv`` as it is)."""
    if not sys.platform.startswith("linux"):
        return argv
    return [sys.executable, "-I", "-S", "-c", _STUB, str(os.getpid()), *argv]
