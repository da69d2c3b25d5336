"""Quizzes in the database: finding one with its unit, replacing it, and scored attempts.

The scoring and mastery rules are ``classroom_server.mastery``'s; this module records what they
decide (the attempt, the student's progress row) and enforces a summative quiz's limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom_server.db import Quiz, QuizAttempt, Unit, UnitProgress, add_unique
from classroom_server.db.paging import paginate
from classroom_server.mastery import Answer, Question, Scored, mastered, score
from classroom_server.module_progress import complete, next_attempt_number, progress_row

RACE_RETRIES = 5


class AttemptsExhausted(Exception):
    """The quiz allows ``max_attempts`` attempts and they are spent: another would change a
    result already given."""


class AttemptRace(Exception):
    """Too many simultaneous attempts kept taking the same number."""


@dataclass(frozen=True)
class Recorded:
    attempt: QuizAttempt
    scored: Scored
    mastered: bool
    progress: UnitProgress


async def quiz_with_unit(session: AsyncSession, quiz_id: int) -> tuple[Quiz, Unit] | None:
    quiz = await session.get(Quiz, quiz_id)
    unit = await session.get(Unit, quiz.unit_id) if quiz else None
    return (quiz, unit) if quiz is not None and unit is not None else None


def replace_quiz(quiz: Quiz, stored: dict[str, Any]) -> None:
    """New questions and settings; scores of earlier attempts stay as they were."""
    for name, value in stored.items():
        setattr(quiz, name, value)


def score_quiz(quiz: Quiz, answers: list[Answer]) -> Scored:
    """``answers`` scored against the quiz's stored key (ValueError if they do not fit its
    questions); an attempt records this, the educators' preview check only shows it."""
    return score([Question.model_validate(q) for q in quiz.questions], answers)


async def record_attempt(
    session: AsyncSession,
    quiz: Quiz,
    unit: Unit,
    user_id: int,
    answers: list[Answer],
    threshold: float,
) -> Recorded:
    """Scores ``answers`` (ValueError if they do not fit the questions), records the attempt
    under the next number (the unique (quiz, user, number) decides between racing attempts)
    and updates the student's progress: mastered, or out of attempts, completes the unit."""
    scored = score_quiz(quiz, answers)
    for _ in range(RACE_RETRIES):
        number = await next_attempt_number(session, quiz.id, user_id)
        if quiz.max_attempts is not None and number > quiz.max_attempts:
            raise AttemptsExhausted(f"this summative quiz allows {quiz.max_attempts} attempts")
        attempt = QuizAttempt(
            quiz_id=quiz.id,
            user_id=user_id,
            number=number,
            answers=[a.model_dump(mode="json") for a in answers],
            score=scored.score,
        )
        if await add_unique(session, attempt):
            break
    else:
        raise AttemptRace("too many simultaneous attempts; retry")
    row = await progress_row(session, unit.id, user_id)
    row.attempts = max(row.attempts, number)
    if number == 1:
        row.first_score = scored.score
    row.best_score = max(row.best_score or 0.0, scored.score)
    row.last_score = scored.score
    is_mastered = mastered(scored.score, threshold)
    if is_mastered or (quiz.max_attempts is not None and number >= quiz.max_attempts):
        complete(row)
    return Recorded(attempt, scored, is_mastered, row)


async def attempts_of(
    session: AsyncSession, quiz_id: int, user_id: int, limit: int, offset: int
) -> tuple[list[QuizAttempt], int]:
    """A page of the student's own attempts, newest first."""
    query = select(QuizAttempt).where(
        QuizAttempt.quiz_id == quiz_id, QuizAttempt.user_id == user_id
    )
    return await paginate(session, query.order_by(QuizAttempt.number.desc()), limit, offset)
