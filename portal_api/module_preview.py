"""Preview as a student: educators see a module, even a draft, as a learner yet to start it.

The module's units come with the locks a fresh learner gets (``module_progress.fresh_states``,
the same rule as the real view), and answers to a quiz are scored and marked as an attempt
would be; nothing is recorded: no progress, no attempt, and so no grade for an LMS.
"""

from __future__ import annotations

from aiohttp import web
from pydantic import BaseModel

from classroom_server.db import Database
from classroom_server.mastery import Marked, mastered
from classroom_server.module_progress import fresh_states, units_of
from classroom_server.quiz_attempts import score_quiz
from classroom_server.web_auth import require_user
from classroom_server.web_problems import Problem
from portal_api.module_common import load_module, load_quiz, unit_outputs
from portal_api.modules import ModuleDetail, ModuleOut
from portal_api.quizzes import AttemptIn, QuizView, quiz_view
from portal_api.router import ApiRouter, path_id

router = ApiRouter()


class CheckOut(BaseModel):
    """An attempt's verdict without the attempt: nothing here was recorded."""

    score: float
    mastered: bool
    mastery_threshold: float
    results: list[Marked]


@router.route("GET", "/modules/{module_id}/preview", tag="modules", response=ModuleDetail)
async def preview_module(request: web.Request, db: Database) -> ModuleDetail:
    """The module as a student who has not started it sees it (the course's educators only)."""
    user = await require_user(request)
    module_id = path_id(request, "module_id", "module")
    async with db.session() as session:
        loaded = await load_module(session, user, module_id, manage=True)
        units = await units_of(session, module_id)
        return ModuleDetail(
            **ModuleOut.model_validate(loaded.module, from_attributes=True).model_dump(),
            can_manage=False,
            units=await unit_outputs(session, fresh_states(loaded.module, units)),
        )


@router.route("GET", "/quizzes/{quiz_id}/preview", tag="quizzes", response=QuizView)
async def preview_quiz(request: web.Request, db: Database) -> QuizView:
    """The quiz as a student yet to answer it sees it (the course's educators only)."""
    user = await require_user(request)
    async with db.session() as session:
        loaded, unit, quiz = await load_quiz(session, user, request, manage=True)
        return quiz_view(loaded, unit, quiz, None)


@router.route("POST", "/quizzes/{quiz_id}/check", tag="quizzes", body=AttemptIn, response=CheckOut)
async def check_answers(request: web.Request, body: AttemptIn, db: Database) -> CheckOut:
    """Answers scored with feedback as an attempt would be, recording nothing (educators only)."""
    user = await require_user(request)
    async with db.session() as session:
        loaded, _, quiz = await load_quiz(session, user, request, manage=True)
        threshold = loaded.module.mastery_threshold
        try:
            scored = score_quiz(quiz, body.answers)
        except ValueError as exc:
            raise Problem(422, "validation_error", "Invalid request", str(exc)) from exc
    return CheckOut(
        score=scored.score,
        mastered=mastered(scored.score, threshold),
        mastery_threshold=threshold,
        results=scored.results,
    )
