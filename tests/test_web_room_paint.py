"""The room's annotation painter (``web_client/src/pages/room/paint.js``) in real Chromium:
the same text annotation lands in the same place on an English and an Arabic page."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Browser

from tests.test_web_client import browser as shared_browser

browser = shared_browser
pytestmark = pytest.mark.browser

PAINT_JS = Path(__file__).parent.parent / "web_client/src/pages/room/paint.js"
WIDTH, HEIGHT = 400, 200


async def ink_columns(browser: Browser, page_direction: str, text: str) -> tuple[int, int]:
    """The leftmost and rightmost inked column of a text annotation at x = 200 px."""
    context = await browser.new_context()
    try:
        page = await context.new_page()
        await page.set_content(
            f'<html dir="{page_direction}"><body><canvas width="{WIDTH}" height="{HEIGHT}">'
            "</canvas></body></html>"
        )
        source = PAINT_JS.read_text().replace("export function", "function")
        await page.add_script_tag(content=source + "\nwindow.paint = paint;")
        columns: list[int] = await page.evaluate(
            """(text) => {
                const canvas = document.querySelector("canvas");
                const context = canvas.getContext("2d");
                paint(context, [{id: 1, kind: "text", points: [[0.5, 0.1]], color: "#0000ff",
                                 width: 0.05, text}], canvas.width, canvas.height);
                const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
                const inked = [];
                for (let x = 0; x < canvas.width; x++) {
                  for (let y = 0; y < canvas.height; y++) {
                    if (data[(y * canvas.width + x) * 4 + 3] > 0) { inked.push(x); break; }
                  }
                }
                return inked;
            }""",
            text,
        )
        assert columns, "nothing drawn"
        return min(columns), max(columns)
    finally:
        await context.close()


@pytest.mark.parametrize("page_direction", ["ltr", "rtl"])
async def test_text_runs_in_its_own_direction_whatever_the_page_language(
    browser: Browser, page_direction: str
) -> None:
    left, right = await ink_columns(browser, page_direction, "مرحبا بكم")
    assert right <= 202 and left < 150  # Arabic ends at its point
    left, right = await ink_columns(browser, page_direction, "Welcome")
    assert left >= 198 and right > 250  # English starts at it
