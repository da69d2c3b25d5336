"""A participant's connection: codec choice, late joining, server-initiated renegotiation."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator

import pytest
from aiortc.mediastreams import AudioStreamTrack

from signaling.sfu import ice
from signaling.sfu.codecs import UnsupportedCodec, check_forwardable, prefer_codecs
from signaling.sfu.connection import Glare, SdpDict
from signaling.sfu.room_media import RoomMedia
from tests.sfu_peer import ClientPeer, TestCardTrack, join, publish, until


@pytest.fixture
async def room() -> AsyncIterator[RoomMedia]:
    room = RoomMedia(f"test-{uuid.uuid4().hex[:8]}", host_addresses=ice.LOOPBACK)
    yield room
    await room.close()


def test_prefer_codecs_puts_h264_first_and_keeps_rtx_after_its_codec() -> None:
    sdp = (
        "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111 0\r\na=rtpmap:111 opus/48000/2\r\n"
        "m=video 9 UDP/TLS/RTP/SAVPF 96 97 102 103\r\na=rtpmap:96 VP8/90000\r\n"
        "a=rtpmap:97 rtx/90000\r\na=rtpmap:102 H264/90000\r\na=rtpmap:103 rtx/90000\r\n"
    )
    lines = prefer_codecs(sdp).split("\r\n")
    assert lines[1:3] == ["m=audio 9 UDP/TLS/RTP/SAVPF 111 0", "a=rtpmap:111 opus/48000/2"]
    assert lines[3:] == [
        "m=video 9 UDP/TLS/RTP/SAVPF 102 96 97 103",
        "a=rtpmap:102 H264/90000",
        "a=rtpmap:96 VP8/90000",
        "a=rtpmap:97 rtx/90000",
        "a=rtpmap:103 rtx/90000",
        "",
    ]


async def test_a_publisher_offering_vp8_first_is_steered_to_h264(room: RoomMedia) -> None:
    teacher = ClientPeer(decode=False)
    try:
        offer = await teacher.offer([TestCardTrack()], video_codec=None)  # aiortc: VP8 first
        assert offer["sdp"].index("VP8/90000") < offer["sdp"].index("H264/90000")
        answer = await room.connect("teacher").handle_offer(offer)
        video = answer["sdp"][answer["sdp"].index("m=video") :]
        assert "H264/90000" in video
        assert "VP8/90000" not in video  # else the browser may switch to it mid-call
        await teacher.accept(answer)
        assert next(iter(room.publications.values())).codec.mimeType == "video/H264"
        student = join(room, "student", decode=False)
        await until(lambda: student.by_kind["video"] and student.by_kind["video"][0].keyframes, 5)
        await student.close()
    finally:
        await teacher.close()


def test_an_offer_without_h264_or_vp8_video_is_refused_by_name() -> None:
    vp9 = "m=video 9 UDP/TLS/RTP/SAVPF 98 99\r\na=sendonly\r\na=rtpmap:98 VP9/90000\r\n"
    with pytest.raises(UnsupportedCodec, match=r"VP9.*H\.264 or VP8"):
        check_forwardable(vp9)
    check_forwardable(vp9.replace("a=sendonly", "a=recvonly"))  # nothing to forward
    check_forwardable(vp9 + "a=rtpmap:96 VP8/90000\r\n")


async def test_a_vp9_only_offer_gets_an_error_and_changes_nothing(room: RoomMedia) -> None:
    teacher = ClientPeer(decode=False)
    try:
        offer = await teacher.offer([TestCardTrack()], video_codec=None)
        offer["sdp"] = (
            offer["sdp"].replace("VP8/90000", "VP9/90000").replace("H264/90000", "AV1/90000")
        )
        with pytest.raises(UnsupportedCodec):
            await room.connect("teacher").handle_offer(offer)
        assert room.publications == {}
        assert room.connections["teacher"].pc.signalingState == "stable"
    finally:
        await teacher.close()


@pytest.mark.parametrize("codec", ["H264", "VP8"])
async def test_a_late_joiner_sees_video_within_a_second(room: RoomMedia, codec: str) -> None:
    teacher = await publish(room, "teacher", [TestCardTrack(), AudioStreamTrack()], codec)
    await asyncio.sleep(1.5)  # past the encoder's first keyframe; none comes unasked
    start = time.monotonic()
    student = join(room, "late")
    try:
        await until(
            lambda: any(i is not None for log in student.by_kind["video"] for i in log.indices), 3
        )
        elapsed = time.monotonic() - start
        assert elapsed < 1.0, f"first decoded frame after {elapsed:.2f} s"
    finally:
        await teacher.close()
        await student.close()


async def test_subscriptions_renegotiate_from_the_server(room: RoomMedia) -> None:
    teacher = await publish(room, "teacher", [TestCardTrack(), AudioStreamTrack()])
    student = ClientPeer(decode=False)
    offers: list[SdpDict] = []

    async def send_offer(offer: SdpDict) -> None:
        offers.append(offer)
        await room.connections["student"].handle_answer(await student.answer(offer))

    room.connect("student", send_offer)
    audio, video = sorted(room.publications, key=lambda p: room.publications[p].kind)
    try:
        room.subscribe("student", audio)
        await until(lambda: student.by_kind["audio"] and student.by_kind["audio"][0].arrivals, 5)
        assert len(offers) == 1 and "m=video" not in offers[0]["sdp"]

        room.subscribe("student", video)  # a connected peer: the SFU re-offers
        await until(lambda: student.by_kind["video"] and student.by_kind["video"][0].keyframes, 5)
        assert len(offers) == 2 and "m=video" in offers[1]["sdp"]
        assert room.subscribe("student", video) is room.subscribe("student", video)
        assert len(offers) == 2  # subscribing twice changes nothing
    finally:
        await teacher.close()
        await student.close()


async def test_subscriptions_made_together_share_one_offer(room: RoomMedia) -> None:
    teacher = await publish(room, "teacher", [TestCardTrack(), AudioStreamTrack()])
    offers: list[SdpDict] = []
    student = ClientPeer(decode=False)

    async def send_offer(offer: SdpDict) -> None:
        offers.append(offer)
        await room.connections["student"].handle_answer(await student.answer(offer))

    room.connect("student", send_offer)
    try:
        for publication_id in room.publications:
            room.subscribe("student", publication_id)
        await until(lambda: len(student.by_kind) == 2, 5)
        await asyncio.sleep(0.1)
        assert len(offers) == 1
    finally:
        await teacher.close()
        await student.close()


async def test_a_client_offer_crossing_a_due_server_offer_is_glare(room: RoomMedia) -> None:
    """A subscription added just before a client offer has a transceiver with no mid yet;
    aiortc cannot answer then (it raised ValueError, refused as invalid_sdp, and a browser's
    microphone was never published). The offer is glare instead; the server's offer goes out,
    and once it is answered the client's next offer publishes, with every track flowing."""
    teacher = await publish(room, "teacher", [TestCardTrack(), AudioStreamTrack()])
    student = ClientPeer(decode=False)
    answered: list[SdpDict] = []

    async def send_offer(offer: SdpDict) -> None:
        await room.connections["student"].handle_answer(await student.answer(offer))
        answered.append(offer)

    connection = room.connect("student", send_offer)
    audio, video = sorted(room.publications, key=lambda p: room.publications[p].kind)
    # aiortc cannot roll back, so the crossing offer comes from a peer of its own.
    crossing = ClientPeer(decode=False)
    try:
        room.subscribe("student", audio)
        await until(lambda: answered, 5)
        crossing_offer = await crossing.offer([AudioStreamTrack()])
        room.subscribe("student", video)  # its re-offer is due, not yet made
        assert connection.pc.signalingState == "stable"
        with pytest.raises(Glare):
            await connection.handle_offer(crossing_offer)
        await until(lambda: len(answered) == 2 and student.by_kind["video"], 5)
        microphone = AudioStreamTrack()
        await student.accept(await connection.handle_offer(await student.offer([microphone])))
        await until(lambda: f"student/{microphone.id}" in room.publications, 5)
        await until(lambda: all(log.arrivals for log in student.by_kind["video"]), 5)
        await until(lambda: all(log.arrivals for log in student.by_kind["audio"]), 5)
    finally:
        await crossing.close()
        await teacher.close()
        await student.close()


async def test_tracks_added_while_a_server_offer_waits_all_arrive(room: RoomMedia) -> None:
    """New subscriptions while the subscriber sits on the server's offer, two of them in one
    tick: none is lost; they go out in the offer after the answer."""
    teacher = await publish(room, "teacher", [TestCardTrack(), AudioStreamTrack()])
    other = await publish(room, "other", [TestCardTrack(), AudioStreamTrack()])
    student = ClientPeer(decode=False)
    offers: list[SdpDict] = []

    async def send_offer(offer: SdpDict) -> None:
        offers.append(offer)
        await asyncio.sleep(0.3)  # a busy client answers late
        await room.connections["student"].handle_answer(await student.answer(offer))

    room.connect("student", send_offer)
    first, *rest = sorted(room.publications)
    try:
        room.subscribe("student", first)
        await until(lambda: offers, 5)
        for publication_id in rest:  # all while the first offer waits for its answer
            room.subscribe("student", publication_id)

        def all_flowing() -> bool:
            logs = [log for kind in student.by_kind.values() for log in kind]
            return len(logs) == 4 and all(log.arrivals for log in logs)

        await until(all_flowing, 5)
        assert len(offers) == 2
    finally:
        await teacher.close()
        await other.close()
        await student.close()
