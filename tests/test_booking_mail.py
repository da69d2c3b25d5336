"""The mail a booking's two parties get: made, moved, cancelled; each in the recipient's
language and clock, with an invitation their calendar app reads (RFC 5546)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import pytest
from icalendar import Calendar
from sqlalchemy import select, update

from classroom_server import office_hours
from classroom_server.bookings import book, cancel, reschedule
from classroom_server.db import OutboxMail, User
from classroom_server.site import Site
from tests.conftest import DATABASES, Server, bearer, start_server
from tests.mailbox import Mailbox, calendar_of, running_mailbox
from tests.office_hours_domain import OfficeWorld, office_world
from tests.test_bookings import NOW, at, hours
from tests.test_portal_api_office_hours import educator_id, publish, slots

SITE = Site("https://classroom.qou.test", public=True, mail=True)


@pytest.fixture(params=DATABASES)
async def world(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[OfficeWorld]:
    async with office_world(request.param, tmp_path) as made:
        async with made.database.session() as session:
            await office_hours.publish(session, hours(made))
            await session.execute(
                update(User)
                .where(User.id == made.students[0].id)
                .values(email="amal@example.org", preferred_language="ar", time_zone="Asia/Dubai")
            )
            await session.execute(
                update(User).where(User.id == made.educator.id).values(email="edu@example.org")
            )
            await session.commit()
        yield made


async def outbox(world: OfficeWorld) -> list[OutboxMail]:
    async with world.database.session() as session:
        return list(await session.scalars(select(OutboxMail).order_by(OutboxMail.id)))


def event_of(mail: OutboxMail) -> tuple[str, dict[str, str]]:
    assert mail.calendar is not None
    calendar = Calendar.from_ical(mail.calendar)
    [event] = calendar.walk("VEVENT")
    fields = {name: str(event.get(name)) for name in ("uid", "summary", "url", "status")}
    fields["dtstart"] = event.decoded("dtstart").isoformat()
    return str(calendar.get("method")), fields


async def test_both_parties_hear_of_a_booking_in_their_language(world: OfficeWorld) -> None:
    async with world.database.session() as session:
        made = await book(session, world.students[0], hours(world), at(10), NOW, SITE)
    to_student, to_educator = await outbox(world)
    assert (to_student.recipient, to_educator.recipient) == ("amal@example.org", "edu@example.org")
    # Amal reads Arabic, on Dubai's clock (UTC+4); the educator English, on Chicago's.
    assert to_student.subject == "تم حجز الساعة المكتبية: 2027-02-01 14:00"
    assert "Educator" in to_student.body
    assert to_educator.subject == "Office hour booked: 2027-02-01 04:00"
    assert "Amal" in to_educator.body
    assert f"https://classroom.qou.test/lectures/{made.lecture_id}" in to_educator.body
    method, event = event_of(to_student)
    assert method == "REQUEST" and event == {
        "uid": f"booking-{made.id}@classroom.qou.test",
        "summary": "Office hour with Educator",
        "url": f"https://classroom.qou.test/lectures/{made.lecture_id}",
        "status": "CONFIRMED",
        "dtstart": at(10).isoformat(),
    }
    assert event_of(to_educator)[1]["summary"] == "Office hour with Amal"


async def test_moving_and_cancelling_are_told_too(world: OfficeWorld) -> None:
    student = world.students[0]
    async with world.database.session() as session:
        first = await book(session, student, hours(world), at(10), NOW, SITE)
        moved = await reschedule(session, student, first.id, at(12), NOW, SITE)
        await cancel(session, world.educator, moved.id, NOW, SITE)
    mails = await outbox(world)
    assert len(mails) == 6  # booked, moved, cancelled: to each of the two
    moved_mail = mails[3]
    assert moved_mail.subject == "Office hour moved to 2027-02-01 06:00"
    assert "from 2027-02-01 04:00 to 2027-02-01 06:00" in moved_mail.body
    assert event_of(moved_mail)[1]["uid"] == f"booking-{moved.id}@classroom.qou.test"
    method, event = event_of(mails[5])
    assert (method, event["status"], event["uid"]) == (
        "CANCEL",
        "CANCELLED",
        f"booking-{moved.id}@classroom.qou.test",
    )


async def test_nobody_without_an_address_or_without_smtp_gets_mail(world: OfficeWorld) -> None:
    async with world.database.session() as session:
        await book(session, world.students[1], hours(world), at(10), NOW, SITE)  # no address
        quiet = Site(SITE.address, public=True, mail=False)
        await book(session, world.students[0], hours(world), at(11), NOW, quiet)
    assert [mail.recipient for mail in await outbox(world)] == ["edu@example.org"]


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    with running_mailbox() as box:
        yield box


@pytest.fixture
def mailing_server(
    tmp_path: Path, mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Server]:
    monkeypatch.setenv("QOU_SMTP_URL", mailbox.url)
    monkeypatch.setenv("QOU_PUBLIC_URL", "https://classroom.qou.test")
    server = start_server(tmp_path, "sqlite")
    yield server
    server.stop()


async def test_a_booking_through_the_api_reaches_both_inboxes(
    http: aiohttp.ClientSession, mailing_server: Server, mailbox: Mailbox
) -> None:
    """The real server, a real SMTP server: addresses set through the API, a slot booked and
    cancelled, and both parties' mail (with invitations) arriving within seconds."""
    server = mailing_server
    for username in ("student1", "educator"):
        async with http.patch(
            server.url("/api/v1/me"),
            json={"email": f"{username}@example.org"},
            headers=await bearer(http, server, username),
        ) as response:
            assert (await response.json())["email"] == f"{username}@example.org"
    await publish(http, server, slot_minutes=30, cutoff_minutes=0)
    student = await bearer(http, server, "student1")
    slot = (await slots(http, server, "student1"))["items"][2]["starts_at"]
    body = {"educator_id": await educator_id(http, server), "starts_at": slot}
    async with http.post(server.url("/api/v1/bookings"), json=body, headers=student) as response:
        assert response.status == 201
        booking = await response.json()
    [to_student] = await mailbox.wait_for("student1@example.org", 1)
    [to_educator] = await mailbox.wait_for("educator@example.org", 1)
    assert to_student["Subject"].startswith("تم حجز الساعة المكتبية")  # Lina reads Arabic
    assert to_educator["Subject"].startswith("Office hour booked")
    method, ics = calendar_of(to_educator)
    assert method == "REQUEST" and "SUMMARY:Office hour with Lina Saleh" in ics
    assert f"URL:https://classroom.qou.test{booking['join_url']}" in ics

    cancel_url = server.url(f"/api/v1/bookings/{booking['id']}/cancel")
    async with http.post(cancel_url, headers=student) as response:
        assert response.status == 200
    _, cancelled = await mailbox.wait_for("educator@example.org", 2)
    assert calendar_of(cancelled)[0] == "CANCEL"
