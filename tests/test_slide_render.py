"""Slide rendering against real PDFs and images generated here, in real worker processes."""

from __future__ import annotations

import asyncio
import math
import multiprocessing
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
import pytest_asyncio
from PIL import Image

from classroom_server.slide_render import RenderError, SlideRenderer, sniff_kind
from tests.conftest import Server, bearer, start_server
from tests.processes import descendants, wait_gone
from tests.room_client import live_lecture
from tests.test_portal_api_decks import upload

WIDTH = 640


def make_pdf(texts: list[str], size: tuple[int, int] = (612, 792)) -> bytes:
    """A minimal PDF with one Helvetica line per page and a correct xref table."""
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(len(texts)))
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {len(texts)} >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    for i, text in enumerate(texts):
        stream = f"BT /F1 24 Tf 72 {size[1] - 100} Td ({text}) Tj ET"
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {size[0]} {size[1]}]"
            f" /Resources << /Font << /F1 3 0 R >> >> /Contents {5 + 2 * i} 0 R >>"
        )
        objects.append(f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\n".encode()
    out += f"startxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest_asyncio.fixture(scope="module")
async def renderer() -> AsyncIterator[SlideRenderer]:
    slides = SlideRenderer(max_workers=1, max_pages=10, timeout_seconds=30, target_width=WIDTH)
    yield slides
    await slides.close()


async def test_pdf_pages_images_text_and_progress(renderer: SlideRenderer, tmp_path: Path) -> None:
    texts = [f"Lecture slide {n} about entropy" for n in range(1, 6)]
    source = write(tmp_path / "deck.pdf", make_pdf(texts))
    seen: list[int] = []

    async def progress(percent: int) -> None:
        seen.append(percent)

    result = await renderer.render(source, "pdf", tmp_path / "out", progress)

    assert [page.number for page in result.pages] == [1, 2, 3, 4, 5]
    for page, text in zip(result.pages, texts, strict=True):
        assert page.image == tmp_path / "out" / f"{page.number}.png"
        with Image.open(page.image) as image:
            assert (image.format, image.mode) == ("PNG", "RGB")
            assert image.size == (page.width, page.height) == (WIDTH, math.ceil(792 * WIDTH / 612))
        assert text in page.text
    assert seen == sorted(seen) and seen[-1] == 100 and 0 < len(seen) <= len(texts)


async def test_sync_progress_callback_is_accepted(renderer: SlideRenderer, tmp_path: Path) -> None:
    seen: list[int] = []
    source = write(tmp_path / "deck.pdf", make_pdf(["one", "two"]))
    await renderer.render(source, "pdf", tmp_path / "out", seen.append)
    assert seen == [50, 100]


async def test_too_many_pages_renders_nothing(renderer: SlideRenderer, tmp_path: Path) -> None:
    source = write(tmp_path / "long.pdf", make_pdf([f"page {n}" for n in range(11)]))
    with pytest.raises(RenderError) as caught:
        await renderer.render(source, "pdf", tmp_path / "out")
    assert caught.value.code == "too_many_pages"
    assert not list((tmp_path / "out").glob("*.png"))


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"%PDF-1.4\n" + bytes(range(256)) * 40, "pdf"),
        (b"this is not a PDF at all", "pdf"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image"),
        (make_pdf(["a PDF posing as an image"]), "image"),
    ],
)
async def test_invalid_documents_leave_the_renderer_working(
    renderer: SlideRenderer, tmp_path: Path, data: bytes, kind: str
) -> None:
    source = write(tmp_path / "upload.bin", data)
    with pytest.raises(RenderError) as caught:
        await renderer.render(source, kind, tmp_path / "bad")  # type: ignore[arg-type]
    assert caught.value.code == "invalid_document"
    good = write(tmp_path / "good.pdf", make_pdf(["still alive"]))
    result = await renderer.render(good, "pdf", tmp_path / "good")
    assert result.pages[0].text == "still alive"


async def test_png_is_scaled_to_one_page(renderer: SlideRenderer, tmp_path: Path) -> None:
    source = tmp_path / "board.png"
    Image.new("RGBA", (2 * WIDTH, WIDTH), (200, 10, 10, 128)).save(source)
    seen: list[int] = []
    result = await renderer.render(source, "image", tmp_path / "out", seen.append)
    [page] = result.pages
    assert (page.number, page.width, page.height, page.text) == (1, WIDTH, WIDTH // 2, "")
    with Image.open(page.image) as image:
        assert (image.format, image.mode, image.size) == ("PNG", "RGB", (WIDTH, WIDTH // 2))
    assert seen == [100]


async def test_small_jpeg_is_not_upscaled(renderer: SlideRenderer, tmp_path: Path) -> None:
    source = tmp_path / "photo.jpg"
    Image.new("RGB", (300, 200), "navy").save(source, "JPEG")
    [page] = (await renderer.render(source, "image", tmp_path / "out")).pages
    assert (page.width, page.height) == (300, 200)


async def test_other_image_formats_are_unsupported(renderer: SlideRenderer, tmp_path: Path) -> None:
    source = tmp_path / "anim.gif"
    Image.new("RGB", (20, 20)).save(source, "GIF")
    with pytest.raises(RenderError) as caught:
        await renderer.render(source, "image", tmp_path / "out")
    assert caught.value.code == "unsupported_type"
    with pytest.raises(RenderError) as caught:
        await renderer.render(source, "docx", tmp_path / "out")  # type: ignore[arg-type]
    assert caught.value.code == "unsupported_type"


def pool_workers() -> set[int]:
    return {
        child.pid
        for child in multiprocessing.active_children()
        if child.pid is not None and not child.name.startswith("SyncManager")
    }


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state not in ("Z", "X")


async def warm_up(slides: SlideRenderer, tmp_path: Path) -> tuple[Path, set[int]]:
    """Render a tiny image so the pool has a worker; return it and the new worker pids."""
    others = pool_workers()  # The module's renderer has its own.
    tiny = tmp_path / "tiny.png"
    Image.new("RGB", (10, 10)).save(tiny)
    await slides.render(tiny, "image", tmp_path / "tiny")
    workers = pool_workers() - others
    assert workers
    return tiny, workers


async def assert_stopped(workers: set[int]) -> None:
    for _ in range(100):
        if not any(running(pid) for pid in workers) and not workers & pool_workers():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"pool workers {workers} still running")


async def test_timeout_kills_the_worker(tmp_path: Path) -> None:
    slides = SlideRenderer(timeout_seconds=0.3, target_width=7000)
    try:
        tiny, workers = await warm_up(slides, tmp_path)
        heavy = write(tmp_path / "heavy.pdf", make_pdf([f"big page {n}" for n in range(8)]))
        began = time.monotonic()
        with pytest.raises(RenderError) as caught:
            await slides.render(heavy, "pdf", tmp_path / "heavy")
        assert caught.value.code == "timeout"
        assert time.monotonic() - began < 5
        await assert_stopped(workers)

        [page] = (await slides.render(tiny, "image", tmp_path / "again")).pages
        assert page.image.exists()
    finally:
        await slides.close()


async def test_cancelled_render_stops_its_worker(tmp_path: Path) -> None:
    slides = SlideRenderer(timeout_seconds=60, target_width=7000)
    try:
        tiny, workers = await warm_up(slides, tmp_path)
        heavy = write(tmp_path / "heavy.pdf", make_pdf([f"big page {n}" for n in range(8)]))
        first_page = asyncio.Event()
        render = asyncio.ensure_future(
            slides.render(heavy, "pdf", tmp_path / "heavy", lambda _: first_page.set())
        )
        await asyncio.wait_for(first_page.wait(), 20)
        render.cancel()
        with pytest.raises(asyncio.CancelledError):
            await render
        await assert_stopped(workers)

        [page] = (await slides.render(tiny, "image", tmp_path / "again")).pages
        assert page.image.exists()
    finally:
        await slides.close()


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"%PDF-1.7\n%\xe2\xe3", "pdf"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image"),
        (b"GIF89a", None),
        (b"PK\x03\x04", None),
        (b"", None),
        (b"%PD", None),
    ],
)
def test_sniff_kind(head: bytes, kind: str | None) -> None:
    assert sniff_kind(head) == kind


async def test_render_workers_die_with_a_killed_server(tmp_path: Path) -> None:
    """kill -9 of ``serve`` left its render workers (and their manager) running under PID 1,
    about 230 MB a crash. Every process the server started must go with it."""
    server = start_server(tmp_path, "sqlite")
    try:
        async with aiohttp.ClientSession() as http:
            lecture = await live_lecture(http, server)
            status, deck = await upload(http, server, lecture, make_pdf(["killed"]), "k.pdf")
            assert status == 202, deck
            for _ in range(100):  # the workers are up once the deck has rendered
                if await deck_status(http, server, lecture, deck["id"]) != "processing":
                    break
                await asyncio.sleep(0.1)
        children = descendants(server.process.pid)
        assert len(children) >= 2, "a pool worker and the progress manager at least"
        server.process.kill()
        server.process.wait(10)
        assert wait_gone(children, 5.0) == set(), "render processes outlived the server"
    finally:
        server.stop()


async def deck_status(http: aiohttp.ClientSession, server: Server, lecture: int, deck: int) -> str:
    headers = await bearer(http, server, "educator")
    async with http.get(server.url(f"/api/v1/lectures/{lecture}/decks"), headers=headers) as got:
        items = (await got.json())["items"]
    return str(next(d["status"] for d in items if d["id"] == deck))
