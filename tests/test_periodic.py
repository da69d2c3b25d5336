"""The loop behind every process's background looks: it outlives a failed look and stops."""

from __future__ import annotations

import asyncio

import pytest

from classroom_server.periodic import Periodic


async def test_a_failed_look_is_followed_by_the_next(caplog: pytest.LogCaptureFixture) -> None:
    looks: list[int] = []

    async def look() -> None:
        looks.append(len(looks))
        if len(looks) == 1:
            raise RuntimeError("the database is away")

    loop = Periodic(look, 0.01, "test looks")
    loop.start()
    for _ in range(200):
        if len(looks) >= 3:
            break
        await asyncio.sleep(0.01)
    await loop.stop()
    assert len(looks) >= 3
    assert "test looks failed" in caplog.text
    seen = len(looks)
    await asyncio.sleep(0.05)
    assert len(looks) == seen, "stopped"
    await loop.stop()  # twice is harmless
