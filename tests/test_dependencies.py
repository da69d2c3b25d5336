"""Every package the code imports is one that pyproject.toml declares.

The shipped packages (``[tool.setuptools.packages.find]``) may import only the standard
library, themselves, and distributions in ``[project].dependencies``: a wheel installed on a
server brings nothing else. ``tests/`` and ``bench/`` may also import the extras
(``[project.optional-dependencies]``), which ``make install-test`` installs.

Imports are read with ``ast`` (every ``import`` statement, at any depth), and each top-level
name is mapped to the distributions that provide it with
``importlib.metadata.packages_distributions()``. A name provided only by a distribution that
a declared one brings in is undeclared, unless ``TRANSITIVE`` below names it with a reason;
the chain it names is checked against the installed metadata.
"""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())

# Top-level imports allowed without a declaration of their own, because a declared
# distribution requires theirs: {import name: (its distribution, the declared distribution
# that requires it, why the project does not declare it itself)}.
TRANSITIVE: dict[str, tuple[str, str, str]] = {
    "av": (
        "av",
        "aiortc",
        "aiortc's frames and packets are PyAV objects, and the exact aiortc pin bounds av's "
        "version; declaring av as well would only repeat aiortc's range, and could contradict "
        "it on an aiortc upgrade",
    ),
}


def normalize(name: str) -> str:
    """A distribution name as PEP 503 compares them."""
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_names(requirements: Iterable[str]) -> set[str]:
    names = set()
    for requirement in requirements:
        match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
        assert match, f"cannot read the requirement {requirement!r}"
        names.add(normalize(match.group(1)))
    return names


def shipped_packages() -> list[str]:
    """Top-level packages the wheel ships, from the setuptools find patterns."""
    patterns = PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"]
    names = sorted({pattern.split(".")[0].rstrip("*") for pattern in patterns})
    for name in names:
        assert (ROOT / name / "__init__.py").is_file(), f"{name}: no such package"
    return names


def top_level_imports(folders: Iterable[str]) -> dict[str, list[str]]:
    """{top-level name: ["path:line", ...]} of the absolute imports under ``folders``."""
    found: dict[str, list[str]] = {}
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "node_modules" in path.parts:
                continue
            tree = ast.parse(path.read_text(), str(path))
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    modules = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    modules = [node.module]
                else:
                    continue
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                for module in modules:
                    found.setdefault(module.split(".")[0], []).append(where)
    return found


def undeclared(
    imports: dict[str, list[str]], declared: set[str], local: set[str]
) -> dict[str, str]:
    """{top-level name: why it is not allowed} for the imports outside ``declared``."""
    providers = importlib.metadata.packages_distributions()
    problems = {}
    for name, places in sorted(imports.items()):
        if name in sys.stdlib_module_names or name in local:
            continue
        distributions = {normalize(d) for d in providers.get(name, [])}
        if distributions & declared:
            continue
        if name in TRANSITIVE and TRANSITIVE[name][1] in declared:
            continue
        what = f"from {', '.join(sorted(distributions))}" if distributions else "not installed"
        problems[name] = f"{what}, imported at {', '.join(places[:3])}"
    return problems


def test_shipped_packages_import_only_declared_dependencies() -> None:
    packages = shipped_packages()
    declared = requirement_names(PYPROJECT["project"]["dependencies"])
    problems = undeclared(top_level_imports(packages), declared, set(packages))
    assert not problems, (
        "the shipped packages import distributions that [project].dependencies does not "
        f"declare (declare them, or move the code out of the wheel): {problems}"
    )


def test_tests_and_benchmarks_import_only_declared_packages() -> None:
    extras = PYPROJECT["project"]["optional-dependencies"]
    declared = requirement_names(PYPROJECT["project"]["dependencies"])
    declared |= requirement_names(r for requirements in extras.values() for r in requirements)
    local = {*shipped_packages(), "tests", "bench"}
    problems = undeclared(top_level_imports(["tests", "bench"]), declared, local)
    assert not problems, (
        f"tests/ or bench/ import distributions that no extra declares (add them to one): "
        f"{problems}"
    )


def test_transitive_allowances_hold() -> None:
    """Each ``TRANSITIVE`` entry is still imported, and its distribution is still a plain
    (not extra-only) requirement of a directly declared one."""
    declared = requirement_names(PYPROJECT["project"]["dependencies"])
    providers = importlib.metadata.packages_distributions()
    imported = top_level_imports(shipped_packages())
    for name, (distribution, via, reason) in TRANSITIVE.items():
        assert reason
        assert name in imported, f"{name} is no longer imported: drop it from TRANSITIVE"
        assert distribution in {normalize(d) for d in providers.get(name, [])}
        assert via in declared, f"{via} (which brings {distribution}) is no longer declared"
        requires = importlib.metadata.requires(via) or []
        plain = [r for r in requires if not re.search(r"\bextra\s*==", r)]
        assert distribution in requirement_names(plain), (
            f"{via} no longer requires {distribution}: declare {distribution} directly"
        )
