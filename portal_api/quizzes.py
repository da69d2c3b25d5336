"""Quizzes: the question view a learner gets, the answer key for educators, scored attempts.

``GET /quizzes/{id}`` never carries the key, for anyone; educators read it from ``/key``. An
attempt is scored here on the server and answered with feedback for the chosen answers only.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, model_validator

from classroom_server.db import Database, Quiz, Unit, UnitProgress
from classroom_server.mastery import (
    Answer,
    Marked,
    Question,
    QuestionView,
    mastered,
    validate_questions,
)
from classroom_server.module_progress import find_progress, progress_row
from classroom_server.quiz_attempts import (
    AttemptRace,
    AttemptsExhausted,
    attempts_of,
    record_attempt,
    replace_quiz,
)
from classroom_server.web_auth import require_user
from classroom_server.web_problems import Problem
from portal_api.module_common import Loaded, load_quiz
from portal_api.router import ApiRouter
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


def quiz_view(loaded: Loaded, unit: Unit, quiz: Quiz, row: UnitProgress | None) -> QuizView:
    """The learner's view of a quiz with their progress row (None: a learner yet to start)."""
    used = row.attempts if row else 0
    return QuizView(
        id=quiz.id,
        unit_id=unit.id,
        module_id=unit.module_id,
        title=unit.title,
        summative=quiz.summative,
        max_attempts=quiz.max_attempts,
        attempts_used=used,
        attempts_left=_left(quiz, used),
        best_score=row.best_score if row else None,
        last_score=row.last_score if row else None,
        mastery_threshold=loaded.module.mastery_threshold,
        questions=[QuestionView.of(Question.model_validate(q)) for q in quiz.questions],
    )


def _left(quiz: Quiz, used: int) -> int | None:
    return None if quiz.max_attempts is None else max(0, quiz.max_attempts - used)


@router.route("GET", "/quizzes/{quiz_id}", tag="quizzes", response=QuizView, errors=(409,))
async def get_quiz(request: web.Request, db: Database) -> QuizView:
    """The questions to answer (never the correct answers) and your attempts so far."""
    user = await require_user(request)
    async with db.session() as session:
        loaded, unit, quiz = await load_quiz(session, user, request)
        row: UnitProgress | None
        if loaded.access == "learn":  # a learner opening the quiz starts the unit
            row = await progress_row(session, unit.id, user.id)
            await session.commit()
        else:  # an educator looking at it leaves no trace in the module's progress
            row = await find_progress(session, unit.id, user.id)
        return quiz_view(loaded, unit, quiz, row)


@router.route("GET", "/quizzes/{quiz_id}/key", tag="quizzes", response=QuizKey)
async def get_quiz_key(request: web.Request, db: Database) -> QuizKey:
    """The questions with answers and feedback (the course's educators only)."""
    user = await require_user(request)
    async with db.session() as session:
        _, unit, quiz = await load_quiz(session, user, request, manage=True)
    return QuizKey(
        id=quiz.id,
        unit_id=unit.id,
        summative=quiz.summative,
        max_attempts=quiz.max_attempts,
        questions=[Question.model_validate(q) for q in quiz.questions],
    )


@router.route("PUT", "/quizzes/{quiz_id}", tag="quizzes", body=QuizIn, response=QuizKey)
async def put_quiz(request: web.Request, body: QuizIn, db: Database) -> QuizKey:
    """Replace a quiz's questions and settings; scores of earlier attempts stay as they were."""
    user = await require_user(request)
    async with db.session() as session:
        _, unit, quiz = await load_quiz(session, user, request, manage=True)
        replace_quiz(quiz, body.stored())
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
async def post_attempt(request: web.Request, body: AttemptIn, db: Database) -> AttemptOut:
    """Answer the quiz: scored on the server, with feedback for each of your answers."""
    user = await require_user(request)
    async with db.session() as session:
        loaded, unit, quiz = await load_quiz(session, user, request)
        threshold = loaded.module.mastery_threshold
        try:
            recorded = await record_attempt(session, quiz, unit, user.id, body.answers, threshold)
        except ValueError as exc:
            raise Problem(422, "validation_error", "Invalid request", str(exc)) from exc
        except AttemptsExhausted as exc:
            raise Problem(409, "attempts_exhausted", "No attempts left", str(exc)) from exc
        except AttemptRace as exc:
            raise Problem(409, "conflict", "Conflict", str(exc)) from exc
        await session.commit()
        number, row = recorded.attempt.number, recorded.progress
        return AttemptOut(
            id=recorded.attempt.id,
            number=number,
            score=recorded.scored.score,
            mastered=recorded.mastered,
            mastery_threshold=threshold,
            unit_completed=row.state == "completed",
            best_score=row.best_score,
            attempts_left=_left(quiz, number),
            results=recorded.scored.results,
        )


@router.route(
    "GET",
    "/quizzes/{quiz_id}/attempts",
    tag="quizzes",
    query=Page,
    response=AttemptList,
    errors=(409,),
)
async def list_attempts(request: web.Request, query: Page, db: Database) -> AttemptList:
    """Your own attempts at a quiz, newest first."""
    user = await require_user(request)
    async with db.session() as session:
        loaded, _, quiz = await load_quiz(session, user, request)
        rows, total = await attempts_of(session, quiz.id, user.id, query.limit, query.offset)
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
