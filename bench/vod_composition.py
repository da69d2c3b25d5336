"""Composed export benchmark: wall and CPU time of the slides + camera MP4 against the lecture.

    python bench/vod_composition.py [--quick] [--length SECONDS] [--camera WxH] [--screen]

A synthetic lecture (test pattern + tone, H.264 + mono AAC in Matroska like a recording's
source, cached under bench/.cache), a 30-page 4:3 deck shown evenly over it, four strokes per
page (one a highlighter) and one undo each: about 180 pictures to draw. ``compose`` runs as the
job does (drawing, then one ffmpeg); the CPU figure (this process plus ffmpeg) is the one to
compare across runs on a shared machine, the wall figure is what a viewer waits.
``--quick``: a 60-second lecture, well under a minute in all.
``--screen``: the educator also shares a 1920x1080 screen (10 fps) over the middle third, one
more decoded and scaled input laid over the slides while it is shared.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import random
import resource
import subprocess
import time
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

from vod.assembly import Input
from vod.composition import compose
from vod.ffmpeg_binary import ffmpeg_path
from vod.probe import probe
from vod.screens import Screen

CACHE = Path(__file__).parent / ".cache" / "composition"
PAGES = 30


def camera(length: float, size: str) -> Path:
    path = CACHE / f"camera-{int(length)}-{size}.mkv"
    if not path.exists():
        subprocess.run(
            [ffmpeg_path() or "ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
             "-f", "lavfi", "-i", f"testsrc2=size={size}:rate=25",
             "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
             "-t", str(length), "-c:v", "libx264", "-preset", "ultrafast", "-g", "100",
             "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "96k", "-ac", "1", "-f", "matroska",
             str(path)],
            check=True,
        )  # fmt: skip
    return path


def shared_screen(length: float) -> Screen:
    """A screen shared over the middle third of the lecture, as the composition's input."""
    start, seconds = length / 3, length / 3
    path = CACHE / f"screen-{int(seconds)}.mkv"
    if not path.exists():
        subprocess.run(
            [ffmpeg_path() or "ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
             "-f", "lavfi", "-i", "testsrc=size=1920x1080:rate=10", "-t", str(seconds),
             "-c:v", "libx264", "-preset", "ultrafast", "-g", "40", "-pix_fmt", "yuv420p",
             "-f", "matroska", str(path)],
            check=True,
        )  # fmt: skip
    listed = CACHE / "screen.ffconcat"
    listed.write_text(f"ffconcat version 1.0\nfile '{path}'\n")
    return Screen(Input(listed, start), start, start + seconds)


def deck(root: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)
    for page in range(1, PAGES + 1):
        path = root / f"{page}.png"
        if path.exists():
            continue
        image = Image.new("RGB", (1600, 1200), (250, 250, 245))
        draw = ImageDraw.Draw(image)
        draw.rectangle((0, 0, 1600, 160), fill=(20, 60, 120))
        draw.text((60, 60), f"Lecture 4, slide {page}", fill=(255, 255, 255))
        for line in range(12):
            text = f"- point {line} of slide {page} " * 3
            draw.text((80, 240 + line * 70), text, fill=(0, 0, 0))
        image.save(path)


def timeline(length: float) -> dict[str, Any]:
    rng = random.Random(4)
    pages: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    next_id = 1
    step = length / PAGES
    for page in range(1, PAGES + 1):
        start = (page - 1) * step
        pages.append({"t": start, "deck_id": 1, "page": page, "annotations": []})
        for stroke in range(4):
            x, y = rng.random() * 0.6 + 0.1, rng.random() * 0.6 + 0.2
            points = [[x + 0.2 * i / 50, y + 0.03 * math.sin(i / 4)] for i in range(50)]
            kind = "highlighter" if stroke == 2 else "pen"
            data = {"id": next_id, "deck_id": 1, "page": page, "kind": kind, "points": points,
                    "color": "#d00000" if kind == "pen" else "#ffee00", "width": 0.006}  # fmt: skip
            events.append({"t": start + 2 + stroke * 3, "event": "annotation:added", "data": data})
            next_id += 1
        events.append({"t": start + 14, "event": "annotation:removed", "data": {"id": next_id - 1}})
    return {"chapters": [], "chat": [], "pages": pages, "events": events}


async def main(length: float, size: str, with_screen: bool) -> None:
    CACHE.mkdir(parents=True, exist_ok=True)
    source = camera(length, size)
    screens = [shared_screen(length)] if with_screen else []
    slides = CACHE / "slides"
    deck(slides)
    target = CACHE / "composed.mp4"
    target.unlink(missing_ok=True)
    began, own = time.perf_counter(), time.process_time()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    await compose(
        timeline(length),
        source,
        target,
        CACHE / "work",
        lambda d, p: slides / f"{p}.png",
        screens_of=lambda _work: screens,
    )
    wall, own = time.perf_counter() - began, time.process_time() - own
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    encode = after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime
    info = probe(target)
    print(
        f"length={length:.0f}s camera={size} screen={with_screen} out={info.width}x{info.height} "
        f"duration={info.duration:.2f}s size={target.stat().st_size / 1e6:.1f}MB "
        f"wall={wall:.1f}s cpu_python={own:.1f}s cpu_ffmpeg={encode:.1f}s"
    )
    print(f"RESULT composition_fraction_of_length={wall / length:.3f}")
    print(f"RESULT composition_cpu_seconds_per_lecture_second={(own + encode) / length:.3f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--length", type=float, default=600.0)
    parser.add_argument("--camera", default="640x360")
    parser.add_argument("--screen", action="store_true", help="a screen shared a third of it")
    parser.add_argument("--quick", action="store_true", help="a 60-second lecture")
    arguments = parser.parse_args()
    length = 60.0 if arguments.quick else arguments.length
    asyncio.run(main(length, arguments.camera, arguments.screen))
