"""Office documents to PDF with the real LibreOffice: OpenDocument and PowerPoint slides come
out as PDF pages with their text; what it cannot read, and what takes too long, fail cleanly
and leave no LibreOffice running."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

import pypdfium2
import pytest

from classroom_server import office_convert
from classroom_server.office_convert import ConversionError, is_office, soffice, to_pdf
from tests.conftest import unless_missing
from tests.documents import make_odp, make_pdf

pytestmark = unless_missing(None if soffice() else "LibreOffice (soffice) is not installed")
SLIDES = ["Newton's first law", "قانون نيوتن الثاني"]


def texts(pdf: Path) -> list[str]:
    document = pypdfium2.PdfDocument(pdf)
    try:
        return [page.get_textpage().get_text_range().strip() for page in document]
    finally:
        document.close()


def pptx_of(odp: Path) -> Path:
    """The same slides saved as PowerPoint by LibreOffice, as a teacher's .pptx would come."""
    program = soffice()
    assert program
    subprocess.run(
        [program, "--headless", "--convert-to", "pptx", "--outdir", str(odp.parent), str(odp)],
        check=True,
        capture_output=True,
        timeout=120,
        env={"HOME": str(odp.parent), "PATH": "/usr/bin:/bin"},
    )
    return odp.with_suffix(".pptx")


def soffice_processes() -> int:
    found = subprocess.run(["pgrep", "-f", "qou-office-"], capture_output=True, text=True)
    return len(found.stdout.split())


async def test_slides_become_pdf_pages_with_their_text(tmp_path: Path) -> None:
    odp = tmp_path / "deck.odp"
    odp.write_bytes(make_odp(SLIDES))
    for source in (odp, pptx_of(odp)):
        assert is_office(source.read_bytes()[:65536]), source.name
        out = tmp_path / f"{source.suffix[1:]}.pdf"
        await to_pdf(source, out)
        assert out.read_bytes().startswith(b"%PDF-")
        assert texts(out) == SLIDES, source.name


async def test_what_it_cannot_read_fails_cleanly(tmp_path: Path) -> None:
    fake = tmp_path / "fake"
    fake.write_bytes(b"PK\x03\x04" + b"_rels/.rels" + bytes(range(256)) * 50)
    assert is_office(fake.read_bytes())
    with pytest.raises(ConversionError) as failed:
        await to_pdf(fake, tmp_path / "out.pdf")
    assert failed.value.code == "invalid_document"
    assert not (tmp_path / "out.pdf").exists()


async def test_a_conversion_that_overruns_is_killed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    odp = tmp_path / "deck.odp"
    odp.write_bytes(make_odp(SLIDES * 50))
    monkeypatch.setattr(office_convert, "TIMEOUT_SECONDS", 0.3)
    with pytest.raises(ConversionError) as failed:
        await to_pdf(odp, tmp_path / "out.pdf")
    assert failed.value.code == "timeout"
    await asyncio.sleep(0.5)
    assert soffice_processes() == 0, "the whole process group is gone"


def test_office_files_are_told_by_their_bytes() -> None:
    assert is_office(make_odp(["x"]))
    assert is_office(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100))  # .ppt, .doc
    assert not is_office(make_pdf(["x"]))
    assert not is_office(b"PK\x03\x04" + b"just a zip of photos/" * 10)
