"""ffmpeg runs as the library's jobs run it: progress comes through, and an ffmpeg does not
outlive a server killed outright (it would run on under PID 1, and the job, run again after
the restart, would have two writing the same files)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.processes import children_running, wait_gone
from vod.ffmpeg_run import run_ffmpeg

# Read at real time (-re): a job as slow as a real encode, still running when the server dies.
LONG_JOB = "['-f', 'lavfi', '-re', '-i', 'sine=duration=600', '-f', 'null', '-']"


async def test_progress_reaches_the_end(tmp_path: Path) -> None:
    seen: list[float] = []
    target = tmp_path / "tone.wav"
    await run_ffmpeg(["-f", "lavfi", "-i", "sine=duration=2", str(target)], 2.0, seen.append)
    assert target.stat().st_size > 0
    assert seen and seen[-1] >= 99


def test_ffmpeg_dies_with_a_killed_server(tmp_path: Path) -> None:
    server = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import asyncio; from vod.ffmpeg_run import run_ffmpeg; "
            f"asyncio.run(run_ffmpeg({LONG_JOB}))",
        ],
        cwd=tmp_path,
    )
    try:
        deadline = time.monotonic() + 20
        while (
            not (started := children_running(server.pid, "ffmpeg")) and time.monotonic() < deadline
        ):
            time.sleep(0.05)
        assert started, "ffmpeg never started"
    finally:
        os.kill(server.pid, signal.SIGKILL)
        server.wait()
    assert not wait_gone(started, 5), "ffmpeg outlived its server"
