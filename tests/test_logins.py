"""Logins without a server: a wrong password counts against the throttle until it refuses,
a disabled account is refused after its password checks, a session is opened and ended, and a
password change with a wrong current password is a failed login too."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from classroom_server.db import Role, User
from classroom_server.logins import LoginRefused, Logins
from classroom_server.security import Attempt, LoginThrottle, MemoryThrottleStore, TokenIssuer
from classroom_server.sessions import session_user
from classroom_server.users import create_user, password_matches, set_disabled
from tests.conftest import DATABASES
from tests.office_hours_domain import OfficeWorld, office_world

PASSWORD = "right-password-1"


@pytest.fixture(params=DATABASES)
async def world(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[OfficeWorld]:
    async with office_world(request.param, tmp_path) as made:
        yield made


def logins(world: OfficeWorld, free: int = 5) -> Logins:
    return Logins(
        world.database,
        TokenIssuer("a-test-signing-key-of-sufficient-length-0123"),
        LoginThrottle(MemoryThrottleStore(), free_per_client=free),
        access_lifetime=timedelta(minutes=5),
        session_lifetime=timedelta(hours=1),
        secure_cookies=False,
    )


async def account(world: OfficeWorld, name: str, disabled: bool = False) -> int:
    async with world.database.session() as session:
        user = await create_user(session, name, PASSWORD, Role.STUDENT)
        await set_disabled(session, user, disabled)
        await session.commit()
        return user.id


async def test_wrong_passwords_count_until_the_throttle_refuses(world: OfficeWorld) -> None:
    gate = logins(world, free=2)
    await account(world, "rana")
    attempt = Attempt("rana", "192.0.2.1")
    for _ in range(2):
        with pytest.raises(LoginRefused) as refused:
            await gate.check_password(attempt, "wrong")
        assert refused.value.reason == "invalid"
    with pytest.raises(LoginRefused) as refused:
        await gate.check_password(attempt, PASSWORD)
    assert refused.value.reason == "throttled" and refused.value.retry_after > 0


async def test_a_disabled_account_is_refused_and_a_session_opens_and_ends(
    world: OfficeWorld,
) -> None:
    gate = logins(world)
    await account(world, "sami", disabled=True)
    with pytest.raises(LoginRefused) as refused:
        await gate.check_password(Attempt("sami", "192.0.2.1"), PASSWORD)
    assert refused.value.reason == "disabled"

    user_id = await account(world, "huda")
    user = await gate.check_password(Attempt("huda", "192.0.2.1"), PASSWORD)
    issued = await gate.open(user, "session")
    assert timedelta(minutes=59) < issued.expires - datetime.now(UTC) <= timedelta(hours=1)
    async with world.database.session() as session:
        assert (await session_user(session, issued.jti, user_id, "session")) is not None
    await gate.end(issued.jti)
    async with world.database.session() as session:
        assert (await session_user(session, issued.jti, user_id, "session")) is None


async def test_a_wrong_current_password_is_a_failed_login(world: OfficeWorld) -> None:
    gate = logins(world, free=1)
    user_id = await account(world, "omar")
    attempt = Attempt("omar", "192.0.2.1")
    with pytest.raises(LoginRefused) as refused:
        await gate.change_password(attempt, user_id, "wrong", "new-password-2", None)
    assert refused.value.reason == "invalid"
    with pytest.raises(LoginRefused) as refused:
        await gate.change_password(attempt, user_id, PASSWORD, "new-password-2", None)
    assert refused.value.reason == "throttled"
    await logins(world).change_password(attempt, user_id, PASSWORD, "new-password-2", None)
    async with world.database.session() as session:
        user = await session.get(User, user_id)
        assert user is not None and await password_matches(user, "new-password-2")
