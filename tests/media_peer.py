"""A room participant with media: a Socket.IO client plus an aiortc peer, as a browser would be.

The peer answers the server's ``media:offer`` events on its own (like a browser's signalling
handler) and publishes by announcing its tracks and offering them over ``media:offer``.
Received tracks are decoded, so tests see real pictures (``TestCardTrack`` indices) and
real audio frames.
"""

from __future__ import annotations

import fractions
import math
from typing import Any

import numpy as np
from aiortc.mediastreams import AudioStreamTrack, MediaStreamTrack
from av import AudioFrame

from tests.room_client import Participant
from tests.sfu_peer import ClientPeer, FrameLog


class ToneTrack(AudioStreamTrack):
    """A loud 440 Hz tone (about -9 dBov), so the audio-level extension says "voice"."""

    async def recv(self) -> AudioFrame:
        frame = await super().recv()
        assert isinstance(frame, AudioFrame)
        rate, samples, start = frame.sample_rate, frame.samples, frame.pts or 0
        t = (np.arange(samples) + start) / rate
        wave = (np.sin(2 * math.pi * 440 * t) * 12000).astype(np.int16)
        tone = AudioFrame.from_ndarray(wave.reshape(1, -1), format="s16", layout="mono")
        tone.sample_rate = rate
        tone.pts = frame.pts
        tone.time_base = fractions.Fraction(1, rate)
        return tone


class MediaParticipant(Participant):
    """See the module docstring."""

    def __init__(self, username: str) -> None:
        super().__init__(username)
        self.peer = ClientPeer(decode=True)
        self.mids: dict[str, str] = {}
        self.receiving: set[str] = set()  # publication ids in the latest server offer
        self.offers_answered = 0
        self.answer_errors: list[dict[str, Any]] = []
        self.sio.on("media:offer", self._on_offer, namespace="/classroom")

    async def _on_offer(self, offer: dict[str, Any]) -> None:
        await self.events["media:offer"].put(offer)
        self.mids.update(offer.get("tracks", {}))
        self.receiving = set(offer.get("tracks", {}).values())
        answer = await self.peer.answer({"type": offer["type"], "sdp": offer["sdp"]})
        ack = await self.call("media:answer", answer)
        if ack["ok"]:
            self.offers_answered += 1
        else:
            self.answer_errors.append(ack)

    async def media_join(self, video: bool = True) -> dict[str, Any]:
        ack = await self.call("media:join", {"video": video})
        assert ack["ok"], ack
        return ack

    async def publish(
        self, tracks: list[tuple[MediaStreamTrack, str]], announce: bool = True
    ) -> dict[str, Any]:
        """Announce each (track, source) and offer them; returns the offer's ack."""
        if announce:
            for track, source in tracks:
                ack = await self.call("media:publish", {"track_id": track.id, "source": source})
                if not ack["ok"]:
                    return ack
        offer = await self.peer.offer([track for track, _ in tracks])
        ack = await self.call("media:offer", offer)
        if ack["ok"]:
            await self.peer.accept(ack["answer"])
        return ack

    def received(self, kind: str) -> list[FrameLog]:
        return self.peer.by_kind[kind]

    def frames(self, kind: str) -> int:
        return sum(len(log.arrivals) for log in self.received(kind))

    async def leave(self) -> None:
        await super().leave()
        await self.peer.close()
