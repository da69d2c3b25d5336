"""The pictures of the composed export's slide area: each slide page fitted into the frame,
with its annotations inked on by the player's rules (:mod:`vod.annotation_paint`).

A lecture shows a few hundred distinct looks (page, annotations); each is drawn once into a
JPEG that the export's ffconcat list shows from its start, and a page whose ink only grew
continues its last ink layer instead of redrawing every stroke.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from vod.annotation_paint import Ink
from vod.slide_states import SlideState

FRAME = (1280, 720)
BACKGROUND = (17, 17, 17)
WHITEBOARD = (255, 255, 255)
MAX_CACHED_PAGES = 16  # framed pages, 2.7 MB each
MAX_CACHED_INKS = 4  # ink layers at twice the size, up to 11 MB each
PageImage = Callable[[int, int], Path | None]


@dataclass(frozen=True)
class Box:
    x: int
    y: int
    width: int
    height: int


def slide_box(size: tuple[int, int], room_for_camera: bool) -> Box:
    """Where a slide of ``size`` goes in the frame: as large as fits, centred vertically,
    at the left when the camera needs the right-hand side."""
    scale = min(FRAME[0] / size[0], FRAME[1] / size[1])
    width = max(2, min(FRAME[0], round(size[0] * scale)))
    height = max(2, min(FRAME[1], round(size[1] * scale)))
    x = 0 if room_for_camera else (FRAME[0] - width) // 2
    return Box(x, (FRAME[1] - height) // 2, width, height)


class Painter:
    """Draws states into picture files under ``work``; one file per distinct look."""

    def __init__(self, work: Path, page_image: PageImage, room_for_camera: bool) -> None:
        self._work = work
        self._page_image = page_image
        self._room = room_for_camera
        self._pages: dict[tuple[int, int], tuple[Image.Image, Box]] = {}
        self._inks: dict[tuple[int, int], Ink] = {}
        self._files: dict[object, Path] = {}

    def blank(self) -> Path:
        return self._save("blank", Image.new("RGB", FRAME, BACKGROUND))

    def picture(self, state: SlideState) -> Path:
        if state.key in self._files:
            return self._files[state.key]
        frame, box = self._page(state.deck_id, state.page)
        frame = frame.copy()
        if state.annotations:
            inked = self._ink(state, box).inked()
            if inked is not None:
                part, (x, y) = inked
                frame.paste(part, (box.x + x, box.y + y), part)
        return self._save(state.key, frame)

    def _save(self, key: object, frame: Image.Image) -> Path:
        # JPEG at 95 without chroma subsampling: quicker to write than even a fast PNG, and
        # its loss is far below what the H.264 encode of the same picture loses.
        path = self._work / f"{len(self._files):05d}.jpg"
        frame.save(path, "JPEG", quality=95, subsampling=0)
        self._files[key] = path
        return path

    def _page(self, deck_id: int, page: int) -> tuple[Image.Image, Box]:
        """The frame with the page on it (a blank whiteboard page when it has no image)."""
        found = self._pages.get((deck_id, page))
        if found is not None:
            return found
        source = self._page_image(deck_id, page)
        slide: Image.Image | None = None
        if source is not None and source.is_file():
            with Image.open(source) as opened:
                slide = opened.convert("RGB")
        box = slide_box(slide.size if slide else (16, 9), self._room)
        frame = Image.new("RGB", FRAME, BACKGROUND)
        if slide is None:
            frame.paste(WHITEBOARD, (box.x, box.y, box.x + box.width, box.y + box.height))
        else:
            resized = slide.resize((box.width, box.height), Image.Resampling.LANCZOS)
            frame.paste(resized, (box.x, box.y))
        if len(self._pages) >= MAX_CACHED_PAGES:
            self._pages.pop(next(iter(self._pages)))
        self._pages[(deck_id, page)] = (frame, box)
        return frame, box

    def _ink(self, state: SlideState, box: Box) -> Ink:
        """The page's ink, continuing its last drawing when only strokes were added."""
        page = (state.deck_id, state.page)
        ids = state.key[2]
        previous = self._inks.get(page)
        if previous is not None and ids[: len(previous.drawn)] == previous.drawn:
            ink = previous.copy()
            ink.add(state.annotations[len(previous.drawn) :])
        else:
            ink = Ink((box.width, box.height))
            ink.add(state.annotations)
        self._inks.pop(page, None)
        if len(self._inks) >= MAX_CACHED_INKS:
            self._inks.pop(next(iter(self._inks)))
        self._inks[page] = ink
        return ink
