"""Schemathesis against ``/api/v1/openapi.json``: generated requests to every operation.

Each generated request is sent twice, as the demo educator and as a student (bearer tokens),
to a server of this module's own: the generated deletes and edits must not reach the data
other tests share. Every response must be below 500 and conform to the document: a documented
status code, the documented content type, and a body matching the documented schema.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import PASSWORD, Server, start_server

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES = 6  # per operation and phase; ~50 operations, each example sent as two users


@pytest.fixture(scope="module")
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = start_server(Path(tmp_path_factory.mktemp("schemathesis")), "sqlite")
    yield server
    server.stop()


def _token(server: Server, username: str) -> dict[str, str]:
    response = requests.post(
        server.url("/api/v1/auth/token"),
        json={"username": username, "password": PASSWORD},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.fixture(scope="module")
def users(own_server: Server) -> dict[str, dict[str, str]]:
    return {name: _token(own_server, name) for name in ("educator", "student1")}


@pytest.fixture(scope="module")
def api_schema(own_server: Server) -> Any:
    schema = schemathesis.openapi.from_url(own_server.url("/api/v1/openapi.json"))
    schema.config.update(base_url=own_server.base_url)
    schema.config.generation.update(max_examples=EXAMPLES)
    schema.config.phases.update(phases=["examples", "coverage", "fuzzing"])
    return schema


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)
def test_every_operation_conforms(case: Any, users: dict[str, dict[str, str]]) -> None:
    for headers in users.values():
        case.call_and_validate(headers=headers, checks=CHECKS, timeout=30)
