"""Builds the web client into the wheel, so ``pip install`` gives a server that serves it.

Everything else about the package is in pyproject.toml; this file only adds two build steps:

- ``build_py`` (building a wheel, from the checkout or from the sdist) runs ``npm ci`` and
  ``npm run build`` in ``web_client/`` when ``web_client/dist`` is missing or older than its
  sources, then copies ``dist`` into the wheel as ``classroom_server/web_dist``, where the
  server looks first (``classroom_server/client_assets.py``). Only the built assets go in:
  never ``node_modules`` nor the client's sources. An editable install (``pip install -e .``,
  as ``make install`` does) skips both steps: it serves the checkout's ``web_client/dist``,
  which ``make web`` builds.
- ``sdist`` builds the client the same way first, so the sdist carries a current
  ``web_client/dist`` next to the client's sources (MANIFEST.in): a wheel built from the sdist
  needs no npm unless those sources were edited since.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.command.sdist import sdist

ROOT = Path(__file__).resolve().parent
WEB = ROOT / "web_client"
DIST = WEB / "dist"
# What `npm run build` (web_client/build.mjs) reads; node_modules is npm ci's, from the lockfile.
INPUTS = ("src", "build.mjs", "package.json", "package-lock.json")
# Where the wheel carries the built client; classroom_server/client_assets.py looks here first.
PACKAGED = ("classroom_server", "web_dist")


def _mtimes(path: Path) -> list[float]:
    """Modification times of the file ``path`` or of the files under the directory ``path``
    (files only: an sdist's directories are made afresh when it is packed)."""
    if path.is_file():
        return [path.stat().st_mtime]
    return [p.stat().st_mtime for p in path.rglob("*") if p.is_file()]


def client_is_current() -> bool:
    """True when dist/ holds a build at least as new as every input (its files are written
    afresh by each build, so the oldest of them tells when the build ran)."""
    built = [p.stat().st_mtime for p in DIST.rglob("*") if p.is_file()]
    if not (DIST / "index.html").is_file() or not built:
        return False
    newest_input = max((t for name in INPUTS for t in _mtimes(WEB / name)), default=0.0)
    return newest_input <= min(built)


def build_client() -> None:
    """Runs the client's build when dist/ is missing or stale; npm ci only when node_modules
    is missing or older than the lockfile."""
    if client_is_current():
        return
    if not (WEB / "package.json").is_file():
        raise SystemExit(f"web client sources missing: no {WEB / 'package.json'}")
    npm = shutil.which(os.environ.get("NPM", "npm"))
    if npm is None:
        raise SystemExit(
            "The web client in web_client/ must be built into the wheel, and npm (Node.js >= 18)"
            " was not found: install Node.js with npm, or set NPM to its path."
        )
    installed = WEB / "node_modules" / ".package-lock.json"
    lockfiles = [WEB / "package-lock.json", WEB / "package.json"]
    if not installed.is_file() or any(
        f.stat().st_mtime > installed.stat().st_mtime for f in lockfiles
    ):
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=WEB, check=True
        )
    subprocess.run([npm, "run", "build"], cwd=WEB, check=True)
    if not (DIST / "index.html").is_file():
        raise SystemExit("npm run build left no web_client/dist/index.html")


class BuildPyWithClient(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        build_client()
        target = Path(self.build_lib, *PACKAGED)
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(DIST, target, ignore=shutil.ignore_patterns(".*"))


class SdistWithClient(sdist):
    def run(self) -> None:
        build_client()
        super().run()


setup(cmdclass={"build_py": BuildPyWithClient, "sdist": SdistWithClient})
