"""Assignment and Grade Services (AGS 2.0): a quiz attempt's score sent to the LMS gradebook.

An attempt is owed to a platform when the student entered through it (an LTI account of that
platform) and the quiz's course is one of its contexts whose launch named a gradebook
endpoint. Rather than hook the attempt's request (the student's submission must never wait on
an LMS), each server process looks every few seconds for owed attempts: the process that
inserts the attempt's ``lti_scores`` row owns it, sends it, and records the outcome; a failure
is retried with growing waits, ``MAX_TRIES`` times, then left as failed with the reason.

Each quiz gets a line item of its own (``resourceId`` ``quiz-<id>``) when the platform gave a
line items URL; with only a single line item (the resource link's), scores go to that one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import aiohttp
from sqlalchemy import and_, or_, select, update

from classroom_server.db import (
    Database,
    LtiContext,
    LtiLineItem,
    LtiPlatform,
    LtiScore,
    LtiUser,
    Module,
    Quiz,
    QuizAttempt,
    Unit,
    add_unique,
)
from classroom_server.periodic import Periodic
from portal_api.lti.service_tokens import TIMEOUT, ServiceError, ServiceTokens, read_json

LINEITEM_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
LINEITEM_TYPE = "application/vnd.ims.lis.v2.lineitem+json"
SCORE_TYPE = "application/vnd.ims.lis.v1.score+json"
SCORE_MAXIMUM = 100
MAX_TRIES = 5
BATCH = 20
log = logging.getLogger("qou.lti")


@dataclass(frozen=True)
class Owed:
    attempt: QuizAttempt
    quiz_title: str
    sub: str
    context: LtiContext
    platform: LtiPlatform


def scores_url(lineitem: str) -> str:
    """AGS: the scores of a line item are at its URL's path + ``/scores``, query kept."""
    parts = urlsplit(lineitem)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/scores"))


def score_of(owed: Owed) -> dict[str, Any]:
    return {
        "userId": owed.sub,
        "scoreGiven": round(owed.attempt.score * SCORE_MAXIMUM, 2),
        "scoreMaximum": SCORE_MAXIMUM,
        "activityProgress": "Completed",
        "gradingProgress": "FullyGraded",
        "timestamp": owed.attempt.created_at.astimezone(UTC).isoformat(),
        "comment": f"Attempt {owed.attempt.number}",
    }


@dataclass
class Grades:
    database: Database
    tokens: ServiceTokens
    interval: float = 2.0
    _http: aiohttp.ClientSession | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self._looks = Periodic(self._look, self.interval, "LTI grade passback")

    def start(self) -> None:
        self._http = aiohttp.ClientSession()
        self._looks.start()

    async def stop(self) -> None:
        await self._looks.stop()
        if self._http is not None:
            await self._http.close()

    async def _look(self) -> None:
        assert self._http is not None  # started
        await self.claim_new()
        await self.send_due(self._http)

    async def claim_new(self) -> None:
        """An ``lti_scores`` row for each newly owed attempt (the row's insert decides which
        process sends it)."""
        query = (
            select(QuizAttempt.id)
            .join(Quiz, Quiz.id == QuizAttempt.quiz_id)
            .join(Unit, Unit.id == Quiz.unit_id)
            .join(Module, Module.id == Unit.module_id)
            .join(LtiContext, LtiContext.course_id == Module.course_id)
            .join(
                LtiUser,
                and_(
                    LtiUser.user_id == QuizAttempt.user_id,
                    LtiUser.issuer == LtiContext.issuer,
                ),
            )
            .outerjoin(LtiScore, LtiScore.attempt_id == QuizAttempt.id)
            .where(
                LtiScore.attempt_id.is_(None),
                LtiContext.platform_id.is_not(None),
                or_(LtiContext.lineitems_url.is_not(None), LtiContext.lineitem_url.is_not(None)),
                QuizAttempt.created_at >= LtiContext.created_at,
            )
            .limit(BATCH)
        )
        async with self.database.session() as session:
            for attempt_id in (await session.scalars(query)).all():
                await add_unique(session, LtiScore(attempt_id=attempt_id, result={}))
            await session.commit()

    async def _take_due(self) -> list[int]:
        """Due rows, each pushed a minute on by this process (a row another process pushed
        first is that process's)."""
        now = datetime.now(UTC)
        taken: list[int] = []
        async with self.database.session() as session:
            due = await session.execute(
                select(LtiScore.attempt_id, LtiScore.next_try_at)
                .where(LtiScore.status == "pending", LtiScore.next_try_at <= now)
                .limit(BATCH)
            )
            for attempt_id, when in due.all():
                pushed = await session.execute(
                    update(LtiScore)
                    .where(LtiScore.attempt_id == attempt_id, LtiScore.next_try_at == when)
                    .values(next_try_at=now + timedelta(minutes=1))
                )
                if getattr(pushed, "rowcount", 0):
                    taken.append(attempt_id)
            await session.commit()
        return taken

    async def send_due(self, http: aiohttp.ClientSession) -> None:
        for attempt_id in await self._take_due():
            owed = await self._owed(attempt_id)
            try:
                if owed is None:
                    raise ServiceError("the attempt's course or account is no longer linked")
                result = await self._send(http, owed)
            except ServiceError as exc:
                await self._failed(attempt_id, str(exc))
            else:
                await self._record(attempt_id, "sent", "", result)

    async def _owed(self, attempt_id: int) -> Owed | None:
        async with self.database.session() as session:
            row = (
                await session.execute(
                    select(QuizAttempt, Unit.title, LtiUser.sub, LtiContext, LtiPlatform)
                    .join(Quiz, Quiz.id == QuizAttempt.quiz_id)
                    .join(Unit, Unit.id == Quiz.unit_id)
                    .join(Module, Module.id == Unit.module_id)
                    .join(LtiContext, LtiContext.course_id == Module.course_id)
                    .join(LtiPlatform, LtiPlatform.id == LtiContext.platform_id)
                    .join(
                        LtiUser,
                        and_(
                            LtiUser.user_id == QuizAttempt.user_id,
                            LtiUser.issuer == LtiContext.issuer,
                        ),
                    )
                    .where(QuizAttempt.id == attempt_id)
                )
            ).first()
        return Owed(*row) if row is not None else None

    async def _lineitem(self, http: aiohttp.ClientSession, owed: Owed, access: str) -> str:
        context = owed.context
        if not context.lineitems_url:
            assert context.lineitem_url is not None
            return context.lineitem_url
        quiz_id = owed.attempt.quiz_id
        async with self.database.session() as session:
            known = await session.scalar(
                select(LtiLineItem.url).where(
                    LtiLineItem.context_id == context.id, LtiLineItem.quiz_id == quiz_id
                )
            )
        if known:
            return known
        item = {
            "scoreMaximum": SCORE_MAXIMUM,
            "label": owed.quiz_title,
            "resourceId": f"quiz-{quiz_id}",
            "tag": "qou-quiz",
        }
        headers = {"Authorization": f"Bearer {access}", "Content-Type": LINEITEM_TYPE}
        async with http.post(
            context.lineitems_url, json=item, headers=headers, timeout=TIMEOUT
        ) as response:
            if response.status not in (200, 201):
                raise ServiceError(f"creating the line item answered {response.status}")
            made = await read_json(response)
        url = made.get("id") if isinstance(made, dict) else None
        if not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https"):
            raise ServiceError("the platform's new line item has no URL id")
        async with self.database.session() as session:
            await add_unique(session, LtiLineItem(context_id=context.id, quiz_id=quiz_id, url=url))
            await session.commit()
            stored = await session.scalar(
                select(LtiLineItem.url).where(
                    LtiLineItem.context_id == context.id, LtiLineItem.quiz_id == quiz_id
                )
            )
        return stored or url

    async def _send(self, http: aiohttp.ClientSession, owed: Owed) -> dict[str, Any]:
        scopes = [SCORE_SCOPE] + ([LINEITEM_SCOPE] if owed.context.lineitems_url else [])
        try:
            access = await self.tokens.token(http, owed.platform, scopes)
            lineitem = await self._lineitem(http, owed, access)
            score = score_of(owed)
            headers = {"Authorization": f"Bearer {access}", "Content-Type": SCORE_TYPE}
            async with http.post(
                scores_url(lineitem), json=score, headers=headers, timeout=TIMEOUT
            ) as response:
                if response.status not in (200, 201, 202, 204):
                    raise ServiceError(f"the score service answered {response.status}")
        except aiohttp.ClientError as exc:
            raise ServiceError(f"the gradebook could not be reached ({exc})") from exc
        return {"lineitem": lineitem, "scoreGiven": score["scoreGiven"]}

    async def _record(
        self, attempt_id: int, status: str, detail: str, result: dict[str, Any]
    ) -> None:
        async with self.database.session() as session:
            row = await session.get(LtiScore, attempt_id)
            if row is not None:
                row.status, row.detail, row.result = status, detail[:512], result
                row.updated_at = datetime.now(UTC)
                await session.commit()

    async def _failed(self, attempt_id: int, reason: str) -> None:
        log.warning("LTI score of attempt %s not sent: %s", attempt_id, reason)
        async with self.database.session() as session:
            row = await session.get(LtiScore, attempt_id)
            if row is None:
                return
            row.tries += 1
            row.detail = reason[:512]
            row.updated_at = datetime.now(UTC)
            if row.tries >= MAX_TRIES:
                row.status = "failed"
            else:
                row.next_try_at = datetime.now(UTC) + timedelta(seconds=5 * 2**row.tries)
            await session.commit()
