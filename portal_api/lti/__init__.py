"""LTI 1.3 (Core launch, Deep Linking, Names and Role Provisioning, Assignment and Grade
Services): an LMS registered by an admin launches its instructors and students into their
course, lectures and videos, and gets the quizzes' scores back. See docs/lms.md."""

from __future__ import annotations

from aiohttp import web

from classroom_server.services import Services
from portal_api.lti.grades import Grades
from portal_api.lti.routes import setup_routes
from portal_api.lti.tool import Lti

__all__ = ["Lti", "setup"]


def setup(app: web.Application, svc: Services) -> Lti:
    """Adds the tool's routes and its grade passback loop (call it before the web client's
    page routes); the answer is what the REST handlers ask for (roster sync)."""
    lti = Lti(
        database=svc.database,
        tokens=svc.tokens,
        session_lifetime=svc.session_lifetime,
        secure_cookies=svc.settings.secure_cookies,
    )
    setup_routes(app, lti)
    grades = Grades(svc.database, lti.services)

    async def start(_app: web.Application) -> None:
        grades.start()

    async def stop(_app: web.Application) -> None:
        await grades.stop()
        await lti.close()

    app.on_startup.append(start)
    app.on_shutdown.append(stop)
    return lti
