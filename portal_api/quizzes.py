"""Quizzes: the question view a learner gets, the answer key for educators, scored attempts.

``GET /quizzes/{id}`` never carries the key, for anyone; educators read it from ``/key``. An
attempt is scored here on the server and answered with feedback for the chosen answers only.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom_server.db import Quiz, QuizAttempt, Unit, User, add_unique
from classroom_server.db.paging import paginate
from classroom_server.mastery import (
    Answer,
    Marked,
    Question,
    QuestionView,
    mastered,
    score,
    validate_questions,
)
from classroom_server.module_progress import (
    complete,
    next_attempt_number,
    progress_row,
    unit_states,
    units_of,
)
from classroom_server.services import services
from classroom_server.web_auth import require_user
from classroom_server.web_problems import Problem, not_found
from portal_api.module_common import Loaded, load_module, locked_problem
from portal_api.router import ApiRouter, path_id
from portal_api.schemas import ListPage, Page

router = ApiRouter()


class QuizIn(BaseModel):
    """Formative by default (unlimited attempts); a summative quiz names its attempt limit."""

    model_config = ConfigDict(extra="forbid")

    summative: bool = False
    max_attempts: int | None = Field(None, ge=1, le=100)
    questions: list[Question] = Field(min_length=1, max_length=50)

    @model_validator(mode="after")
    def _consistent(self) -> QuizIn:
        validate_questions(self.questions)
        if self.summative != (self.max_attempts is not None):
            raise ValueError("a summative quiz has max_attempts; a formative one has none")
        return self

    def stored(self) -> dict[str, Any]:
        return {
            "summative": self.summative,
            "max_attempts": self.max_attempts,
            "questions": [q.model_dump(mode="json") for q in self.questions],
        }


class QuizView(BaseModel):
    """What a learner sees: the questions without answers or feedback, and their own record."""

    id: int
    unit_id: int
    module_id: int
    title: str
    summative: bool
    max_attempts: int | None
    attempts_used: int
    attempts_left: int | None
    best_score: float | None
    last_score: float | None
    mastery_threshold: float
    questions: list[QuestionView]


class QuizKey(BaseModel):
    id: int
    unit_id: int
    summative: bool
    max_attempts: int | None
    questions: list[Question]


class AttemptIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    answers: list[Answer] = Field(max_length=50)


class AttemptOut(BaseModel):
    id: int
    number: int
    score: float
    mastered: bool
    mastery_threshold: float
    unit_completed: bool
    best_score: float | None
    attempts_left: int | None
    results: list[Marked]


class AttemptSummary(BaseModel):
    number: int
    score: float
    mastered: bool
    created_at: datetime


class AttemptList(ListPage[AttemptSummary]):
    pass


async def _quiz(
    session: AsyncSession, user: User, request: web.Request, manage: bool = False
) -> tuple[Loaded, Unit, Quiz]:
    """The quiz with its unit; a learner reaching a locked unit is refused with ``locked``."""
    quiz_id = path_id(request, "quiz_id", "quiz")
    quiz = await session.get(Quiz, quiz_id)
    unit = await session.get(Unit, quiz.unit_id) if quiz else None
    if quiz is None or unit is None:
        raise not_found(f"quiz {quiz_id}")
    loaded = await load_module(session, user, unit.module_id, manage)
    if loaded.access == "learn":
        units = await units_of(session, unit.module_id)
        states = await unit_states(session, loaded.module, units, user.id, loaded.access)
        if next(s for s in states if s.unit.id == unit.id).locked:
            raise locked_problem(unit)
    return loaded, unit, quiz


def _left(quiz: Quiz, used: int) -> int | None:
    return None if quiz.max_attempts is None else max(0, quiz.max_attempts - used)


@router.route("GET", "/quizzes/{quiz_id}", tag="quizzes", response=QuizView, errors=(409,))
async def get_quiz(request: web.Request) -> QuizView:
    """The questions to answer (never the correct answers) and your attempts so far."""
    user = await require_user(request)
    async with services(request).database.session() as session:
        loaded, unit, quiz = await _quiz(session, user, request)
        row = await progress_row(session, unit.id, user.id)
        await session.commit()
        return QuizView(
            id=quiz.id,
            unit_id=unit.id,
            module_id=unit.module_id,
            title=unit.title,
            summative=quiz.summative,
            max_attempts=quiz.max_attempts,
            attempts_used=row.attempts,
            attempts_left=_left(quiz, row.attempts),
            best_score=row.best_score,
            last_score=row.last_score,
            mastery_threshold=loaded.module.mastery_threshold,
            questions=[QuestionView.of(Question.model_validate(q)) for q in quiz.questions],
        )


@router.route("GET", "/quizzes/{quiz_id}/key", tag="quizzes", response=QuizKey)
async def get_quiz_key(request: web.Request) -> QuizKey:
    """The questions with answers and feedback (the course's educators only)."""
    user = await require_user(request)
    async with services(request).database.session() as session:
        _, unit, quiz = await _quiz(session, user, request, manage=True)
    return QuizKey(
        id=quiz.id,
        unit_id=unit.id,
        summative=quiz.summative,
        max_attempts=quiz.max_attempts,
        questions=[Question.model_validate(q) for q in quiz.questions],
    )


@router.route("PUT", "/quizzes/{quiz_id}", tag="quizzes", body=QuizIn, response=QuizKey)
async def put_quiz(request: web.Request, body: QuizIn) -> QuizKey:
    """Replace a quiz's questions and settings; scores of earlier attempts stay as they were."""
    user = await require_user(request)
    async with services(request).database.session() as session:
        _, unit, quiz = await _quiz(session, user, request, manage=True)
        for name, value in body.stored().items():
            setattr(quiz, name, value)
        await session.commit()
    return QuizKey(id=quiz.id, unit_id=unit.id, **body.model_dump())


@router.route(
    "POST",
    "/quizzes/{quiz_id}/attempts",
    tag="quizzes",
    body=AttemptIn,
    response=AttemptOut,
    status=201,
    errors=(409,),
)
async def post_attempt(request: web.Request, body: AttemptIn) -> AttemptOut:
    """Answer the quiz: scored on the server, with feedback for each of your answers."""
    user = await require_user(request)
    async with services(request).database.session() as session:
        loaded, unit, quiz = await _quiz(session, user, request)
        threshold = loaded.module.mastery_threshold
        try:
            scored = score([Question.model_validate(q) for q in quiz.questions], body.answers)
        except ValueError as exc:
            raise Problem(422, "validation_error", "Invalid request", str(exc)) from exc
        for _ in range(5):  # the unique (quiz, user, number) decides between racing attempts
            number = await next_attempt_number(session, quiz.id, user.id)
            if quiz.max_attempts is not None and number > quiz.max_attempts:
                raise Problem(
                    409,
                    "attempts_exhausted",
                    "No attempts left",
                    f"this summative quiz allows {quiz.max_attempts} attempts",
                )
            attempt = QuizAttempt(
                quiz_id=quiz.id,
                user_id=user.id,
                number=number,
                answers=[a.model_dump(mode="json") for a in body.answers],
                score=scored.score,
            )
            if await add_unique(session, attempt):
                break
        else:
            raise Problem(409, "conflict", "Conflict", "too many simultaneous attempts; retry")
        row = await progress_row(session, unit.id, user.id)
        row.attempts = max(row.attempts, number)
        if number == 1:
            row.first_score = scored.score
        row.best_score = max(row.best_score or 0.0, scored.score)
        row.last_score = scored.score
        is_mastered = mastered(scored.score, threshold)
        if is_mastered or (quiz.max_attempts is not None and number >= quiz.max_attempts):
            complete(row)
        await session.commit()
        return AttemptOut(
            id=attempt.id,
            number=number,
            score=scored.score,
            mastered=is_mastered,
            mastery_threshold=threshold,
            unit_completed=row.state == "completed",
            best_score=row.best_score,
            attempts_left=_left(quiz, number),
            results=scored.results,
        )


@router.route(
    "GET",
    "/quizzes/{quiz_id}/attempts",
    tag="quizzes",
    query=Page,
    response=AttemptList,
    errors=(409,),
)
async def list_attempts(request: web.Request, query: Page) -> AttemptList:
    """Your own attempts at a quiz, newest first."""
    user = await require_user(request)
    async with services(request).database.session() as session:
        loaded, _, quiz = await _quiz(session, user, request)
        where = select(QuizAttempt).where(
            QuizAttempt.quiz_id == quiz.id, QuizAttempt.user_id == user.id
        )
        rows, total = await paginate(
            session, where.order_by(QuizAttempt.number.desc()), query.limit, query.offset
        )
        threshold = loaded.module.mastery_threshold
        items = [
            AttemptSummary(
                number=a.number,
                score=a.score,
                mastered=mastered(a.score, threshold),
                created_at=a.created_at,
            )
            for a in rows
        ]
    return AttemptList.of(items, total, query)
