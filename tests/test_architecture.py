"""Imports run one way (docs/architecture.md): browser -> signaling -> room domain; SFU ->
recording -> vod; the core (``classroom_server``) imports no outer package but in the
composition root.

Every import statement counts, at any depth and under ``TYPE_CHECKING`` too: an import hidden
in a function to dodge a cycle is still an arrow against the flow.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("classroom_server", "signaling", "recording", "vod", "portal_api")

FORBIDDEN: dict[str, set[str]] = {
    # The recorder is one more subscriber of the SFU's tracks, through its own ports.
    "recording": {"signaling", "portal_api"},
    # The library processes what it is handed; it knows neither recorder nor room.
    "vod": {"recording", "signaling", "portal_api"},
    # The room's signalling is given the recorder; it never builds or names it.
    "signaling": {"recording", "vod", "portal_api"},
    "portal_api": {"signaling", "recording"},
    "classroom_server": {"signaling", "recording", "vod", "portal_api"},
}
COMPOSITION_ROOT = {"classroom_server/web_app.py", "classroom_server/commands.py"}
"""Where every package's parts are built and wired: the web app, and the command line."""
NOT_YET: dict[tuple[str, str], str] = {}
"""Known exceptions, each with its reason, to be removed (none left)."""


def imports(path: Path) -> Iterator[tuple[int, str]]:
    """(line, top-level package) of every import in ``path``."""
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.lineno, node.module.split(".")[0]


def modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_no_import_runs_against_the_flow(package: str) -> None:
    against = []
    for path in modules(package):
        name = path.relative_to(ROOT).as_posix()
        if name in COMPOSITION_ROOT:
            continue
        for line, imported in imports(path):
            if imported in FORBIDDEN[package] and (name, imported) not in NOT_YET:
                against.append(f"{name}:{line} imports {imported}")
    assert not against, "\n".join(against)


def test_the_known_exceptions_still_exist() -> None:
    """An exception that was removed must leave the list too, so the list only shrinks."""
    for (name, imported), why in NOT_YET.items():
        found = {package for _, package in imports(ROOT / name)}
        assert imported in found, f"{name} no longer imports {imported} ({why}): drop it"


def test_the_checker_sees_hidden_imports(tmp_path: Path) -> None:
    hidden = tmp_path / "hidden.py"
    hidden.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from signaling.sfu import forwarder\n"
        "def late():\n    import recording.service\n"
    )
    assert {package for _, package in imports(hidden)} >= {"signaling", "recording"}
