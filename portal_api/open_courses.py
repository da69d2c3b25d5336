"""Open courses: published modules the university opens to everyone, without login, with a licence.

Only what an open educational resource needs is shown: the module, its units and readings, and
how many questions each quiz has; quizzes themselves stay with enrolled students.
"""

from __future__ import annotations

from aiohttp import web
from pydantic import BaseModel
from sqlalchemy import select

from classroom_server.db import Course, Module, Quiz, Resource
from classroom_server.db.paging import paginate_rows
from classroom_server.module_progress import units_of
from classroom_server.services import services
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
async def list_open_courses(request: web.Request, query: Page) -> OpenCourseList:
    """Modules published as open courses, for anyone."""
    base = (
        select(Module, Course)
        .join(Course, Course.id == Module.course_id)
        .where(Module.published.is_(True), Module.open_course.is_(True))
    )
    async with services(request).database.session() as session:
        rows, total = await paginate_rows(
            session,
            base.order_by(Course.code, Module.position, Module.id),
            query.limit,
            query.offset,
        )
        items = [_out(m, c) for m, c in rows]
    return OpenCourseList.of(items, total, query)


@router.route(
    "GET", "/open-courses/{module_id}", tag="open courses", response=OpenCourseDetail, auth=False
)
async def get_open_course(request: web.Request) -> OpenCourseDetail:
    """One open course with its units and readings, and the licence it is published under."""
    module_id = path_id(request, "module_id", "open course")
    async with services(request).database.session() as session:
        module = await session.get(Module, module_id)
        if module is None or not (module.published and module.open_course):
            raise not_found(f"open course {module_id}")
        course = await session.get(Course, module.course_id)
        assert course is not None
        units = await units_of(session, module_id)
        ids = [u.resource_id for u in units if u.resource_id]
        readings = {
            r.id: r
            for r in (
                await session.scalars(select(Resource).where(Resource.id.in_(ids))) if ids else []
            )
        }
        quizzes = {
            q.unit_id: q
            for q in await session.scalars(
                select(Quiz).where(Quiz.unit_id.in_([u.id for u in units]))
            )
        }
    out: list[OpenUnitOut] = []
    for u in units:
        reading = readings.get(u.resource_id or 0)
        quiz = quizzes.get(u.id)
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
    return OpenCourseDetail(**_out(module, course).model_dump(), units=out)
