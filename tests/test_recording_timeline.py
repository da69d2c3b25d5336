"""What the recording's timeline keeps: the kinds a replay needs, final caption lines among
them, and never a captioner's typing previews."""

from __future__ import annotations

import json
from pathlib import Path

from recording.timeline import Timeline


def test_final_caption_lines_are_kept_and_previews_are_not(tmp_path: Path) -> None:
    timeline = Timeline(tmp_path / "timeline.jsonl")
    line = {"id": 3, "user_id": 2, "text": "مرحبا", "lang": "ar", "source": "captioner"}
    assert timeline.add(1.25, "caption:line", line)
    assert not timeline.add(1.5, "caption:preview", {"text": "مر"})
    assert not timeline.add(1.6, "caption:captioners", {"user_ids": [2]})
    assert timeline.add(2.0, "chat:message", {"text": "hi"})
    assert timeline.entries == 2
    written = [json.loads(row) for row in timeline.path.read_text().splitlines()]
    assert written[0] == {"t": 1.25, "event": "caption:line", "data": line}
    assert [entry["event"] for entry in written] == ["caption:line", "chat:message"]
