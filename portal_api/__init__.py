"""REST API under ``/api/v1`` and its OpenAPI document."""

from __future__ import annotations

from aiohttp import web

from portal_api import (
    attendance,
    auth,
    breakouts,
    calendar,
    chapters,
    courses,
    deck_library,
    decks,
    drop_in,
    enrolment_csv,
    guest_links,
    lecture_records,
    lectures,
    me,
    module_preview,
    modules,
    office_hours,
    open_courses,
    orders,
    progress,
    quizzes,
    resources,
    subtitles,
    users,
    videos,
)
from portal_api.lti import rest as lti_rest
from portal_api.openapi import build_document
from portal_api.router import PREFIX, ApiRouter, Provide

__all__ = ["api_router", "setup"]


def api_router() -> ApiRouter:
    router = ApiRouter()
    for module in (
        auth,
        me,
        calendar,
        courses,
        lectures,
        guest_links,
        lecture_records,
        attendance,
        breakouts,
        decks,
        deck_library,
        videos,
        subtitles,
        chapters,
        office_hours,
        drop_in,
        enrolment_csv,
        resources,
        modules,
        orders,
        module_preview,
        quizzes,
        progress,
        open_courses,
        users,
        lti_rest,
    ):
        router.include(module.router)
    return router


def setup(app: web.Application, version: str, provide: Provide) -> None:
    """The API's routes, their handlers handed what they ask of ``provide``, and /openapi.json."""
    router = api_router()
    router.setup(app, provide)
    document = build_document(router, version)

    async def openapi(_request: web.Request) -> web.Response:
        return web.json_response(document)

    app.router.add_get(PREFIX + "/openapi.json", openapi)
