"""``pip install`` gives a working server: the wheel carries the built web client.

Builds the sdist and, from it, the wheel (``python -m build``, as a release would) out of a copy
of the checkout without ``web_client/dist`` or ``node_modules`` (as a fresh clone has), installs
the wheel in a fresh virtualenv, runs its ``qou-classroom serve`` and loads ``/`` and the assets
the page references. Slow (about 1.5 min: ``npm ci``, then pip resolving the runtime dependencies
under constraints.txt), hence the ``wheel`` marker (``pytest -m "not wheel"`` skips it).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
import tomllib
import urllib.request
import zipfile
from pathlib import Path

import pytest

from tests.conftest import SECRET_KEY, free_port, unless_missing

ROOT = Path(__file__).resolve().parent.parent
# The top-level packages pyproject.toml's find patterns ship ("classroom_server*" and so on).
SETUPTOOLS = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
PACKAGES = {pattern.rstrip("*") for pattern in SETUPTOOLS["packages"]["find"]["include"]}

pytestmark = [
    pytest.mark.wheel,
    unless_missing(None if shutil.which("npm") else "npm (Node.js) builds the web client"),
]


def _copy_checkout(target: Path) -> None:
    """The files a clone would have (tracked, plus new files not ignored), so nothing built in
    this checkout (web_client/dist, node_modules, build/, egg-info) leaks into the build."""
    if not (ROOT / ".git").exists():  # not a clone: everything but what builds and caches make
        junk = ("node_modules", "dist", "build", "var", ".*", "*.egg-info", "__pycache__")
        shutil.copytree(ROOT, target, ignore=shutil.ignore_patterns(*junk))
        return
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout
    for name in filter(None, listed.decode().split("\0")):
        source = ROOT / name
        if source.is_file():  # listed but deleted in the work tree
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


def _clean_env() -> dict[str, str]:
    """This process's environment minus what would point the installed server back here."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME"} and not k.startswith("QOU_")
    }
    return {**env, "QOU_SECRET_KEY": SECRET_KEY}


def _get(url: str) -> tuple[int, str, bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.headers.get("Content-Type", ""), response.read()


def test_the_wheel_serves_the_web_client(tmp_path: Path) -> None:
    source, out = tmp_path / "source", tmp_path / "dist"
    _copy_checkout(source)
    assert not (source / "web_client" / "dist").exists()

    started = time.monotonic()
    subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(out), str(source)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    built = time.monotonic() - started
    (wheel,) = out.glob("*.whl")
    (sdist,) = out.glob("*.tar.gz")

    # The sdist carries the client's sources and its build, never node_modules.
    with tarfile.open(sdist) as tar:
        in_sdist = {name.split("/", 1)[1] for name in tar.getnames() if "/" in name}
    for name in ("package.json", "package-lock.json", "build.mjs", "src/main.js"):
        assert f"web_client/{name}" in in_sdist, name
    assert "web_client/dist/index.html" in in_sdist
    assert not any("node_modules" in name for name in in_sdist)

    # The wheel: the five packages with the built client in classroom_server/web_dist; no
    # client sources, node_modules, tests or bench.
    with zipfile.ZipFile(wheel) as zf:
        in_wheel = set(zf.namelist())
    top = {name.split("/", 1)[0] for name in in_wheel}
    assert {name for name in top if not name.endswith(".dist-info")} == PACKAGES
    client = "classroom_server/web_dist/"
    assert {client + "index.html", client + "assets/app.js"} <= in_wheel
    assert not [name for name in in_wheel if "node_modules" in name or "web_client" in name]
    assert not [name for name in in_wheel if re.search(r"(^|/)(tests?|conftest)(/|\.py$)", name)]

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    subprocess.run(
        [venv / "bin" / "pip", "install", "--quiet", "-c", ROOT / "constraints.txt", wheel],
        check=True,
        capture_output=True,
        env=_clean_env(),
        timeout=600,
    )
    where = subprocess.run(
        [venv / "bin" / "python", "-c", "import classroom_server as c; print(c.__file__)"],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=_clean_env(),
    ).stdout
    assert Path(where.strip()).is_relative_to(venv), where

    port = free_port()
    log = tmp_path / "server.log"
    command = [venv / "bin" / "qou-classroom", "serve", "--port", str(port)]
    server = subprocess.Popen(
        [*command, "--data-dir", str(tmp_path / "data"), "--log-level", "warning"],
        cwd=tmp_path,
        env=_clean_env(),
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, log.read_text()
            try:
                _get(base + "/healthz")
                break
            except OSError:
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)

        status, kind, body = _get(base + "/")
        page = body.decode()
        assert (status, kind.split(";")[0]) == (200, "text/html"), page
        assert '<div id="app">' in page
        scripts = re.findall(r'<script[^>]* src="(/assets/[^"]+\.js)"', page)
        styles = re.findall(r'<link rel="stylesheet" href="(/assets/[^"]+\.css)"', page)
        assert scripts and styles, page
        for path in scripts + styles:
            status, kind, body = _get(base + path)
            assert status == 200 and len(body) > 1000, path
            assert kind.split(";")[0] in {"application/javascript", "text/javascript", "text/css"}
        # A page route answers the app shell too, and the API docs page is in the build.
        assert _get(base + "/library")[2] == page.encode()
        assert _get(base + "/api/docs")[0] == 200
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
    print(f"sdist and wheel built in {built:.0f} s")
