"""Transport-cc feedback: the RTCP a publisher's browser needs to estimate its uplink.

The messages are read back with a parser written here from the draft's text
(draft-holmer-rmcat-transport-wide-cc-extensions-01, section 3.1), not from the module, so a
misplaced bit fails. The browser end of it (Chromium ramps to what the link carries) is in
``tests/test_web_media_quality.py``.
"""

from __future__ import annotations

import re
import struct
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from signaling.sfu import ice
from signaling.sfu.room_media import RoomMedia
from signaling.sfu.transport_feedback import (
    ABS_SEND_TIME,
    URI,
    Arrivals,
    build_message,
    negotiate,
)
from tests.sfu_peer import ClientPeer, TestCardTrack


@dataclass
class Parsed:
    base: int
    reference_us: int
    count: int
    arrivals: list[int | None]  # reconstructed, microseconds


def parse(message: bytes) -> Parsed:
    first, pt, length = struct.unpack("!BBH", message[:4])
    assert first >> 6 == 2 and first & 0x1F == 15 and pt == 205
    assert len(message) == (length + 1) * 4
    if first & 0x20:
        message = message[: len(message) - message[-1]]
    base, count, ref_and_count = struct.unpack("!HHI", message[12:20])
    reference_us = (ref_and_count >> 8) * 64_000
    symbols: list[int] = []
    at = 20
    while len(symbols) < count:
        (chunk,) = struct.unpack("!H", message[at : at + 2])
        at += 2
        if chunk & 0x8000 == 0:  # run length
            symbols += [(chunk >> 13) & 3] * (chunk & 0x1FFF)
        elif chunk & 0x4000:  # two-bit vector
            symbols += [(chunk >> (12 - 2 * i)) & 3 for i in range(7)]
        else:  # one-bit vector
            symbols += [(chunk >> (13 - i)) & 1 for i in range(14)]
    arrivals: list[int | None] = []
    now = reference_us
    for symbol in symbols[:count]:
        if symbol == 0:
            arrivals.append(None)
            continue
        if symbol == 1:
            delta = message[at]
            at += 1
        else:
            (delta,) = struct.unpack("!h", message[at : at + 2])
            at += 2
        now += delta * 250
        arrivals.append(now)
    assert at == len(message), "every byte is a delta or padding"
    return Parsed(base, reference_us, count, arrivals)


def close(got: list[int | None], want: list[int | None]) -> bool:
    return all(
        (g is None and w is None) or (g is not None and w is not None and abs(g - w) <= 125)
        for g, w in zip(got, want, strict=True)
    )


def test_a_message_reports_arrivals_losses_and_out_of_order_packets() -> None:
    start = 10_000_123_456
    arrivals = [start, start + 1_000, None, start + 70_000, start + 69_000, start + 70_250]
    message, covered = build_message(65_534, arrivals, feedback_count=7, media_ssrc=1234)
    parsed = parse(message)
    assert covered == 6 and parsed.count == 6
    assert parsed.base == 65_534
    assert parsed.reference_us <= start < parsed.reference_us + 64_000
    assert struct.unpack("!I", message[8:12]) == (1234,)
    assert message[19] == 7  # feedback packet count
    assert close(parsed.arrivals, arrivals)


def test_a_gap_too_long_for_a_delta_ends_the_message_there() -> None:
    arrivals = [1_000_000, 1_001_000, 1_001_000 + 9_000_000]
    message, covered = build_message(5, arrivals, 0, 1)
    assert covered == 2
    assert close(parse(message).arrivals, arrivals[:2])


def test_arrivals_unwrap_sequence_numbers_report_losses_once_and_drop_late_packets() -> None:
    arrivals = Arrivals()
    arrivals.note(65_533, 42, 1_000_000)
    arrivals.note(65_535, 42, 1_002_000)  # 65534 lost
    arrivals.note(1, 42, 1_004_000)  # wraps; 0 lost
    first = [parse(m) for m in arrivals.messages()]
    assert [(p.base, p.count) for p in first] == [(65_533, 5)]
    assert close(first[0].arrivals, [1_000_000, None, 1_002_000, None, 1_004_000])
    arrivals.note(0, 42, 1_005_000)  # already reported lost: not reported again
    arrivals.note(2, 42, 1_006_000)
    second = [parse(m) for m in arrivals.messages()]
    assert [(p.base, p.count) for p in second] == [(2, 1)]
    assert arrivals.messages() == []


def test_a_burst_longer_than_one_message_is_split() -> None:
    arrivals = Arrivals()
    for seq in range(1000):
        arrivals.note(seq, 42, 2_000_000 + seq * 100)
    parsed = [parse(m) for m in arrivals.messages()]
    assert [p.base for p in parsed] == [0, 400, 800]
    assert sum(p.count for p in parsed) == 1000
    assert all(len(m) < 1200 for m in arrivals.messages() or [b""])


@pytest.fixture
async def room() -> AsyncIterator[RoomMedia]:
    room = RoomMedia(f"test-{uuid.uuid4().hex[:8]}", host_addresses=ice.LOOPBACK)
    yield room
    await room.close()


async def test_the_answer_negotiates_transport_cc_and_no_remb(room: RoomMedia) -> None:
    negotiate()  # in one process the client's aiortc offers transport-cc too
    teacher = ClientPeer(decode=False)
    try:
        offer = await teacher.offer([TestCardTrack()])
        # As Chromium offers it: REMB and abs-send-time as well.
        pt = re.search(r"a=rtpmap:(\d+) H264", offer["sdp"])
        assert pt is not None
        offer["sdp"] = offer["sdp"].replace(
            f"a=rtpmap:{pt[1]} H264/90000\r\n",
            f"a=rtpmap:{pt[1]} H264/90000\r\na=rtcp-fb:{pt[1]} goog-remb\r\n"
            f"a=extmap:3 {ABS_SEND_TIME}\r\n",
        )
        assert "goog-remb" in offer["sdp"] and URI in offer["sdp"]
        answer = (await room.connect("teacher").handle_offer(offer))["sdp"]
    finally:
        await teacher.close()
    video = answer[answer.index("m=video") :]
    assert "a=extmap:" in video and URI in video
    assert ABS_SEND_TIME not in video
    assert "transport-cc" in video and "goog-remb" not in video
    assert "x-google-start-bitrate=" in video
    assert room.connections["teacher"].feedback is not None
