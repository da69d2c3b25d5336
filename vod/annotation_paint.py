"""Annotations painted with Pillow the way the browser paints them on a canvas.

The rules are ``web_client/src/pages/room/paint.js``'s: coordinates are fractions of the page
(0..1), a stroke's width is a fraction of the page's width (at least 1 px), lines have round
caps and joins, the highlighter is the same stroke at 35 % opacity (per stroke, so a stroke
crossing itself does not darken), a rectangle is an outline, text hangs from its point at a
font size of ``width`` x page width (at least 8 px) and runs in its own writing direction:
rightwards from the point, or leftwards when its first letter is Arabic (or another
right-to-left script), whatever the viewer's page language.

Pillow does not anti-alias lines, so the ink is drawn at ``SUPERSAMPLE`` times the size and
scaled down. An :class:`Ink` layer keeps what it has drawn, so a page that gains one stroke
costs one stroke, not all of them again.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from typing import Annotated, Any, Literal

from PIL import Image, ImageDraw, ImageFont, features
from pydantic import BaseModel, ConfigDict, Field, ValidationError

SUPERSAMPLE = 2
HIGHLIGHTER_ALPHA = 0.35
MIN_FONT_PX = 8
FONT_NAMES = ("DejaVuSans.ttf", "LiberationSans-Regular.ttf", "Arial.ttf")

Unit = Annotated[float, Field(ge=-1.0, le=2.0, allow_inf_nan=False)]


class Shape(BaseModel):
    """One annotation as the room stored it; anything else in the timeline is not drawn."""

    model_config = ConfigDict(extra="ignore")

    kind: Literal["pen", "highlighter", "line", "rectangle", "text"]
    points: Annotated[list[tuple[Unit, Unit]], Field(min_length=1, max_length=2000)]
    color: Annotated[str, Field(pattern=r"^#[0-9a-fA-F]{6}$")]
    width: Annotated[float, Field(gt=0, le=0.05, allow_inf_nan=False)]
    text: Annotated[str, Field(max_length=500)] | None = None


def shape(data: dict[str, Any]) -> Shape | None:
    try:
        return Shape.model_validate(data)
    except ValidationError:
        return None


@lru_cache(maxsize=64)
def font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for name in FONT_NAMES:
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size)


def right_to_left(text: str) -> bool:
    """Whether the text's first letter is of a right-to-left script (paint.js's test)."""
    first = next((c for c in text if unicodedata.category(c).startswith("L")), "")
    return bool(first) and unicodedata.bidirectional(first) in ("R", "AL")


def _text_layout(text: str) -> tuple[str, str | None]:
    """Pillow's anchor and direction for a text (direction needs libraqm, which shapes
    Arabic; Pillow's wheels carry it)."""
    if not right_to_left(text):
        return "la", None
    return "ra", "rtl" if features.check("raqm") else None


def _rgb(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


class Ink:
    """The annotations of one page at ``size`` pixels, as a transparent RGBA layer."""

    def __init__(self, size: tuple[int, int]) -> None:
        self.size = size
        self._big = Image.new("RGBA", (size[0] * SUPERSAMPLE, size[1] * SUPERSAMPLE))
        self.drawn: tuple[object, ...] = ()  # ids, in drawing order

    def copy(self) -> Ink:
        other = Ink.__new__(Ink)
        other.size, other._big, other.drawn = self.size, self._big.copy(), self.drawn
        return other

    def add(self, annotations: Iterable[dict[str, Any]]) -> None:
        for data in annotations:
            self.drawn = (*self.drawn, data.get("id"))
            parsed = shape(data)
            if parsed is not None:
                self._paint(parsed)

    def layer(self) -> Image.Image:
        """The ink at its own size, anti-aliased."""
        return self._big.resize(self.size, Image.Resampling.BOX)

    def inked(self) -> tuple[Image.Image, tuple[int, int]] | None:
        """Only the part with ink, at its own size, and where it goes; None when bare.
        Scaling the whole layer down costs most of a picture; strokes rarely cover it all."""
        box = self._big.getbbox()
        if box is None:
            return None
        step = SUPERSAMPLE
        left, top = box[0] // step, box[1] // step
        right = min(self.size[0], -(-box[2] // step))
        bottom = min(self.size[1], -(-box[3] // step))
        part = self._big.crop((left * step, top * step, right * step, bottom * step))
        return part.resize((right - left, bottom - top), Image.Resampling.BOX), (left, top)

    def _paint(self, s: Shape) -> None:
        width, height = self._big.size
        page_width = self.size[0]
        points = [(x * width, y * height) for x, y in s.points]
        line = max(1.0, s.width * page_width) * SUPERSAMPLE
        rgb = _rgb(s.color)
        if s.kind == "text":
            size = round(max(MIN_FONT_PX, s.width * page_width) * SUPERSAMPLE)
            draw = ImageDraw.Draw(self._big)
            text = s.text or ""
            anchor, direction = _text_layout(text)
            draw.text(points[0], text, (*rgb, 255), font(size), anchor=anchor, direction=direction)
            return
        if s.kind == "rectangle":
            (x1, y1), (x2, y2) = points[0], points[-1]
            points = [(x1, y1), (x2, y1), (x2, y2), (x1, y2), (x1, y1)]
        if s.kind != "highlighter":
            _stroke(ImageDraw.Draw(self._big), points, line, (*rgb, 255))
            return
        # Opacity per stroke: drawn opaque on its own patch, faded, then laid on the page.
        pad = line / 2 + 2
        left = max(0, int(min(x for x, _ in points) - pad))
        top = max(0, int(min(y for _, y in points) - pad))
        right = min(width, int(max(x for x, _ in points) + pad) + 1)
        bottom = min(height, int(max(y for _, y in points) + pad) + 1)
        if right <= left or bottom <= top:
            return
        patch = Image.new("RGBA", (right - left, bottom - top))
        moved = [(x - left, y - top) for x, y in points]
        _stroke(ImageDraw.Draw(patch), moved, line, (*rgb, 255))
        alpha = patch.getchannel("A").point(lambda a: round(a * HIGHLIGHTER_ALPHA))
        patch.putalpha(alpha)
        self._big.alpha_composite(patch, (left, top))


def _stroke(
    draw: ImageDraw.ImageDraw,
    points: list[tuple[float, float]],
    line: float,
    fill: tuple[int, int, int, int],
) -> None:
    """A polyline with round joins and caps; a lone point is a round dot."""
    radius = line / 2
    if len(points) > 1:
        draw.line(points, fill=fill, width=max(1, round(line)), joint="curve")
    for x, y in (points[0], points[-1]):
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=fill)
