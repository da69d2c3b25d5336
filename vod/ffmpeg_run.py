"""ffmpeg as an asyncio subprocess: progress from ``-progress``, and cancellation that ends it.

A cancelled job must leave no ffmpeg behind, so cancellation kills the process (its own
session, so nothing it spawned survives) and waits for it before re-raising. Nor must a server
killed outright (kill -9, the OOM killer): ffmpeg would run on under PID 1, and the job, run
again after the restart, would have two writing the same files. So ffmpeg dies with its parent
(``lifeline.dying_with_this_process``).
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import signal
from collections.abc import Awaitable, Callable, Sequence

from classroom_server.lifeline import dying_with_this_process
from vod.ffmpeg_binary import ffmpeg_path

Progress = Callable[[float], Awaitable[None] | None]
STDERR_TAIL = 4000


class FfmpegError(Exception):
    pass


async def run_ffmpeg(
    args: Sequence[str], duration: float | None = None, progress: Progress | None = None
) -> None:
    """Runs ``ffmpeg args``; ``progress`` gets 0..100 from the encoded position vs ``duration``."""
    binary = ffmpeg_path()
    if binary is None:
        raise FfmpegError("no ffmpeg found")
    argv = [binary, "-hide_banner", "-nostdin", "-y", "-loglevel", "error", "-nostats"]
    argv += ["-progress", "pipe:1", *args]
    process = await asyncio.create_subprocess_exec(
        *dying_with_this_process(argv),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        start_new_session=True,
    )
    try:
        errors, _ = await asyncio.gather(
            _tail(process.stderr), _report(process.stdout, duration, progress)
        )
        code = await process.wait()
    except BaseException:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGKILL)
        await process.wait()
        raise
    if code != 0:
        raise FfmpegError(f"ffmpeg exited with {code}: {errors.strip()[-STDERR_TAIL:]}")


async def _tail(stream: asyncio.StreamReader | None) -> str:
    tail = b""
    while stream is not None and (chunk := await stream.read(65536)):
        tail = (tail + chunk)[-STDERR_TAIL:]
    return tail.decode(errors="replace")


async def _report(
    stream: asyncio.StreamReader | None, duration: float | None, progress: Progress | None
) -> None:
    last = -1.0
    while stream is not None and (line := await stream.readline()):
        key, _, value = line.decode(errors="replace").strip().partition("=")
        if progress is None or not duration or key != "out_time_us" or not value.isdigit():
            continue
        percent = min(100.0, int(value) / 1e6 / duration * 100)
        if percent - last >= 1.0:
            last = percent
            outcome = progress(round(percent, 1))
            if inspect.isawaitable(outcome):
                await outcome
