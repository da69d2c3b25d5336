"""``qou-classroom vod import`` and ``vod jobs`` as a user runs them."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.conftest import DATABASES, run_cli, run_postgres_url, scratch_postgres
from tests.media import make_clip


def test_import_makes_a_playable_video_and_lists_jobs(tmp_path: Path) -> None:
    data = ("--data-dir", str(tmp_path / "data"))
    run_cli("demo", "--password", "password-1", *data)
    clip = make_clip(tmp_path / "clip.mp4", 3)
    done = run_cli("vod", "import", str(clip), "--course", "1", "--title", "Week 1", *data)
    assert "video 1 is playable" in done.stdout
    assert "Processing" in done.stdout
    assert (tmp_path / "data" / "vod" / "1" / "hls" / "source" / "index.m3u8").is_file()
    jobs = run_cli("vod", "jobs", *data).stdout.splitlines()
    assert jobs[0].split()[:4] == ["job", "video", "kind", "state"]
    states = {line.split()[2]: line.split()[3] for line in jobs[1:]}
    assert states == {"playable": "done", "stills": "pending", "ladder": "pending"}

    missing = run_cli(
        "vod", "import", str(clip), "--course", "99", "--title", "x", *data, check=False
    )
    assert missing.returncode != 0 and "no course" in missing.stderr


@pytest.mark.skipif("postgresql" not in DATABASES, reason="PostgreSQL not under test")
def test_worker_and_jobs_refuse_an_unmigrated_postgresql(tmp_path: Path) -> None:
    """As serve does: one line naming the migrate command, not a failure per claimed job."""
    url = asyncio.run(scratch_postgres(run_postgres_url("worker_behind")))
    flags = ("--data-dir", str(tmp_path), "--database-url", url)
    for command in (("worker",), ("vod", "jobs")):
        result = run_cli(*command, *flags, check=False)
        assert result.returncode != 0, result
        assert "Traceback" not in result.stderr, result.stderr
        assert "run `qou-classroom migrate" in result.stderr, result.stderr
