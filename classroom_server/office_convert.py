"""PowerPoint, Word and OpenDocument files to PDF, by LibreOffice headless, as BigBlueButton
converts them: then they render like any PDF deck.

An office document is hostile input to a very large program, so each conversion runs in its
own process group with a fresh profile (nothing shared between uploads), without network
(a new network namespace, where the system allows one: documents can link remote content),
under limits on memory, CPU time and wall time, and is killed whole when it overruns.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import signal
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)
TIMEOUT_SECONDS = 120.0
MEMORY_BYTES = 4 * 1024**3
"""Address space: LibreOffice maps far more than it touches, so this is no tighter."""
SOFFICE_NAMES = ("soffice", "libreoffice")


class ConversionError(Exception):
    """code: 'unavailable' | 'timeout' | 'invalid_document'."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def soffice() -> str | None:
    """LibreOffice's program, or None where it is not installed (Office uploads are refused)."""
    return next((found for name in SOFFICE_NAMES if (found := shutil.which(name))), None)


_offline: bool | None = None


async def _guards() -> list[str]:
    """The command prefix that limits the conversion: ``prlimit`` (memory, CPU time) and
    ``unshare -rn`` (no network) from util-linux, the latter where this system lets an
    unprivileged process have its own network namespace (checked once)."""
    global _offline
    prefix = []
    if prlimit := shutil.which("prlimit"):
        prefix += [prlimit, f"--as={MEMORY_BYTES}", f"--cpu={max(1, int(TIMEOUT_SECONDS))}"]
    unshare = shutil.which("unshare")
    if _offline is None:
        _offline = False
        if unshare:
            probe = await asyncio.create_subprocess_exec(
                unshare, "-rn", "true", stderr=asyncio.subprocess.DEVNULL
            )
            _offline = await probe.wait() == 0
        if not _offline:
            log.warning("office documents are converted with network access: unshare -rn failed")
    return [*prefix, unshare, "-rn"] if _offline and unshare else prefix


async def to_pdf(source: Path, out: Path) -> None:
    """Converts ``source`` (type told by its content) to the PDF ``out``."""
    program = soffice()
    if program is None:
        raise ConversionError("unavailable", "LibreOffice is not installed on the server")
    with tempfile.TemporaryDirectory(prefix="qou-office-") as work:
        folder = Path(work)
        document = folder / "document"
        shutil.copyfile(source, document)
        command = [
            *await _guards(),
            program,
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--nodefault",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder / "out"),
            str(document),
        ]
        await _run(command, folder)
        made = folder / "out" / "document.pdf"
        if not made.is_file() or made.stat().st_size == 0:
            raise ConversionError("invalid_document", "LibreOffice could not read the document")
        shutil.move(made, out)


async def _run(command: list[str], folder: Path) -> None:
    process = await asyncio.create_subprocess_exec(
        *command,
        cwd=folder,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
        env={"HOME": str(folder), "PATH": os.environ.get("PATH", ""), "LANG": "C.UTF-8"},
        start_new_session=True,  # its own process group, killed as one
    )
    try:
        async with asyncio.timeout(TIMEOUT_SECONDS):
            await process.wait()
    except TimeoutError:
        limit = f"{TIMEOUT_SECONDS:.0f} s"
        raise ConversionError("timeout", f"the conversion took over {limit}") from None
    finally:
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            await process.wait()


ZIP = b"PK\x03\x04"
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .ppt, .doc (and other legacy Office files)


def is_office(head: bytes) -> bool:
    """An Office Open XML (.pptx, .docx) or OpenDocument (.odp, .odt) package, or a legacy
    Office file, judged by its first bytes (a package's first entries name its kind); what
    LibreOffice then cannot read fails as an invalid document."""
    if head.startswith(OLE2):
        return True
    markers = (b"[Content_Types].xml", b"_rels/.rels", b"mimetypeapplication/vnd.oasis.opendoc")
    return head.startswith(ZIP) and any(marker in head[:4096] for marker in markers)
