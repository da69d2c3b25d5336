"""Guest links over a real server: made, listed and revoked by the lecture's educators; a
guest enters with a name, waits in the lobby, is admitted; a guest reaches nothing else."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import aiohttp

from classroom_server.security import TokenIssuer
from tests.conftest import SECRET_KEY, Server, bearer
from tests.room_client import Participant, join, live_lecture


async def make_link(http: aiohttp.ClientSession, server: Server, lecture: int) -> dict[str, Any]:
    headers = await bearer(http, server, "educator")
    url = server.url(f"/api/v1/lectures/{lecture}/guest-links")
    async with http.post(url, json={"expires_in_minutes": 60}, headers=headers) as response:
        assert response.status == 201, await response.text()
        link: dict[str, Any] = await response.json()
    return link


def token_of(link: dict[str, Any]) -> str:
    url: str = link["url"]
    assert "/guest#" in url
    return url.split("#", 1)[1]


async def enter(
    guest: aiohttp.ClientSession, server: Server, token: str, name: str
) -> tuple[int, dict[str, Any]]:
    body = {"token": token, "name": name}
    async with guest.post(server.url("/api/v1/guest-links/enter"), json=body) as response:
        return response.status, await response.json()


async def test_educators_make_list_and_revoke_links_and_students_may_not(
    http: aiohttp.ClientSession, server: Server
) -> None:
    lecture = await live_lecture(http, server)
    link = await make_link(http, server, lecture)
    assert link["lecture_id"] == lecture and link["revoked"] is False
    educator = await bearer(http, server, "educator")
    links_url = server.url(f"/api/v1/lectures/{lecture}/guest-links")
    async with http.get(links_url, headers=educator) as response:
        items = (await response.json())["items"]
    assert [item["id"] for item in items] == [link["id"]]
    assert items[0]["url"] == link["url"], "the same link can be copied again later"

    student = await bearer(http, server, "student1")
    async with http.post(links_url, json={}, headers=student) as response:
        assert response.status == 403
    async with http.get(links_url, headers=student) as response:
        assert response.status == 403
    async with http.post(links_url, json={"expires_in_minutes": 1}, headers=educator) as r:
        assert r.status == 422

    token = token_of(link)
    async with http.post(server.url("/api/v1/guest-links/open"), json={"token": token}) as r:
        assert await r.json() == {"lecture_id": lecture, "title": "Week 1"}
    async with http.delete(f"{links_url}/{link['id']}", headers=student) as response:
        assert response.status == 403
    async with http.delete(f"{links_url}/{link['id']}", headers=educator) as response:
        assert response.status == 204
    async with http.get(links_url, headers=educator) as response:
        revoked = (await response.json())["items"][0]
    assert revoked["revoked"] is True and revoked["url"] is None
    async with aiohttp.ClientSession() as guest:
        status, problem = await enter(guest, server, token, "Visitor")
    assert status == 403 and problem["code"] == "invalid_link"


async def test_tampered_expired_and_forged_tokens_and_bad_names_are_refused(
    http: aiohttp.ClientSession, server: Server
) -> None:
    lecture = await live_lecture(http, server)
    link = await make_link(http, server, lecture)
    token = token_of(link)
    head, payload, signature = token.split(".")
    flipped = signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB")
    issuer = TokenIssuer(SECRET_KEY)
    expired = issuer.issue("guest", link["id"], timedelta(seconds=-5), lecture=lecture).token
    forged = issuer.issue("guest", link["id"], timedelta(hours=1), lecture=lecture).token  # no row
    session = issuer.issue("session", link["id"], timedelta(hours=1)).token
    async with aiohttp.ClientSession() as guest:
        for bad in (f"{head}.{payload}.{flipped}", expired, forged, session, "x" * 3000):
            status, problem = await enter(guest, server, bad, "Visitor")
            assert status in (403, 422), (bad[:20], problem)
            assert "qou_session" not in {c.key for c in guest.cookie_jar}
        for name in ("", "   ", "x" * 81, "bell\x07"):
            status, problem = await enter(guest, server, token, name)
            assert status == 422, (name, problem)
        assert "qou_session" not in {c.key for c in guest.cookie_jar}


async def test_a_guest_waits_in_the_lobby_is_admitted_and_reaches_nothing_else(
    http: aiohttp.ClientSession, server: Server
) -> None:
    lecture = await live_lecture(http, server)  # no admission asked: guests wait all the same
    other = await live_lecture(http, server)
    token = token_of(await make_link(http, server, lecture))
    educator = await join(http, server, lecture, "educator")
    people = [educator]
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as guest:
        try:
            status, entered = await enter(guest, server, token, "  Sami   Haddad ")
            assert status == 200, entered
            assert entered["lecture_id"] == lecture
            assert entered["user"]["display_name"] == "Sami Haddad"
            csrf = {"X-CSRF-Token": entered["csrf_token"]}
            async with guest.get(server.url(f"/api/v1/lectures/{lecture}")) as response:
                assert response.status == 200
            async with guest.get(server.url("/api/v1/me")) as response:
                assert (await response.json())["display_name"] == "Sami Haddad"
            for path in ("/api/v1/courses", "/api/v1/me/calendar", f"/api/v1/lectures/{other}"):
                async with guest.get(server.url(path)) as response:
                    assert response.status == 403, path
            async with guest.post(
                server.url(f"/api/v1/lectures/{other}/join"), headers=csrf
            ) as response:
                assert response.status == 403
            links = server.url(f"/api/v1/lectures/{lecture}/guest-links")
            async with guest.post(links, json={}, headers=csrf) as response:
                assert response.status == 403  # never an educator
            async with guest.post(
                server.url(f"/api/v1/lectures/{lecture}/join"), headers=csrf
            ) as response:
                assert response.status == 200
                joined = await response.json()
            assert joined["role"] == "student"

            sami = Participant("guest")
            people.append(sami)
            view = await sami.wait_in_lobby(server, joined["token"])
            assert view["you"] == {
                "id": entered["user"]["id"],
                "name": "Sami Haddad",
                "guest": True,
            }
            [waiting] = (await educator.next("lobby:waiting"))["waiting"]
            assert waiting["guest"] is True and waiting["name"] == "Sami Haddad"
            assert (await educator.call("lobby:admit", {"user_id": waiting["user_id"]}))["ok"]
            assert await sami.next("lobby:admitted") == {}
            await sami.leave()

            async with guest.post(
                server.url(f"/api/v1/lectures/{lecture}/join"), headers=csrf
            ) as response:
                again = await response.json()
            sami = Participant("guest")
            people.append(sami)
            state = await sami.connect(server, again["token"])
            assert state["you"]["role"] == "student" and state["lecture"]["id"] == lecture
            assert (await educator.next("roster:joined"))["name"] == "Sami Haddad"
            # The educator moderates a guest like any student.
            ack = await educator.call("participant:mute", {"user_id": sami.user_id, "muted": True})
            assert ack["ok"], ack

            # The lecture ends: so does the guest's session.
            assert (await educator.call("lecture:end"))["ok"]
            async with guest.get(server.url(f"/api/v1/lectures/{lecture}")) as response:
                assert response.status == 401
        finally:
            for person in people:
                await person.leave()
