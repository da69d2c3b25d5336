"""The ``/classroom`` namespace: the live room's Socket.IO edge.

A client connects with ``auth={"token": <join token>}``; the token (from
``POST /api/v1/lectures/{id}/join``) binds user, lecture and role, so the role a client claims
is never trusted. Room events arrive with the live-room issue.
"""

from __future__ import annotations

import logging
from typing import Any

import socketio
from aiohttp import web

from classroom_server.security import TokenError
from classroom_server.services import SERVICES

log = logging.getLogger(__name__)
NAMESPACE = "/classroom"


def lecture_room(lecture_id: int) -> str:
    return f"lecture:{lecture_id}"


class ClassroomNamespace(socketio.AsyncNamespace):  # type: ignore[misc]
    def __init__(self, app: web.Application) -> None:
        super().__init__(NAMESPACE)
        self._app = app

    async def on_connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        token = auth.get("token") if isinstance(auth, dict) else None
        if not isinstance(token, str) or len(token) > 4096:
            raise socketio.exceptions.ConnectionRefusedError(
                {"code": "unauthenticated", "message": "connect with auth={token: <join token>}"}
            )
        try:
            claims = self._app[SERVICES].tokens.verify(token, "join")
        except TokenError as exc:
            raise socketio.exceptions.ConnectionRefusedError(
                {"code": "unauthenticated", "message": f"invalid join token: {exc}"}
            ) from exc
        lecture_id = int(claims["lecture"])
        await self.save_session(
            sid, {"user_id": int(claims["sub"]), "lecture_id": lecture_id, "role": claims["role"]}
        )
        await self.enter_room(sid, lecture_room(lecture_id))
        log.info("user %s joined lecture %s as %s", claims["sub"], lecture_id, claims["role"])
