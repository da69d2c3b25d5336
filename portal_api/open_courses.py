"""Open courses: published modules the university opens to everyone, without login, with a licence.

Only what an open educational resource needs is shown: the module, its units and readings, and
how many questions each quiz has; quizzes themselves stay with enrolled students.
"""

from __future__ import annotations

from aiohttp import web
from pydantic import BaseModel

from classroom_server.db import Course, Database, Module
from classroom_server.open_courses import open_course, open_courses
from classroom_server.web_problems import not_found
from portal_api.module_common import ReadingOut, UnitKind
from portal_api.router import ApiRouter, path_id
from portal_api.schemas import ListPage, Page

router = ApiRouter()


class OpenCourseOut(BaseModel):
    id: int
    title: str
    description: str
    licence: str
    course_code: str
    course_title: str
    language: str


class OpenCourseList(ListPage[OpenCourseOut]):
    pass


class OpenUnitOut(BaseModel):
    id: int
    position: int
    kind: UnitKind
    title: str
    video_id: int | None
    reading: ReadingOut | None
    question_count: int | None


class OpenCourseDetail(OpenCourseOut):
    units: list[OpenUnitOut]


def _out(module: Module, course: Course) -> OpenCourseOut:
    return OpenCourseOut(
        id=module.id,
        title=module.title,
        description=module.description,
        licence=module.licence,
        course_code=course.code,
        course_title=course.title,
        language=course.language,
    )


@router.route(
    "GET", "/open-courses", tag="open courses", query=Page, response=OpenCourseList, auth=False
)
async def list_open_courses(request: web.Request, query: Page, db: Database) -> OpenCourseList:
    """Modules published as open courses, for anyone."""
    async with db.session() as session:
        rows, total = await open_courses(session, query.limit, query.offset)
    return OpenCourseList.of((_out(m, c) for m, c in rows), total, query)


@router.route(
    "GET", "/open-courses/{module_id}", tag="open courses", response=OpenCourseDetail, auth=False
)
async def get_open_course(request: web.Request, db: Database) -> OpenCourseDetail:
    """One open course with its units and readings, and the licence it is published under."""
    module_id = path_id(request, "module_id", "open course")
    async with db.session() as session:
        found = await open_course(session, module_id)
    if found is None:
        raise not_found(f"open course {module_id}")
    out: list[OpenUnitOut] = []
    for u in found.units:
        reading = found.readings.get(u.resource_id or 0)
        quiz = found.quizzes.get(u.id)
        out.append(
            OpenUnitOut(
                id=u.id,
                position=u.position,
                kind=u.kind,
                title=u.title,
                video_id=u.video_id,
                reading=ReadingOut.model_validate(reading, from_attributes=True)
                if reading
                else None,
                question_count=len(quiz.questions) if quiz else None,
            )
        )
    return OpenCourseDetail(**_out(found.module, found.course).model_dump(), units=out)
