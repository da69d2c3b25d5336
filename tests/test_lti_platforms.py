"""The registered platforms' rules (classroom_server/lti_platforms.py) on a real database:
what a registration must hold, one registration per (issuer, client id), and finding the one
a login names."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from classroom_server.db import Database, upgrade
from classroom_server.lti_platforms import (
    PlatformExists,
    PlatformRefused,
    Registration,
    add_platform,
    deployment_allowed,
    find_platform,
    list_platforms,
    remove_platform,
)
from tests.conftest import DATABASES, run_postgres_url, scratch_postgres

GOOD = Registration(
    issuer="https://moodle.example",
    client_id="c1",
    deployment_ids=("1", "1", "2"),
    auth_url="https://moodle.example/mod/lti/auth.php",
    token_url="https://moodle.example/mod/lti/token.php",
    jwks_url="https://moodle.example/mod/lti/certs.php",
)


@pytest.fixture(params=DATABASES)
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    if request.param == "postgresql":
        made = Database(await scratch_postgres(run_postgres_url("lti_platforms")))
    else:
        made = Database(f"sqlite+aiosqlite:///{tmp_path / 'lti.sqlite3'}")
    await upgrade(made)
    yield made
    await made.close()


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"auth_url": "javascript:alert(1)"}, "auth_url must be an http"),
        ({"jwks_url": "file:///etc/passwd"}, "jwks_url must be an http"),
        ({"token_url": "https://"}, "token_url must be an http"),
        ({"issuer": ""}, "issuer"),
        ({"client_id": "x" * 257}, "client id"),
        ({"deployment_ids": ()}, "deployment ids"),
        ({"deployment_ids": ("",)}, "deployment id must be"),
    ],
)
def test_a_registration_must_hold_web_urls_and_deployments(
    change: dict[str, object], words: str
) -> None:
    with pytest.raises(PlatformRefused, match=words):
        dataclasses.replace(GOOD, **change).check()  # type: ignore[arg-type]


async def test_one_registration_per_issuer_and_client(database: Database) -> None:
    async with database.session() as session:
        made = await add_platform(session, GOOD)
        await session.commit()
        assert made.deployment_ids == ["1", "2"]
        with pytest.raises(PlatformExists):
            await add_platform(session, GOOD)
        second = await add_platform(session, dataclasses.replace(GOOD, client_id="c2"))
        await session.commit()
        assert [p.id for p in await list_platforms(session)] == [made.id, second.id]

        assert await find_platform(session, GOOD.issuer, None) is None  # two: which one?
        found = await find_platform(session, GOOD.issuer, "c2")
        assert found is not None and found.id == second.id
        assert deployment_allowed(found, "2") and not deployment_allowed(found, "3")

        assert await remove_platform(session, second.id)
        await session.commit()
        only = await find_platform(session, GOOD.issuer, None)
        assert only is not None and only.id == made.id
        assert not await remove_platform(session, second.id)
