"""Fuzz the REST API from its own OpenAPI document, deeper than the test suite does.

The suite's schemathesis test (tests/test_portal_api_schema.py) runs a few examples per
operation so that CI stays fast; crafted ids such as ``/videos/²`` only turned up at about a
hundred. This runs schemathesis at that depth against a server of its own:

    python bench/fuzz_api.py [--quick] [--examples N] [--database-url URL]

* A fresh ``qou-classroom serve`` on a free loopback port and a scratch data directory,
  seeded with the demo course plus one of each kind of object (lecture, resource, drop-in,
  office hours and a booking), so that small generated ids reach real rows, not only 404s.
* For every operation, N generated requests in schemathesis' positive mode (valid by the
  document) and N in its negative mode (invalid on purpose), each sent as the educator and as
  a student. ``POST /auth/logout`` gets a fresh token each time, since it ends the one it is
  sent with.
* Each response is checked as the suite checks it: no 5xx, a documented status code and
  content type, a body that matches the documented schema.

It ends with ``RESULT name=value`` lines (server_errors is the one that must be 0) and exits
non-zero when any response was a 5xx. ``--quick`` (10 examples, positive and negative, one
user) finishes in under a minute.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

HOST = "127.0.0.1"  # loopback only, by design
PASSWORD = "fuzz-password-1"
SECRET_KEY = secrets.token_urlsafe(48)
CLI = [sys.executable, "-m", "classroom_server"]
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)


@dataclass
class Tally:
    requests: int = 0
    server_errors: int = 0
    nonconforming: int = 0
    unsatisfiable: int = 0  # (operation, mode) pairs with no case to generate
    statuses: Counter[int] = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=dict)  # first failures, per op

    def note(self, label: str, message: str) -> None:
        seen = self.examples.setdefault(label, [])
        if len(seen) < 3:
            seen.append(message)


class Server:
    """``qou-classroom serve`` on a scratch data directory, seeded through the CLI."""

    def __init__(self, data_dir: Path, database_url: str | None) -> None:
        self.data_flags = ["--data-dir", str(data_dir)]
        if database_url:
            self.data_flags += ["--database-url", database_url]
        env = {**os.environ, "QOU_SECRET_KEY": SECRET_KEY}
        for args in (
            ["migrate"] if database_url else [],
            ["demo", "--password", PASSWORD],
            ["create-user", "admin", "--role", "admin", "--password", PASSWORD],
        ):
            if args:
                subprocess.run(
                    [*CLI, *args, *self.data_flags],
                    check=True,
                    env=env,
                    timeout=120,
                    capture_output=True,
                )
        with socket.socket() as sock:
            sock.bind((HOST, 0))
            self.port = sock.getsockname()[1]
        self.log = (data_dir / "server.log").open("ab")
        self.process = subprocess.Popen(
            [
                *CLI,
                "serve",
                "--host",
                HOST,
                "--port",
                str(self.port),
                "--log-level",
                "warning",
                *self.data_flags,
            ],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            env=env,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if requests.get(self.url("/healthz"), timeout=1).ok:
                    return
            except requests.ConnectionError:
                time.sleep(0.1)
        raise RuntimeError("the server did not start")

    def url(self, path: str) -> str:
        return f"http://{HOST}:{self.port}{path}"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


class Users:
    """Bearer tokens per user; each user logs in from one client (a known device after its
    first login), so the generated wrong logins from this address never throttle it."""

    def __init__(self, server: Server, names: list[str]) -> None:
        self.server = server
        self.devices = {name: requests.Session() for name in names}
        self.headers = {name: self.fresh(name) for name in names}

    def fresh(self, name: str) -> dict[str, str]:
        response = self.devices[name].post(
            self.server.url("/api/v1/auth/token"),
            json={"username": name, "password": PASSWORD},
            timeout=30,
        )
        response.raise_for_status()
        return {"Authorization": f"Bearer {response.json()['access_token']}"}


def seed(server: Server, educator: dict[str, str], student: dict[str, str]) -> None:
    """One of each kind of row in the demo course (id 1)."""

    def call(headers: dict[str, str], method: str, path: str, **kwargs: Any) -> Any:
        response = requests.request(
            method, server.url("/api/v1" + path), headers=headers, timeout=30, **kwargs
        )
        if response.status_code >= 300:
            raise RuntimeError(f"seeding {method} {path}: {response.status_code} {response.text}")
        return response.json() if response.content else None

    now = datetime.now(UTC)
    lecture = call(
        educator,
        "POST",
        "/courses/1/lectures",
        json={"title": "Seed", "scheduled_start": now.isoformat()},
    )
    call(educator, "POST", f"/lectures/{lecture['id']}/start")
    call(
        educator,
        "POST",
        "/courses/1/resources",
        json={"title": "Seed", "kind": "book", "url": "https://example.org/"},
    )
    windows = [{"weekday": d, "start": "00:00", "end": "24:00"} for d in range(7)]
    hours = {"course_id": 1, "time_zone": "UTC", "cutoff_minutes": 0, "windows": windows}
    me = call(educator, "PUT", "/office-hours", json=hours)["educator_id"]
    slots = call(
        educator,
        "GET",
        f"/educators/{me}/slots",
        params={
            "start": (now + timedelta(days=2)).isoformat(),
            "end": (now + timedelta(days=3)).isoformat(),
        },
    )
    call(
        student,
        "POST",
        "/bookings",
        json={"educator_id": me, "starts_at": slots["items"][0]["starts_at"]},
    )
    drop_in = call(educator, "POST", "/drop-ins", json={"course_id": 1})
    call(student, "POST", f"/drop-ins/{drop_in['id']}/queue")


def fuzz_operation(
    operation: Any, mode: GenerationMode, examples: int, users: Users, tally: Tally
) -> None:
    label = f"{operation.method.upper()} {operation.path}"

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: failures are counted
    )
    def run(case: Any) -> None:
        for name, headers in users.headers.items():
            if label.endswith("/auth/logout"):
                headers = users.fresh(name)  # logout ends the token it is sent with
            tally.requests += 1
            try:
                response = case.call(headers=headers, timeout=30)
            except requests.RequestException as exc:
                tally.server_errors += 1
                tally.note(label, f"no response: {exc}")
                continue
            tally.statuses[response.status_code] += 1
            if response.status_code >= 500:
                tally.server_errors += 1
                tally.note(label, f"{response.status_code} for {case.as_curl_command()}")
                continue
            try:
                case.validate_response(response, checks=CHECKS)
            except Exception as exc:  # schemathesis' failure group; counted, not raised
                tally.nonconforming += 1
                tally.note(label, f"{mode.value}: {str(exc).splitlines()[0][:300]}")

    try:
        run()
    except Unsatisfiable:  # negative mode on an operation with nothing to get wrong
        tally.unsatisfiable += 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="10 examples, one user: < 1 min")
    parser.add_argument("--examples", type=int, default=None, help="per operation and mode")
    parser.add_argument("--database-url", default=None, help="default: SQLite in a temp dir")
    args = parser.parse_args()
    examples = args.examples or (10 if args.quick else 100)
    names = ["educator"] if args.quick else ["educator", "student1"]

    started = time.monotonic()
    data_dir = Path(tempfile.mkdtemp(prefix="qou-fuzz-"))
    server = Server(data_dir, args.database_url)
    tally = Tally()
    try:
        users = Users(server, sorted({*names, "student1"}))
        seed(server, users.headers["educator"], users.headers["student1"])
        users.headers = {name: users.headers[name] for name in names}
        schema = schemathesis.openapi.from_url(server.url("/api/v1/openapi.json"))
        schema.config.update(base_url=server.url(""))
        operations = [result.ok() for result in schema.get_all_operations()]
        for operation in operations:
            for mode in MODES:
                fuzz_operation(operation, mode, examples, users, tally)
        log = (data_dir / "server.log").read_text(errors="replace")
    finally:
        server.stop()
        shutil.rmtree(data_dir, ignore_errors=True)

    for label, messages in sorted(tally.examples.items()):
        print(f"{label}:")
        for message in messages:
            print(f"    {message}")
    tracebacks = log.count("Traceback")
    print(f"statuses: {dict(sorted(tally.statuses.items()))}")
    print(f"RESULT operations={len(operations)}")
    print(f"RESULT examples_per_operation_and_mode={examples}")
    print(f"RESULT users={len(names)}")
    print(f"RESULT requests={tally.requests}")
    print(f"RESULT server_errors={tally.server_errors}")
    print(f"RESULT nonconforming={tally.nonconforming}")
    print(f"RESULT server_tracebacks={tracebacks}")
    print(f"RESULT modes_without_cases={tally.unsatisfiable}")
    print(f"RESULT seconds={time.monotonic() - started:.1f}")
    return 1 if tally.server_errors else 0


if __name__ == "__main__":
    sys.exit(main())
