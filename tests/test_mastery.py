"""Scoring, feedback, mastery, locking and struggle: the rules without a server."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from classroom_server.mastery import (
    Answer,
    Question,
    QuestionView,
    locks,
    mastered,
    score,
    struggling,
    video_watched,
)


def single(qid: str = "q", points: float = 1.0) -> Question:
    return Question.model_validate(
        {
            "id": qid,
            "kind": "single",
            "prompt": "Which?",
            "points": points,
            "options": [
                {"id": "a", "text": "A", "correct": True, "feedback": "yes"},
                {"id": "b", "text": "B", "feedback": "no, B is a distractor"},
            ],
            "feedback_incorrect": "see chapter 2",
        }
    )


def numeric(answer: float, tolerance: float) -> Question:
    return Question(id="n", kind="numeric", prompt="?", answer=answer, tolerance=tolerance)


def test_student_view_carries_no_key() -> None:
    view = QuestionView.of(single()).model_dump_json()
    assert "correct" not in view and "feedback" not in view and "distractor" not in view


def test_feedback_only_for_the_chosen_option() -> None:
    result = score([single()], [Answer(question="q", choices=["b"])])
    assert result.score == 0.0
    assert result.results[0].feedback == ["no, B is a distractor", "see chapter 2"]
    result = score([single()], [Answer(question="q", choices=["a"])])
    assert result.score == 1.0 and result.results[0].feedback == ["yes"]


def test_points_weight_the_score_and_missing_answers_score_zero() -> None:
    questions = [single("x", 3), single("y", 1)]
    assert score(questions, [Answer(question="x", choices=["a"])]).score == 0.75
    assert score(questions, [Answer(question="y", choices=["a"])]).score == 0.25
    assert score(questions, []).score == 0.0


def test_single_choice_with_two_choices_is_wrong() -> None:
    assert score([single()], [Answer(question="q", choices=["a", "b"])]).score == 0.0


def test_multiple_choice_needs_exactly_the_correct_set() -> None:
    q = Question.model_validate(
        {
            "id": "m",
            "kind": "multiple",
            "prompt": "Which are prime?",
            "options": [
                {"id": "2", "text": "2", "correct": True},
                {"id": "3", "text": "3", "correct": True},
                {"id": "4", "text": "4"},
            ],
        }
    )
    marks = {
        tuple(c): score([q], [Answer(question="m", choices=c)]).score
        for c in (["2", "3"], ["3", "2"], ["2"], ["2", "3", "4"], [])
    }
    assert marks == {("2", "3"): 1.0, ("3", "2"): 1.0, ("2",): 0, ("2", "3", "4"): 0, (): 0}


@pytest.mark.parametrize(
    ("given", "right"),
    [(9.81, True), (9.86, True), (9.76, True), (9.8601, False), (9.7599, False), (-9.81, False)],
)
def test_numeric_tolerance_is_inclusive(given: float, right: bool) -> None:
    result = score([numeric(9.81, 0.05)], [Answer(question="n", value=given)])
    assert result.results[0].correct is right


def test_numeric_without_tolerance_accepts_the_exact_float() -> None:
    assert score([numeric(0.3, 0)], [Answer(question="n", value=0.1 + 0.2)]).score == 1.0
    assert score([numeric(0.3, 0)], [Answer(question="n", value=0.31)]).score == 0.0


def test_unknown_or_repeated_question_is_an_error() -> None:
    with pytest.raises(ValueError, match="no such question"):
        score([single()], [Answer(question="zz", choices=["a"])])
    with pytest.raises(ValueError, match="at most once"):
        score(
            [single()], [Answer(question="q", choices=["b"]), Answer(question="q", choices=["a"])]
        )


@pytest.mark.parametrize(
    "bad",
    [
        {"kind": "single", "options": [{"id": "a", "text": "A"}, {"id": "b", "text": "B"}]},
        {
            "kind": "single",
            "options": [
                {"id": "a", "text": "A", "correct": True},
                {"id": "b", "text": "B", "correct": True},
            ],
        },
        {"kind": "multiple", "options": [{"id": "a", "text": "A", "correct": True}]},
        {
            "kind": "multiple",
            "options": [
                {"id": "a", "text": "A", "correct": True},
                {"id": "a", "text": "B"},
            ],
        },
        {"kind": "numeric"},
        {"kind": "numeric", "answer": float("nan")},
        {"kind": "numeric", "answer": 1, "tolerance": -1},
    ],
)
def test_inconsistent_questions_are_refused(bad: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        Question.model_validate({"id": "q", "prompt": "?", **bad})


def test_mastery_is_reached_at_the_threshold() -> None:
    assert mastered(0.8, 0.8) and mastered(4 / 5, 0.8) and mastered(1.0, 1.0)
    assert not mastered(0.79, 0.8) and not mastered(None, 0.8)


def test_sequential_locks_follow_the_first_incomplete_unit() -> None:
    assert locks([], True) == []
    assert locks([False, False, False], True) == [False, True, True]
    assert locks([True, False, False], True) == [False, False, True]
    assert locks([True, True, True], True) == [False, False, False]
    # A later unit done out of order does not open the ones after a gap.
    assert locks([False, True, False], True) == [False, True, True]
    assert locks([False, False], False) == [False, False]


def test_video_watched_from_the_saved_position() -> None:
    assert video_watched(90, 100) and video_watched(100, 100)
    assert not video_watched(89.9, 100)
    assert not video_watched(None, 100) and not video_watched(10, None) and not video_watched(1, 0)


def test_struggle_shows_in_first_attempts_or_a_low_mean() -> None:
    assert struggling(0.2, 0.9, 0.8) and struggling(0.9, 0.5, 0.8)
    assert not struggling(0.5, 0.8, 0.8) and not struggling(None, None, 0.8)
