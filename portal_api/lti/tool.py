"""What the LTI routes share, handed over by the composition root: the database, the session
issuer and cookie settings, the platforms' cached keys, service tokens, one HTTP client for
talking to platforms, and the background roster syncs under way."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import timedelta

import aiohttp
from aiohttp import web

from classroom_server.db import Database
from classroom_server.security import TokenIssuer
from portal_api.lti.platform_keys import PlatformKeys
from portal_api.lti.roster import Synced, sync_roster
from portal_api.lti.service_tokens import ServiceError, ServiceTokens

MAX_SYNCS = 20
MAX_LOCKS = 1000
log = logging.getLogger("qou.lti")


@dataclass
class Lti:
    database: Database
    tokens: TokenIssuer
    session_lifetime: timedelta
    secure_cookies: bool
    keys: PlatformKeys = field(default_factory=PlatformKeys)
    services: ServiceTokens = field(init=False)
    _http: aiohttp.ClientSession | None = field(default=None, init=False)
    _syncs: dict[int, asyncio.Task[Synced]] = field(default_factory=dict, init=False)
    _locks: dict[int, asyncio.Lock] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        self.services = ServiceTokens(self.database)

    @property
    def http(self) -> aiohttp.ClientSession:
        if self._http is None:
            self._http = aiohttp.ClientSession()
        return self._http

    def origin(self, request: web.Request) -> str:
        """Where browsers and platforms reach this server (https behind a TLS proxy, as the
        BBB API's answers)."""
        origin = request.url.origin()
        return str(origin.with_scheme("https") if self.secure_cookies else origin)

    async def sync(self, context_id: int) -> Synced:
        """One sync of a context at a time in this process: a second one (the educator's
        button during the launch's sync) waits, then reads the roster afresh."""
        if len(self._locks) > MAX_LOCKS:
            self._locks = {k: v for k, v in self._locks.items() if v.locked()}
        lock = self._locks.setdefault(context_id, asyncio.Lock())
        async with lock:
            return await sync_roster(self.database, self.http, self.services, context_id)

    def sync_soon(self, context_id: int) -> None:
        """A roster sync in the background (an instructor's launch must not wait on it); one
        per context at a time, at most ``MAX_SYNCS`` at once."""
        running = self._syncs.get(context_id)
        if (running is not None and not running.done()) or len(self._syncs) >= MAX_SYNCS:
            return
        task = asyncio.create_task(self.sync(context_id))
        self._syncs[context_id] = task
        task.add_done_callback(lambda done: self._finished(context_id, done))

    def _finished(self, context_id: int, task: asyncio.Task[Synced]) -> None:
        self._syncs.pop(context_id, None)
        if not task.cancelled() and isinstance(task.exception(), ServiceError):
            log.warning("LTI roster sync failed: %s", task.exception())
        elif not task.cancelled() and task.exception() is not None:
            log.error("LTI roster sync crashed", exc_info=task.exception())

    async def close(self) -> None:
        for task in list(self._syncs.values()):
            task.cancel()
        if self._http is not None:
            await self._http.close()
