"""Models shared by several API modules."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Annotated, Generic, Literal, Protocol, Self, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from classroom_server.courses import CourseView
from classroom_server.db import User
from classroom_server.users import is_time_zone
from portal_api.router import MAX_ID

Language = Literal["en", "ar"]


def _known_zone(value: str) -> str:
    if not is_time_zone(value):
        raise ValueError("not an IANA time zone name")
    return value


TimeZone = Annotated[
    str, Field(max_length=64, examples=["Asia/Hebron"]), AfterValidator(_known_zone)
]


# An id a client names in a body or query string: the same range as ids in paths (PostgreSQL
# INTEGER), so a larger value is a 422 here instead of an asyncpg overflow (a 500) below.
DbId = Annotated[int, Field(ge=1, le=MAX_ID)]


# Far enough inside datetime's own limits (years 1 and 9999) that adding a slot, a day or a
# time zone offset to an instant a client sent cannot overflow into a 500.
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)


def _instant(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("give a time zone offset, e.g. 2026-12-01T18:00:00+02:00")
    if not EARLIEST <= value <= LATEST:
        raise ValueError(f"give an instant between {EARLIEST.year} and {LATEST.year}")
    return value


Instant = Annotated[datetime, AfterValidator(_instant)]


Email = Annotated[
    str,
    Field(
        max_length=254,
        pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
        description="where notifications go; an empty string removes it",
    ),
]


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    display_name: str
    role: Literal["admin", "educator", "student"]
    preferred_language: Language
    time_zone: str

    @classmethod
    def of(cls, user: User) -> UserOut:
        return cls.model_validate(user)


class AccountOut(UserOut):
    """A user as they (or an admin) see their own account: with what others are not shown."""

    email: str | None


class Page(BaseModel):
    model_config = ConfigDict(extra="forbid")

    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=1_000_000)


ItemT = TypeVar("ItemT")


class Window(Protocol):
    """What a list's query asked for: ``Page`` or any query model with its two fields."""

    @property
    def limit(self) -> int: ...

    @property
    def offset(self) -> int: ...


class ListPage(BaseModel, Generic[ItemT]):
    # One page of a list: its items, how many there are in all, and the window asked for
    # (no docstring: each list's schema keeps its own description).
    items: list[ItemT]
    total: int
    limit: int
    offset: int

    @classmethod
    def of(cls, items: Iterable[ItemT], total: int, page: Window) -> Self:
        return cls(items=list(items), total=total, limit=page.limit, offset=page.offset)


class CourseOut(BaseModel):
    id: int
    code: str
    title: str
    description: str
    language: str
    term: str
    my_role: Literal["educator", "student"] | None
    student_count: int

    @classmethod
    def of(cls, view: CourseView) -> CourseOut:
        c = view.course
        return cls(
            id=c.id,
            code=c.code,
            title=c.title,
            description=c.description,
            language=c.language,
            term=c.term,
            my_role=view.my_role.value if view.my_role else None,
            student_count=view.student_count,
        )


class CourseList(ListPage[CourseOut]):
    pass
