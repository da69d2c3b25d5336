"""The recording's media clock: takes (start/stop periods) laid end to end.

Media time is the time in the finished video: it runs only while a take is recording, and take
``k`` starts where take ``k-1`` stopped. Every take is appended to ``marks.jsonl`` as it starts
and stops, so after a crash the takes (and where the last one was cut) are still known.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


class MediaClock:
    """Maps the monotonic clock onto media time; see the module docstring."""

    def __init__(self, marks_file: Path, clock: Callable[[], float] = time.monotonic) -> None:
        self._file = marks_file
        self._clock = clock
        self._elapsed = 0.0  # media seconds recorded by the finished takes
        self._take_started: float | None = None
        self.take = 0

    @property
    def running(self) -> bool:
        return self._take_started is not None

    def now(self) -> float:
        return self._clock()

    def start(self) -> int:
        """Starts the next take; returns its number (1, 2, ...)."""
        if self._take_started is not None:
            return self.take
        self.take += 1
        self._take_started = self._clock()
        self._append({"take": self.take, "start": round(self._elapsed, 3), "wall": time.time()})
        return self.take

    def stop(self) -> float:
        """Ends the current take; returns the media time it ended at."""
        started, self._take_started = self._take_started, None
        if started is not None:
            self._elapsed += self._clock() - started
            self._append({"take": self.take, "stop": round(self._elapsed, 3), "wall": time.time()})
        return self._elapsed

    def media_time(self, at: float | None = None) -> float | None:
        """Media seconds at monotonic time ``at`` (default: now), or None between takes."""
        if self._take_started is None:
            return None
        moment = self._clock() if at is None else at
        return self._elapsed + max(0.0, moment - self._take_started)

    def _append(self, entry: dict[str, Any]) -> None:
        with self._file.open("a") as marks:
            marks.write(json.dumps(entry) + "\n")


def read_marks(marks_file: Path) -> list[dict[str, Any]]:
    """The takes as ``{"take", "start", "stop"}`` (``stop`` None when a crash cut it)."""
    takes: dict[int, dict[str, Any]] = {}
    if not marks_file.is_file():
        return []
    for line in marks_file.read_text().splitlines():
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            continue  # a line cut short by a crash
        take = takes.setdefault(int(entry["take"]), {"take": entry["take"], "stop": None})
        if "start" in entry:
            take["start"] = float(entry["start"])
        if "stop" in entry:
            take["stop"] = float(entry["stop"])
    return [takes[k] for k in sorted(takes) if "start" in takes[k]]
