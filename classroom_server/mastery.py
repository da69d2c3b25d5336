"""Mastery learning without a database: quiz questions, scoring, feedback, and unit locking.

The answer key (which options are correct, the numeric answer and its tolerance, the feedback
texts) lives only in ``Question``; ``QuestionView`` is what a student may see before answering,
and ``score`` hands back feedback only for what the student actually chose, so a wrong answer
does not reveal the right one and formative retries still make the student think.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

QuestionKind = Literal["single", "multiple", "numeric"]
Ident = Annotated[str, Field(min_length=1, max_length=16, pattern=r"^[A-Za-z0-9_-]+$")]
# A video counts as watched once the saved player position reaches this share of its length.
WATCHED_SHARE = 0.9


class Option(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: Ident
    text: str = Field(min_length=1, max_length=1000)
    correct: bool = False
    feedback: str = Field("", max_length=2000)


class Question(BaseModel):
    """One question with its answer key; educators write it, students never receive it."""

    model_config = ConfigDict(extra="forbid")

    id: Ident
    kind: QuestionKind
    prompt: str = Field(min_length=1, max_length=4000)
    points: float = Field(1.0, gt=0, le=100, allow_inf_nan=False)
    options: list[Option] = Field(default_factory=list, max_length=20)
    answer: float | None = Field(None, allow_inf_nan=False)
    tolerance: float = Field(0.0, ge=0, le=1e12, allow_inf_nan=False)
    feedback_correct: str = Field("", max_length=2000)
    feedback_incorrect: str = Field("", max_length=2000)

    @model_validator(mode="after")
    def _consistent(self) -> Question:
        if self.kind == "numeric":
            if self.answer is None or self.options:
                raise ValueError("a numeric question has an answer and no options")
            return self
        ids = [o.id for o in self.options]
        if len(ids) < 2 or len(set(ids)) != len(ids):
            raise ValueError("a choice question needs at least two options with distinct ids")
        right = sum(o.correct for o in self.options)
        if right == 0 or (self.kind == "single" and right != 1):
            raise ValueError(
                "single choice needs exactly one correct option, multiple at least one"
            )
        return self


class OptionView(BaseModel):
    id: str
    text: str


class QuestionView(BaseModel):
    """A question as a student sees it before answering: no key, no feedback."""

    id: str
    kind: QuestionKind
    prompt: str
    points: float
    options: list[OptionView]

    @classmethod
    def of(cls, q: Question) -> QuestionView:
        options = [OptionView(id=o.id, text=o.text) for o in q.options]
        return cls(id=q.id, kind=q.kind, prompt=q.prompt, points=q.points, options=options)


class Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: Ident
    choices: list[Ident] = Field(default_factory=list, max_length=20)
    value: float | None = Field(None, allow_inf_nan=False)


class Marked(BaseModel):
    """The verdict on one answer: correct or not, and the feedback for what was chosen."""

    question: str
    correct: bool
    points: float
    feedback: list[str]


class Scored(BaseModel):
    score: float
    results: list[Marked]


def validate_questions(questions: Sequence[Question]) -> None:
    ids = [q.id for q in questions]
    if len(set(ids)) != len(ids):
        raise ValueError("question ids must be distinct")


def _mark(q: Question, answer: Answer | None) -> Marked:
    if q.kind == "numeric":
        value = answer.value if answer else None
        assert q.answer is not None
        right = value is not None and math.isclose(
            value, q.answer, rel_tol=0.0, abs_tol=q.tolerance + 1e-9 * max(1.0, abs(q.answer))
        )
        text = q.feedback_correct if right else q.feedback_incorrect
        return Marked(
            question=q.id,
            correct=right,
            points=q.points if right else 0.0,
            feedback=[text] if text else [],
        )
    chosen = set(answer.choices) if answer else set()
    key = {o.id for o in q.options if o.correct}
    right = chosen == key if q.kind == "multiple" else len(chosen) == 1 and chosen == key
    feedback = [o.feedback for o in q.options if o.id in chosen and o.feedback]
    extra = q.feedback_correct if right else q.feedback_incorrect
    return Marked(
        question=q.id,
        correct=right,
        points=q.points if right else 0.0,
        feedback=[*feedback, extra] if extra else feedback,
    )


def score(questions: Sequence[Question], answers: Sequence[Answer]) -> Scored:
    """All-or-nothing per question, weighted by points; unanswered questions score zero.

    A multiple-choice question is right only when exactly the correct options are chosen:
    partial credit would let ticking every box earn marks.
    """
    given = {a.question: a for a in answers}
    if len(given) != len(answers):
        raise ValueError("answer each question at most once")
    unknown = set(given) - {q.id for q in questions}
    if unknown:
        raise ValueError(f"no such question: {', '.join(sorted(unknown))}")
    results = [_mark(q, given.get(q.id)) for q in questions]
    total = sum(q.points for q in questions)
    earned = sum(r.points for r in results)
    return Scored(score=round(earned / total, 6) if total else 0.0, results=results)


def mastered(score_value: float | None, threshold: float) -> bool:
    return score_value is not None and score_value + 1e-9 >= threshold


def video_watched(position: float | None, duration: float | None) -> bool:
    if position is None or not duration or duration <= 0:
        return False
    return position >= WATCHED_SHARE * duration


def locks(completed: Sequence[bool], sequential: bool) -> list[bool]:
    """A sequential module opens a unit only when every unit before it is completed."""
    if not sequential:
        return [False] * len(completed)
    result, open_so_far = [], True
    for done in completed:
        result.append(not open_so_far)
        open_so_far = open_so_far and done
    return result


def struggling(
    first_attempt_mastery: float | None, mean_best: float | None, threshold: float
) -> bool:
    """Students struggle with a quiz when most fail it first time or the class mean stays low."""
    if first_attempt_mastery is None:
        return False
    return first_attempt_mastery < 0.5 or (mean_best is not None and mean_best < threshold)
