"""What happened in the room while recording, at media time: ``timeline.jsonl``.

One JSON object per line, ``{"t": <media seconds>, "event": <name>, "data": {...}}`` (the
format ``vod.recording_manifest`` reads), appended as events are emitted, so a crash loses at
most the line being written. Only events sent to
the whole room are kept (a private chat message never lands in a recording), and only the
kinds a replay needs: slide changes, annotations, chat, polls, hands and final caption lines
(a captioner's typing previews, ``caption:preview``, are not kept).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

RECORDED_PREFIXES = ("slides:", "annotation:", "chat:", "poll:", "hand:", "caption:line")
MAX_LINE_BYTES = 64 * 1024  # an annotation stroke is at most ~2000 points; more is not ours


def recorded(event: str) -> bool:
    return event.startswith(RECORDED_PREFIXES)


class Timeline:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.entries = 0

    def add(self, media_seconds: float, event: str, data: dict[str, Any]) -> bool:
        """Appends one event; False when it is not a kind the replay keeps, or too big."""
        if not recorded(event):
            return False
        line = json.dumps({"t": round(media_seconds, 3), "event": event, "data": data})
        if len(line) > MAX_LINE_BYTES:
            return False
        with self.path.open("a") as timeline:
            timeline.write(line + "\n")
        self.entries += 1
        return True
