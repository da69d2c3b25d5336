"""Lifelines: children die with the process that started them, not with the thread."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

from tests.processes import alive, descendants, wait_gone

PARENT = textwrap.dedent(
    """
    import multiprocessing, sys, threading, time
    from concurrent.futures import ProcessPoolExecutor
    from classroom_server import lifeline

    context = multiprocessing.get_context("spawn")
    line = lifeline.Lifeline(context)
    pools = []

    def start():  # from a thread that then ends, as asyncio.to_thread's helpers may
        pool = ProcessPoolExecutor(
            1, mp_context=context, initializer=lifeline.hold, initargs=(line.end,)
        )
        pool.submit(time.sleep, 600)
        pools.append(pool)

    helper = threading.Thread(target=start)
    helper.start()
    helper.join()
    time.sleep(1.0)  # the helper thread is long gone: the worker must still run
    print("ready", flush=True)
    time.sleep(600)
    """
)


def test_children_outlive_the_starting_thread_and_die_with_a_killed_parent() -> None:
    parent = subprocess.Popen([sys.executable, "-c", PARENT], stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout is not None and parent.stdout.readline() == "ready\n"
        children = descendants(parent.pid)
        assert children, "the pool started a worker (and the resource tracker)"
        assert {pid for pid in children if alive(pid)} == children
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(10)
        assert wait_gone(children, 5.0) == set(), "children outlived their parent"
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait(10)
