"""Schemathesis against ``/api/v1/openapi.json``: generated requests to every operation.

Each generated request is sent twice, as the demo educator and as a student (bearer tokens),
to a server of this module's own: the generated deletes and edits must not reach the data
other tests share. Every response must be below 500 and conform to the document: a documented
status code, the documented content type, and a body matching the documented schema.

It runs on each database in ``QOU_TEST_DATABASES``: PostgreSQL refuses what SQLite lets pass
(a 64-bit id, a NUL in a string), so a 5xx may show on one only. The PostgreSQL run is cut to
what reaches the database, to add about 70 s to CI instead of 240 s: fewer examples, and its
coverage phase keeps the valid boundary values but skips the invalid variants and unexpected
HTTP methods, which the router answers the same way whatever the database.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from PIL import Image
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import DATABASES, PASSWORD, Server, run_postgres_url, start_server

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Per operation and phase; ~50 operations, each example sent as two users.
EXAMPLES = {"sqlite": 6, "postgresql": 2}


@pytest.fixture(scope="module", params=DATABASES)
def own_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    database: str = request.param
    server = start_server(
        Path(tmp_path_factory.mktemp(f"schemathesis-{database}")),
        database,
        postgres_url=run_postgres_url("schemathesis"),
    )
    server.extra["database"] = database
    yield server
    server.stop()


# One HTTP client per user, as a device: after its first login it holds the device cookie, so
# its later logins are not throttled by the generated wrong logins from the same address.
DEVICES: dict[str, requests.Session] = {}


def _token(server: Server, username: str) -> dict[str, str]:
    device = DEVICES.setdefault(f"{server.base_url} {username}", requests.Session())
    response = device.post(
        server.url("/api/v1/auth/token"),
        json={"username": username, "password": PASSWORD},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _seed(server: Server, educator: dict[str, str], student: dict[str, str]) -> None:
    """One of each kind of row in the demo course (id 1), so that generated small ids also
    reach real objects and their 2xx bodies are checked, not only 404s."""

    def call(headers: dict[str, str], method: str, path: str, **kwargs: Any) -> Any:
        response = requests.request(
            method, server.url("/api/v1" + path), headers=headers, timeout=30, **kwargs
        )
        assert response.status_code < 300, (path, response.status_code, response.text)
        return response.json() if response.content else None

    now = datetime.now(UTC)
    course = 1
    lecture = call(
        educator,
        "POST",
        f"/courses/{course}/lectures",
        json={"title": "Seed", "scheduled_start": now.isoformat()},
    )
    call(educator, "POST", f"/lectures/{lecture['id']}/start")
    image = io.BytesIO()
    Image.new("RGB", (32, 24), "white").save(image, "PNG")
    call(educator, "POST", f"/lectures/{lecture['id']}/decks", files={"file": image.getvalue()})
    call(
        educator,
        "POST",
        "/videos",
        files={"course_id": (None, str(course)), "title": (None, "Seed"), "file": b"not a video"},
    )
    resource = {"title": "Seed", "kind": "book", "url": "https://example.org/"}
    call(educator, "POST", f"/courses/{course}/resources", json=resource)
    windows = [{"weekday": d, "start": "00:00", "end": "24:00"} for d in range(7)]
    hours = {"course_id": course, "time_zone": "UTC", "cutoff_minutes": 0, "windows": windows}
    me = call(educator, "PUT", "/office-hours", json=hours)["educator_id"]
    slot = call(
        educator,
        "GET",
        f"/educators/{me}/slots",
        params={
            "start": (now + timedelta(days=2)).isoformat(),
            "end": (now + timedelta(days=3)).isoformat(),
        },
    )["items"][0]["starts_at"]
    call(student, "POST", "/bookings", json={"educator_id": me, "starts_at": slot})
    drop_in = call(educator, "POST", "/drop-ins", json={"course_id": course})
    call(student, "POST", f"/drop-ins/{drop_in['id']}/queue")


@pytest.fixture(scope="module")
def users(own_server: Server) -> dict[str, dict[str, str]]:
    tokens = {name: _token(own_server, name) for name in ("educator", "student1")}
    _seed(own_server, tokens["educator"], tokens["student1"])
    return tokens


@pytest.fixture(scope="module")
def api_schema(own_server: Server) -> Any:
    schema = schemathesis.openapi.from_url(own_server.url("/api/v1/openapi.json"))
    schema.config.update(base_url=own_server.base_url)
    schema.config.generation.update(max_examples=EXAMPLES[own_server.extra["database"]])
    schema.config.phases.update(phases=["examples", "coverage", "fuzzing"])
    if own_server.extra["database"] != "sqlite":
        schema.config.phases.coverage.unexpected_methods = set()
        schema.config.phases.coverage.generation.update(modes=[GenerationMode.POSITIVE])
    return schema


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(  # max_examples comes from the schema's config, per database
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)
def test_every_operation_conforms(
    case: Any, users: dict[str, dict[str, str]], own_server: Server
) -> None:
    for name, headers in users.items():
        if case.path.endswith("/auth/logout"):
            # Logout ends the token it is sent with: give it one of its own.
            headers = _token(own_server, name)
        case.call_and_validate(headers=headers, checks=CHECKS, timeout=30)
