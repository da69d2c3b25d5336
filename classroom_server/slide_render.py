"""Slide decks (PDF, PNG, JPEG) to page PNGs plus page text, rendered in worker processes.

PDFium is neither thread-safe nor trustworthy on hostile input, so every document is handled in
a spawned worker process: a crash or a runaway render costs that worker, never the event loop.
A worker that overruns the time limit is killed and the pool replaced, since a render stuck
inside PDFium cannot be interrupted any other way. Every process started here (pool workers and
the manager that carries their progress) holds a ``Lifeline``, so none outlives the server,
even one killed with SIGKILL.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import multiprocessing
import os
import queue
import signal
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing.managers import SyncManager
from pathlib import Path
from typing import Any, Literal

from PIL import Image, ImageOps

from classroom_server import lifeline

Kind = Literal["pdf", "image"]
Progress = Callable[[int], Awaitable[None] | None]
Events = queue.Queue[tuple[str, int]]  # ("pid", worker pid) then ("progress", percent)
MAX_TEXT = 5000
_POLL = 0.05
# A sliver-shaped page at full width would allocate gigabytes; taller pages are rendered narrower.
_MAX_ASPECT = 8
# What bad input raises from Pillow or page geometry (PDFium's error is added in the worker).
_UNREADABLE = (OSError, SyntaxError, ValueError, ArithmeticError, Image.DecompressionBombError)


@dataclass(frozen=True)
class RenderedPage:
    number: int
    image: Path
    width: int
    height: int
    text: str


@dataclass(frozen=True)
class RenderResult:
    pages: list[RenderedPage]


class RenderError(Exception):
    """code: 'too_many_pages' | 'timeout' | 'invalid_document' | 'unsupported_type'."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code

    def __reduce__(self) -> tuple[type[RenderError], tuple[str, str]]:
        # Raised inside workers: the default pickling would drop `code` on the way back.
        return (RenderError, (self.code, str(self)))


def sniff_kind(head: bytes) -> Kind | None:
    """Trust the bytes, not the client's filename or Content-Type."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n") or head.startswith(b"\xff\xd8\xff"):
        return "image"
    return None


_Task = Future[list[RenderedPage]]


@dataclass
class _Run:
    pool: ProcessPoolExecutor
    task: _Task
    events: Events
    pid: int | None = None
    started: float = 0.0
    reported: int = 0


@dataclass(frozen=True)
class _Job:
    source: Path
    kind: Kind
    out_dir: Path
    max_pages: int
    target_width: int


def _render_job(job: _Job, events: Events) -> list[RenderedPage]:
    """Worker entry point; announces its pid first so the parent can kill it on timeout."""
    events.put(("pid", os.getpid()))
    import pypdfium2 as pdfium  # type: ignore[import-untyped]

    job.out_dir.mkdir(parents=True, exist_ok=True)
    try:
        if job.kind == "pdf":
            return _render_pdf(pdfium.PdfDocument(job.source), job, events)
        return [_render_image(job, events)]
    except (pdfium.PdfiumError, *_UNREADABLE) as e:
        raise RenderError("invalid_document", f"cannot read the document: {e}") from None


def _render_pdf(pdf: Any, job: _Job, events: Events) -> list[RenderedPage]:
    try:
        total = len(pdf)
        if total > job.max_pages:
            raise RenderError("too_many_pages", f"{total} pages; at most {job.max_pages} allowed")
        if total == 0:
            raise RenderError("invalid_document", "the PDF has no pages")
        pages = []
        for index in range(total):
            pages.append(_render_pdf_page(pdf, index, job))
            events.put(("progress", (index + 1) * 100 // total))
        return pages
    finally:
        pdf.close()


def _render_pdf_page(pdf: Any, index: int, job: _Job) -> RenderedPage:
    page = pdf[index]
    try:
        width, height = float(page.get_width()), float(page.get_height())
        # pypdfium2 rounds the pixel size up; the epsilon keeps float noise from adding a column.
        scale = (job.target_width - 1e-6) / width
        scale = min(scale, (job.target_width * _MAX_ASPECT - 1e-6) / height)
        image: Image.Image = page.render(scale=scale).to_pil().convert("RGB")
        textpage = page.get_textpage()
        text = _normalise(str(textpage.get_text_range()))
        textpage.close()
    finally:
        page.close()
    return _save(image, index + 1, job, text)


def _render_image(job: _Job, events: Events) -> RenderedPage:
    with Image.open(job.source) as probe:
        image_format = probe.format
        probe.verify()  # Cheap structural check before decoding the whole thing.
    if image_format not in ("PNG", "JPEG"):
        raise RenderError("unsupported_type", f"{image_format} images are not accepted")
    with Image.open(job.source) as original:
        # Phone photos of a whiteboard carry their orientation in EXIF, not in the pixels.
        image = ImageOps.exif_transpose(original).convert("RGB")
    if image.width > job.target_width:
        height = max(1, round(image.height * job.target_width / image.width))
        image = image.resize((job.target_width, height), Image.Resampling.LANCZOS)
    page = _save(image, 1, job, "")
    events.put(("progress", 100))
    return page


def _save(image: Image.Image, number: int, job: _Job, text: str) -> RenderedPage:
    path = job.out_dir / f"{number}.png"
    image.save(path, "PNG")
    return RenderedPage(number, path, image.width, image.height, text)


def _normalise(text: str) -> str:
    return " ".join(text.split())[:MAX_TEXT].strip()


def _drain(events: Events, wait: float) -> list[tuple[str, int]]:
    """Runs in a thread: blocks up to `wait` for the first event, then takes what is queued."""
    found: list[tuple[str, int]] = []
    try:
        found.append(events.get(timeout=wait) if wait > 0 else events.get_nowait())
        while True:
            found.append(events.get_nowait())
    except queue.Empty:
        return found


class SlideRenderer:
    """One process pool per server; documents beyond `max_workers` wait their turn.

    The time limit starts when a worker picks the document up, so queueing behind other
    uploads does not count against it.
    """

    def __init__(
        self,
        max_workers: int = 1,
        max_pages: int = 500,
        timeout_seconds: float = 300.0,
        target_width: int = 1600,
    ) -> None:
        self._max_workers = max_workers
        self._max_pages = max_pages
        self._timeout = timeout_seconds
        self._target_width = target_width
        # Not fork: the parent runs an event loop and threads whose locks a fork would copy.
        self._context = multiprocessing.get_context("spawn")
        self._lifeline = lifeline.Lifeline(self._context)
        self._pool = self._new_pool()
        self._manager: SyncManager | None = None
        self._manager_lock = asyncio.Lock()
        self._watchers: set[asyncio.Future[None]] = set()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            self._max_workers,
            mp_context=self._context,
            initializer=lifeline.hold,
            initargs=(self._lifeline.end,),
        )

    async def _events(self) -> Events:
        async with self._manager_lock:
            if self._manager is None:
                manager = SyncManager(ctx=self._context)
                await asyncio.to_thread(manager.start, lifeline.hold, (self._lifeline.end,))
                self._manager = manager
        return await asyncio.to_thread(self._manager.Queue)

    async def render(
        self, source: Path, kind: Kind, out_dir: Path, progress: Progress | None = None
    ) -> RenderResult:
        if kind not in ("pdf", "image"):
            raise RenderError("unsupported_type", f"cannot render {kind!r} documents")
        job = _Job(source, kind, out_dir, self._max_pages, self._target_width)
        for attempt in (1, 2):
            events, pool = await self._events(), self._pool
            try:
                # Spawning a worker here is a quick fork/exec; the render itself happens there.
                run = _Run(pool, pool.submit(_render_job, job, events), events)
                return RenderResult(await self._supervise(run, progress))
            except BrokenProcessPool:
                # Either another document's timeout killed the pool (retry is right) or this
                # document crashed PDFium outright (the second attempt reports it).
                self._replace_pool(pool)
                if attempt == 2:
                    raise RenderError("invalid_document", "the renderer crashed on it") from None
        raise AssertionError("unreachable")

    async def _supervise(self, run: _Run, progress: Progress | None) -> list[RenderedPage]:
        try:
            while not run.task.done():
                await self._pump(run, progress, _POLL)
                overdue = run.pid is not None and time.monotonic() - run.started > self._timeout
                if overdue and not run.task.done():
                    raise RenderError("timeout", f"rendering took over {self._timeout:g} s")
            # The worker queued its last events before returning.
            await self._pump(run, progress, 0)
            pages = run.task.result()
        except BaseException:
            # Timeout, cancellation or a failing progress callback: don't leave the worker busy.
            if not run.task.done() and not run.task.cancel():
                self._abandon(run)
            raise
        if run.reported < 100:
            await _notify(progress, 100)
        return pages

    async def _pump(self, run: _Run, progress: Progress | None, wait: float) -> None:
        for name, value in await asyncio.to_thread(_drain, run.events, wait):
            if name == "pid":
                run.pid, run.started = value, time.monotonic()  # The clock starts in the worker.
            elif value > run.reported:
                run.reported = value
                await _notify(progress, value)

    def _abandon(self, run: _Run) -> None:
        if run.pid is not None:
            self._kill(run)
            return
        # The pool handed the job on, but its worker has not announced itself yet.
        watcher = asyncio.ensure_future(self._kill_when_started(run))
        self._watchers.add(watcher)
        watcher.add_done_callback(self._watchers.discard)

    async def _kill_when_started(self, run: _Run) -> None:
        while run.pid is None and not run.task.done():
            await self._pump(run, None, _POLL)
        if not run.task.done():
            self._kill(run)

    def _kill(self, run: _Run) -> None:
        if run.pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(run.pid, signal.SIGKILL)
        # Losing a worker breaks a ProcessPoolExecutor for good; its manager thread terminates
        # the remaining workers, whose documents are retried on the fresh pool.
        self._replace_pool(run.pool)

    def _replace_pool(self, broken: ProcessPoolExecutor) -> None:
        if self._pool is broken:
            self._pool = self._new_pool()
        broken.shutdown(wait=False, cancel_futures=True)

    async def close(self) -> None:
        for watcher in list(self._watchers):
            watcher.cancel()
        pool, manager, self._manager = self._pool, self._manager, None
        await asyncio.to_thread(pool.shutdown, wait=True, cancel_futures=True)
        if manager is not None:
            await asyncio.to_thread(manager.shutdown)
        self._lifeline.cut()  # last: whatever a shutdown left running goes now


async def _notify(progress: Progress | None, percent: int) -> None:
    if progress is not None:
        outcome = progress(percent)
        if inspect.isawaitable(outcome):
            await outcome
