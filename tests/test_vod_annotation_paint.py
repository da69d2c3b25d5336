"""Annotations painted with Pillow by the browser's rules, checked pixel by pixel."""

from __future__ import annotations

from typing import Any

from PIL import Image

from vod.annotation_paint import Ink

SIZE = (400, 200)


def ink(*shapes: dict[str, Any]) -> Image.Image:
    layer = Ink(SIZE)
    layer.add(shapes)
    return layer.layer()


def alpha(image: Image.Image, x: int, y: int) -> int:
    return int(image.getpixel((x, y))[3])  # type: ignore[index]


def shape(kind: str, points: list[list[float]], **extra: Any) -> dict[str, Any]:
    return {"id": 1, "kind": kind, "points": points, "color": "#0000ff", "width": 0.02, **extra}


def test_pen_and_line_are_round_ended_strokes_of_the_page_width_fraction() -> None:
    drawn = ink(shape("line", [[0.25, 0.5], [0.75, 0.5]]))  # 8 px wide on a 400 px page
    assert drawn.getpixel((200, 100)) == (0, 0, 255, 255)
    assert alpha(drawn, 200, 96) > 0 and alpha(drawn, 200, 90) == 0  # half the width each side
    assert alpha(drawn, 97, 100) > 0  # the round cap reaches past the end point
    dot = ink(shape("pen", [[0.5, 0.5]]))  # a lone point is a dot
    assert alpha(dot, 200, 100) == 255 and alpha(dot, 210, 100) == 0


def test_highlighter_is_translucent_once_per_stroke() -> None:
    # The stroke crosses itself: canvas strokes the path once, so the crossing is no darker.
    drawn = ink(shape("highlighter", [[0.2, 0.5], [0.8, 0.5], [0.5, 0.2], [0.5, 0.8]]))
    assert alpha(drawn, 120, 100) == round(255 * 0.35)
    assert alpha(drawn, 200, 100) == round(255 * 0.35)  # where it crosses itself
    both = ink(shape("highlighter", [[0.2, 0.5], [0.8, 0.5]]),
               {**shape("highlighter", [[0.5, 0.2], [0.5, 0.8]]), "id": 2})  # fmt: skip
    assert alpha(both, 200, 100) > alpha(both, 120, 100)  # two strokes do add up


def test_rectangle_is_an_outline_and_text_is_drawn_from_its_corner() -> None:
    box = ink(shape("rectangle", [[0.6, 0.8], [0.2, 0.2]]))  # corners in either order
    assert alpha(box, 80, 100) == 255 and alpha(box, 240, 160) == 255
    assert alpha(box, 160, 100) == 0  # inside is left alone
    text = ink(shape("text", [[0.1, 0.1]], text="Hi", width=0.05))  # a 20 px font
    column = [alpha(text, x, y) for x in range(40, 70) for y in range(20, 42)]
    assert max(column) == 255
    assert all(alpha(text, x, y) == 0 for x in range(0, 400) for y in range(50, 200))


def test_what_is_not_a_valid_annotation_is_skipped() -> None:
    layer = Ink(SIZE)
    layer.add([{"id": 5, "kind": "laser", "points": [[0.5, 0.5]], "color": "#ff0000",
                "width": 0.02}, {"id": 6, "kind": "pen"}])  # fmt: skip
    assert layer.drawn == (5, 6)  # counted as seen, so a later state continues from them
    assert layer.layer().getbbox() is None


def test_continuing_an_ink_draws_only_what_was_added() -> None:
    first = Ink(SIZE)
    first.add([shape("line", [[0.1, 0.1], [0.9, 0.1]])])
    more = first.copy()
    more.add([{**shape("line", [[0.1, 0.9], [0.9, 0.9]]), "id": 2}])
    assert first.drawn == (1,) and more.drawn == (1, 2)
    assert alpha(first.layer(), 200, 180) == 0 and alpha(more.layer(), 200, 180) == 255


def test_the_inked_part_is_the_layer_cut_to_its_ink() -> None:
    layer = Ink(SIZE)
    assert layer.inked() is None
    layer.add([shape("line", [[0.3, 0.4], [0.6, 0.45]])])
    found = layer.inked()
    assert found is not None
    part, (x, y) = found
    whole = layer.layer()
    assert whole.getbbox() == (x, y, x + part.width, y + part.height)
    assert part.tobytes() == whole.crop((x, y, x + part.width, y + part.height)).tobytes()


def ink_columns(image: Image.Image) -> tuple[int, int]:
    box = image.getbbox()
    assert box is not None, "nothing drawn"
    return box[0], box[2]


def test_arabic_text_runs_leftwards_from_its_point_and_english_rightwards() -> None:
    """As paint.js draws it for every viewer, whatever their page language."""
    arabic = ink(shape("text", [[0.5, 0.1]], text="مرحبا بكم", width=0.05))
    left, right = ink_columns(arabic)
    assert right <= 202 and left < 150  # ends at its point (x = 200 px)
    english = ink(shape("text", [[0.5, 0.1]], text="Welcome", width=0.05))
    left, right = ink_columns(english)
    assert left >= 198 and right > 250  # starts at it
    numbered = ink(shape("text", [[0.5, 0.1]], text="1. سؤال", width=0.05))
    assert ink_columns(numbered)[1] <= 202  # the first letter decides, not a digit
