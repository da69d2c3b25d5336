"""Builds courses, modules and quizzes over the real REST API for the module and quiz tests.

Each test makes a course of its own (student1 and student2 enrolled, student3 not), so figures
such as the class view do not depend on what other tests did on the shared server.
"""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass
from typing import Any

import aiohttp

from tests.conftest import ADMIN, PASSWORD, Server, bearer

API = "/api/v1"


@dataclass
class Course:
    id: int
    educator: dict[str, str]
    students: list[dict[str, str]]


async def call(
    http: aiohttp.ClientSession,
    server: Server,
    method: str,
    path: str,
    headers: dict[str, str] | None = None,
    json: Any = None,
    expect: int | None = None,
) -> tuple[int, Any]:
    async with http.request(
        method, server.url(API + path), headers=headers or {}, json=json
    ) as response:
        text = await response.text()
        body = await response.json(content_type=None) if text else None
        if expect is not None:
            assert response.status == expect, f"{method} {path}: {response.status} {text}"
        return response.status, body


async def new_course(http: aiohttp.ClientSession, server: Server) -> Course:
    educator = await bearer(http, server, "educator")
    code = f"M{secrets.token_hex(4)}"
    _, course = await call(
        http, server, "POST", "/courses", educator, {"code": code, "title": "Physics"}, 201
    )
    for name in ("student1", "student2"):
        await call(
            http,
            server,
            "POST",
            f"/courses/{course['id']}/enrolments",
            educator,
            {"username": name},
            201,
        )
    students = [await bearer(http, server, n) for n in ("student1", "student2")]
    return Course(course["id"], educator, students)


async def other_educator(http: aiohttp.ClientSession, server: Server) -> dict[str, str]:
    """An educator of a different course."""
    admin = await bearer(http, server, *ADMIN)
    name = f"edu_{secrets.token_hex(4)}"
    body = {"username": name, "password": PASSWORD, "role": "educator"}
    await call(http, server, "POST", "/users", admin, body, 201)
    headers = await bearer(http, server, name)
    code = f"O{secrets.token_hex(4)}"
    await call(http, server, "POST", "/courses", headers, {"code": code, "title": "Other"}, 201)
    return headers


async def new_module(
    http: aiohttp.ClientSession, server: Server, course: Course, **fields: Any
) -> dict[str, Any]:
    body = {"title": "Kinematics", "published": True, **fields}
    _, module = await call(
        http, server, "POST", f"/courses/{course.id}/modules", course.educator, body, 201
    )
    assert isinstance(module, dict)
    return module


async def add_unit(
    http: aiohttp.ClientSession, server: Server, course: Course, module_id: int, **body: Any
) -> dict[str, Any]:
    _, unit = await call(
        http, server, "POST", f"/modules/{module_id}/units", course.educator, body, 201
    )
    assert isinstance(unit, dict)
    return unit


async def add_reading(http: aiohttp.ClientSession, server: Server, course: Course) -> int:
    body = {
        "title": "Motion in one dimension",
        "kind": "book",
        "url": "https://repository.example/handle/123",
        "licence": "CC BY 4.0",
    }
    _, resource = await call(
        http, server, "POST", f"/courses/{course.id}/resources", course.educator, body, 201
    )
    return int(resource["id"])


def choice(qid: str, right: str, kind: str = "single", wrong: str = "w") -> dict[str, Any]:
    """A choice question whose option ``right`` is correct, with a feedback text per option."""
    options = [
        {"id": right, "text": f"right {qid}", "correct": True, "feedback": f"FB-RIGHT-{qid}"},
        {"id": wrong, "text": f"wrong {qid}", "feedback": f"FB-WRONG-{qid}"},
    ]
    return {"id": qid, "kind": kind, "prompt": f"Question {qid}?", "options": options}


def numeric(qid: str, answer: float, tolerance: float) -> dict[str, Any]:
    return {
        "id": qid,
        "kind": "numeric",
        "prompt": "g in m/s^2?",
        "answer": answer,
        "tolerance": tolerance,
        "feedback_correct": "FB-NUM-OK",
        "feedback_incorrect": "FB-NUM-NO",
    }


def five_questions() -> list[dict[str, Any]]:
    return [choice(f"q{i}", "a") for i in range(1, 6)]


def answers(right: int, total: int = 5) -> list[dict[str, Any]]:
    """Answers to ``five_questions`` with the first ``right`` of them correct."""
    return [
        {"question": f"q{i}", "choices": ["a" if i <= right else "w"]} for i in range(1, total + 1)
    ]


async def ready_video(
    http: aiohttp.ClientSession, server: Server, course: Course, clip: bytes
) -> dict[str, Any]:
    """Uploads ``clip`` to the course and waits until ffmpeg has made it playable."""
    form = aiohttp.FormData()
    form.add_field("course_id", str(course.id))
    form.add_field("title", "Falling bodies")
    form.add_field("file", clip, filename="clip.mp4", content_type="video/mp4")
    async with http.post(server.url(API + "/videos"), data=form, headers=course.educator) as r:
        assert r.status == 202, await r.text()
        video: dict[str, Any] = await r.json()
    for _ in range(600):
        _, video = await call(http, server, "GET", f"/videos/{video['id']}", course.educator)
        if video["status"] != "processing":
            break
        await asyncio.sleep(0.1)
    assert video["status"] == "ready", video
    return video
