"""The documents an LMS hands a meeting: the XML list ``create`` (pre-upload) and
``insertDocument`` may POST, each becoming a slide deck of the lecture.

BBB's list is ``<modules><module name="presentation"><document url=".." filename=".."/>
<document name="x.pdf">base64</document></module></modules>``. Documents named by URL are
fetched after the call has answered, as BBB does (the LMS must not wait for a download); a
document is stored and rendered by the same SlideDecks an educator's upload goes through, and
only if its bytes are a PDF or an image (``sniff_kind``), whatever its name says. The list is
parsed without a DTD: a ``<!DOCTYPE`` (entity expansion) is refused outright.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import logging
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import aiohttp

from classroom_server.slide_decks import MAX_UPLOAD_BYTES, SlideDecks
from classroom_server.slide_render import sniff_kind
from portal_api.bbb.answers import Failed

MAX_DOCUMENTS = 20
TIMEOUT = aiohttp.ClientTimeout(total=60)
log = logging.getLogger("qou.bbb")


@dataclass(frozen=True)
class Document:
    title: str
    url: str | None = None
    content: bytes | None = None


def _title(name: str | None, url: str | None) -> str:
    base = name or (unquote(urlsplit(url).path.rsplit("/", 1)[-1]) if url else "")
    base = re.sub(r"[\x00-\x1f\x7f]", "", base)
    stem = re.sub(r"\.[A-Za-z0-9]{1,5}$", "", base).strip()
    return (stem or "Presentation")[:200]


def parse_documents(body: bytes) -> list[Document]:
    """The documents of BBB's XML list (``invalidDocumentList`` when it is not one)."""
    if not body.strip():
        return []
    if b"<!DOCTYPE" in body.upper() or b"<!ENTITY" in body.upper():
        raise Failed("invalidDocumentList", "The document list may not declare a DTD.")
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        raise Failed("invalidDocumentList", "The document list is not well-formed XML.") from None
    documents: list[Document] = []
    for element in root.iter("document"):
        url = element.get("url")
        name = element.get("filename") or element.get("name")
        if url:
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise Failed("invalidDocumentList", "A document URL must be http or https.")
            documents.append(Document(_title(name, url), url=url))
        elif element.text and element.text.strip():
            try:
                content = base64.b64decode(element.text.strip(), validate=True)
            except (binascii.Error, ValueError):
                raise Failed("invalidDocumentList", "An inline document is not base64.") from None
            documents.append(Document(_title(name, None), content=content))
    if len(documents) > MAX_DOCUMENTS:
        raise Failed("invalidDocumentList", f"At most {MAX_DOCUMENTS} documents at once.")
    return documents


async def _fetch(http: aiohttp.ClientSession, url: str) -> bytes | None:
    try:
        async with http.get(url) as response:
            if response.status != 200:
                log.warning("a BBB document answered %s", response.status)
                return None
            data = bytearray()
            async for chunk in response.content.iter_chunked(64 * 1024):
                data += chunk
                if len(data) > MAX_UPLOAD_BYTES:
                    log.warning("a BBB document is larger than %s bytes", MAX_UPLOAD_BYTES)
                    return None
            return bytes(data)
    except (aiohttp.ClientError, TimeoutError) as exc:
        log.warning("a BBB document could not be fetched: %s", type(exc).__name__)
        return None


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


@dataclass
class Documents:
    """Adds documents to lectures in the background, keeping its tasks until they finish."""

    slides: SlideDecks
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    def add(self, lecture_id: int, documents: list[Document]) -> None:
        if not documents:
            return
        task = asyncio.get_running_loop().create_task(self._add(lecture_id, documents))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _add(self, lecture_id: int, documents: list[Document]) -> None:
        async with aiohttp.ClientSession(timeout=TIMEOUT) as http:
            for document in documents:
                data = document.content
                if data is None and document.url is not None:
                    data = await _fetch(http, document.url)
                if data is None or len(data) > MAX_UPLOAD_BYTES:
                    continue
                kind = sniff_kind(data[:16])
                if kind is None:
                    log.warning("a BBB document is neither a PDF nor an image: skipped")
                    continue
                deck = await self.slides.add(lecture_id, document.title, kind)
                try:
                    await asyncio.to_thread(_write, self.slides.source_path(deck.id), data)
                except OSError:
                    await self.slides.discard(deck.id)
                    raise
                self.slides.start(deck.id)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
