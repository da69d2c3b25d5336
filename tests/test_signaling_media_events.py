"""Media over the live room: aiortc clients signalling over real Socket.IO to a real server.

The server gathers ICE candidates on 127.0.0.1 only and accepts checks from 127.0.0.0/8 only,
so every packet stays on loopback.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import aiohttp
import pytest

from tests.conftest import DATABASES, Server, bearer, start_server
from tests.media_peer import MediaParticipant, ToneTrack
from tests.room_client import demo_course_id, join_token, live_lecture
from tests.sfu_peer import TestCardTrack, until

LOOPBACK_ICE = ("--ice-address", "127.0.0.1", "--ice-allow", "127.0.0.0/8")


@pytest.fixture(scope="module", params=DATABASES)
def media_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    srv = start_server(tmp_path_factory.mktemp("media"), request.param, *LOOPBACK_ICE)
    yield srv
    srv.stop()


class Room:
    def __init__(self, http: aiohttp.ClientSession, server: Server, lecture_id: int) -> None:
        self.http, self.server, self.lecture_id = http, server, lecture_id
        self.people: list[MediaParticipant] = []

    async def join(self, username: str) -> MediaParticipant:
        person = MediaParticipant(username)
        self.people.append(person)
        token = await join_token(self.http, self.server, self.lecture_id, username)
        await person.connect(self.server, token)
        return person

    async def close(self) -> None:
        for person in self.people:
            await person.leave()


@pytest.fixture
async def room(http: aiohttp.ClientSession, media_server: Server) -> AsyncIterator[Room]:
    room = Room(http, media_server, await live_lecture(http, media_server))
    yield room
    await room.close()


def intact(person: MediaParticipant) -> int:
    """Decoded video frames whose test card read back intact."""
    return sum(1 for log in person.received("video") for i in log.indices if i is not None)


async def test_educator_publishes_and_two_students_receive(room: Room) -> None:
    educator = await room.join("educator")
    students = [await room.join("student1"), await room.join("student2")]
    for student in students:
        assert (await student.next("media:tracks")) == {"tracks": []}  # in the join flow
    camera, microphone = TestCardTrack(), ToneTrack()
    await educator.media_join()
    ack = await educator.publish([(camera, "camera"), (microphone, "microphone")])
    assert ack["ok"], ack
    assert ack["answer"]["type"] == "answer"
    await asyncio.sleep(1.0)  # the lecture is under way when the students arrive
    joined_at = time.monotonic()
    for student in students:
        await student.media_join()
    # A late student sees the educator within about a second: the SFU asks for a keyframe.
    first_picture = await until(lambda: all(intact(s) >= 1 for s in students), 5)
    print(f"first intact picture at both students {first_picture:.2f} s after joining")
    assert time.monotonic() - joined_at < 3.0
    catalogue: dict[str, Any] = {}

    def full_catalogue() -> bool:
        for update in students[0].drain("media:tracks"):
            catalogue.update(update)
        return len(catalogue.get("tracks", [])) == 2

    await until(full_catalogue, 5)
    sources = {(t["kind"], t["source"], t["quality"], t["user_id"]) for t in catalogue["tracks"]}
    assert sources == {
        ("video", "camera", "high", educator.user_id),
        ("audio", "microphone", "high", educator.user_id),
    }
    await until(lambda: all(intact(s) >= 15 and s.frames("audio") >= 25 for s in students), 10)
    for student in students:
        assert set(student.mids.values()) == {t["publication_id"] for t in catalogue["tracks"]}
    assert educator.received("video") == []  # nobody receives their own tracks
    speaking = await educator.next("media:speaking")
    assert speaking == {"user_id": educator.user_id}
    async with room.http.get(room.server.url("/metrics")) as response:
        metrics = await response.text()
    label = f'{{room="lecture-{room.lecture_id}"}}'
    for line in (
        f"qou_sfu_publishers{label} 1.0",
        f"qou_sfu_publications{label} 2.0",
        f"qou_sfu_subscribers{label} 3.0",
        f"qou_sfu_subscriptions{label} 4.0",
    ):
        assert line in metrics, line
    assert f"qou_sfu_forwarded_packets_total{label}" in metrics


async def test_students_publish_only_when_invited(room: Room) -> None:
    educator = await room.join("educator")
    student, listener = await room.join("student1"), await room.join("student2")
    await listener.media_join()
    await student.media_join()
    microphone = ToneTrack()
    refused = await student.call(
        "media:publish", {"track_id": microphone.id, "source": "microphone"}
    )
    assert refused["ok"] is False and refused["error"]["code"] == "forbidden"
    unannounced = await student.publish([(microphone, "microphone")], announce=False)
    assert unannounced["ok"] is False and unannounced["error"]["code"] == "forbidden"
    assert (await student.call("media:invite", {"user_id": student.user_id}))["error"][
        "code"
    ] == "forbidden"  # only an educator invites

    ack = await educator.call("media:invite", {"user_id": student.user_id})
    assert ack["ok"], ack
    assert (await listener.next("media:permissions")) == {
        "user_id": student.user_id,
        "invited": True,
    }
    screen = await student.call("media:publish", {"track_id": "screen-1", "source": "screen"})
    assert screen["error"]["code"] == "forbidden"  # invited students speak, they do not present
    student.peer = type(student.peer)(decode=True)  # the refused offer left nothing behind
    ack = await student.publish([(ToneTrack(), "microphone")])
    assert ack["ok"], ack
    await until(lambda: listener.frames("audio") >= 25, 10)

    # Mute stops the student's audio at the SFU; unmute resumes it.
    assert (await educator.call("participant:mute", {"user_id": student.user_id, "muted": True}))[
        "ok"
    ]
    await audio_stops(listener)
    tracks = await latest(listener, "media:tracks")
    assert [t["forwarded"] for t in tracks["tracks"]] == [False]
    assert (await educator.call("participant:mute", {"user_id": student.user_id, "muted": False}))[
        "ok"
    ]
    resumed = listener.frames("audio")
    await until(lambda: listener.frames("audio") >= resumed + 25, 5)

    # Revoking stops forwarding too; the room hears of it.
    assert (await educator.call("media:revoke", {"user_id": student.user_id}))["ok"]
    assert (await listener.next("media:permissions"))["invited"] is False
    await audio_stops(listener)


async def test_audio_only_preference_gets_no_video(room: Room) -> None:
    educator = await room.join("educator")
    await educator.media_join()
    camera, microphone = TestCardTrack(), ToneTrack()
    assert (await educator.publish([(camera, "camera"), (microphone, "microphone")]))["ok"]
    light, full = await room.join("student1"), await room.join("student2")
    await light.media_join(video=False)
    await full.media_join()
    await until(lambda: light.frames("audio") >= 25 and intact(full) >= 10, 10)
    assert light.received("video") == []
    # Switching video back on later subscribes it.
    assert (await light.call("media:prefer", {"video": True}))["ok"]
    await until(lambda: intact(light) >= 10, 10)
    m_lines = light.drain("media:offer")[-1]["sdp"].count("\r\nm=")
    # Off and on again: the camera's old transceiver carries it, the SDP does not grow.
    assert (await light.call("media:prefer", {"video": False}))["ok"]
    seen = intact(light)
    assert (await light.call("media:prefer", {"video": True}))["ok"]
    await until(lambda: intact(light) >= seen + 10, 10)
    assert light.drain("media:offer")[-1]["sdp"].count("\r\nm=") == m_lines == 2


async def test_bad_media_payloads_get_coded_errors(room: Room) -> None:
    student = await room.join("student1")
    cases: list[tuple[str, Any, str]] = [
        ("media:offer", {"type": "offer"}, "invalid"),
        ("media:offer", {"type": "answer", "sdp": "v=0" * 10}, "invalid"),
        ("media:offer", {"type": "offer", "sdp": "x" * 50_000}, "invalid"),
        ("media:publish", {"track_id": "a", "source": "projector"}, "invalid"),
        ("media:prefer", {"video": "no"}, "invalid"),
        ("media:answer", {"type": "answer", "sdp": "v=0\r\n" * 5}, "media_not_joined"),
    ]
    for event, payload, code in cases:
        ack = await student.call(event, payload)
        assert ack["ok"] is False and ack["error"]["code"] == code, (event, ack)
    await student.media_join()
    ack = await student.call("media:answer", {"type": "answer", "sdp": "v=0\r\n" * 5})
    assert ack["error"]["code"] == "no_offer"
    ack = await student.call("media:offer", {"type": "offer", "sdp": "v=0\r\nnonsense" * 3})
    assert ack["ok"] is False and ack["error"]["code"] in ("invalid_sdp", "forbidden")
    codes = set()
    for _ in range(30):
        ack = await student.call("media:prefer", {"video": True}, patient=False)
        codes.add(ack["ok"] or ack["error"]["code"])
    assert "rate_limited" in codes


async def audio_stops(person: MediaParticipant) -> None:
    """After frames already in flight, (almost) no audio arrives for a second."""
    await asyncio.sleep(0.3)
    before = person.frames("audio")
    await asyncio.sleep(1.0)
    assert person.frames("audio") - before <= 2


async def latest(person: MediaParticipant, event: str) -> Any:
    items = person.drain(event)
    return items[-1] if items else await person.next(event)


async def office_hour(http: aiohttp.ClientSession, server: Server, student: str) -> int:
    """A drop-in meeting room for ``student``: a lecture private to them."""
    educator = await bearer(http, server, "educator")
    course = await demo_course_id(http, server)
    async with http.post(
        server.url("/api/v1/drop-ins"), headers=educator, json={"course_id": course}
    ) as response:
        assert response.status == 201, await response.text()
        base = server.url(f"/api/v1/drop-ins/{(await response.json())['id']}")
    async with http.post(base + "/queue", headers=await bearer(http, server, student)):
        pass
    async with http.post(base + "/admit", headers=educator) as response:
        join_url: str = (await response.json())["join_url"]
    return int(join_url.rstrip("/").rsplit("/", 1)[1])


async def test_both_sides_of_an_office_hour_publish_everything(
    http: aiohttp.ClientSession, media_server: Server
) -> None:
    room = Room(http, media_server, await office_hour(http, media_server, "student2"))
    try:
        educator, student = await room.join("educator"), await room.join("student2")
        assert student.state["media"]["meeting"] is True
        # One offer at a time per peer: aiortc cannot roll back a crossed offer (a browser can).
        await educator.media_join()
        educator_tracks = [(TestCardTrack(), "camera"), (ToneTrack(), "microphone")]
        assert (await educator.publish(educator_tracks))["ok"]
        await student.media_join()
        await until(lambda: student.offers_answered >= 1, 5)
        ack = await student.publish(
            [(TestCardTrack(), "camera"), (ToneTrack(), "microphone"), (TestCardTrack(), "screen")]
        )
        assert ack["ok"], ack
        await until(lambda: intact(educator) >= 20 and intact(student) >= 10, 10)
        assert len(educator.received("video")) == 2  # the student's camera and screen
        assert educator.frames("audio") > 0 and student.frames("audio") > 0
    finally:
        await room.close()


async def test_a_presenter_shares_a_screen_and_unpublishing_ends_it(room: Room) -> None:
    educator, student = await room.join("educator"), await room.join("student1")
    await educator.media_join()
    await student.media_join()
    screen = TestCardTrack()
    refused = await student.publish([(screen, "screen")])
    assert refused["error"]["code"] == "forbidden"
    ack = await educator.call("presenter:set", {"user_id": student.user_id, "presenter": True})
    assert ack["ok"]
    student.peer = type(student.peer)(decode=True)
    screen = TestCardTrack()
    assert (await student.publish([(screen, "screen")]))["ok"]
    await until(lambda: intact(educator) >= 10, 10)
    tracks = await latest(educator, "media:tracks")
    assert [(t["source"], t["user_id"]) for t in tracks["tracks"]] == [("screen", student.user_id)]
    assert (await student.call("media:unpublish", {"track_id": screen.id}))["ok"]
    assert (await educator.next("media:tracks")) == {"tracks": []}


async def test_the_end_of_the_lecture_closes_its_media(room: Room) -> None:
    educator, student = await room.join("educator"), await room.join("student1")
    await educator.media_join()
    assert (await educator.publish([(ToneTrack(), "microphone")]))["ok"]
    await student.media_join()
    await until(lambda: student.frames("audio") >= 10, 10)
    label = f'qou_sfu_publishers{{room="lecture-{room.lecture_id}"}}'

    async def metrics() -> str:
        async with room.http.get(room.server.url("/metrics")) as response:
            return await response.text()

    assert label in await metrics()
    assert (await educator.call("lecture:end"))["ok"]
    await asyncio.sleep(1.0)
    assert label not in await metrics()


async def test_a_client_offer_crossing_a_server_offer_is_refused_as_glare(room: Room) -> None:
    educator, student = await room.join("educator"), await room.join("student1")
    await educator.media_join()
    assert (await educator.publish([(ToneTrack(), "microphone")]))["ok"]
    ack = await educator.call("presenter:set", {"user_id": student.user_id, "presenter": True})
    assert ack["ok"]
    pending: list[dict[str, Any]] = []

    async def hold(offer: dict[str, Any]) -> None:
        pending.append(offer)  # a client busy elsewhere: the server's offer waits

    student.sio.on("media:offer", hold, namespace="/classroom")
    await student.media_join()
    await until(lambda: pending, 5)
    crossing = await student.call("media:offer", await student.peer.offer([TestCardTrack()]))
    assert crossing["ok"] is False and crossing["error"]["code"] == "glare"
    # Answering the server's offer (on a fresh peer, as aiortc cannot roll back) settles it.
    student.peer = type(student.peer)(decode=True)
    answer = await student.peer.answer({"type": "offer", "sdp": pending[0]["sdp"]})
    assert (await student.call("media:answer", answer))["ok"]
    await until(lambda: student.frames("audio") >= 10, 10)


async def test_a_resume_with_nothing_kept_changes_nothing(room: Room) -> None:
    """After a server restart the server has no peer connection to give back: the answer
    says so and makes none, so the client's old one never answers offers meant for another."""
    educator, student = await room.join("educator"), await room.join("student1")
    await educator.media_join()
    assert (await educator.publish([(ToneTrack(), "microphone")]))["ok"]
    ack = await student.call("media:join", {"resume": True})
    assert ack["ok"] and ack["resumed"] is False, ack
    await asyncio.sleep(0.5)
    assert student.drain("media:offer") == []
    refused = await student.call("media:prefer", {"video": False})
    assert refused["error"]["code"] == "media_not_joined", refused
    assert (await student.media_join())["resumed"] is False  # a plain join then works
    await until(lambda: student.frames("audio") >= 10, 10)
