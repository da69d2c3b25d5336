"""Who is speaking in a room, from the audio-level RTP header extension, at most twice a second.

Publishers' browsers (and aiortc) put each packet's level in the ssrc-audio-level extension,
which aiortc parses anyway, so detecting speech costs a comparison per audio packet and no
decoding. Per window (500 ms) the participant with the most voiced packets is the speaker;
an event goes out only when that changes, so a lecture where the educator talks for an hour
sends one event, and a lively discussion at most two per second.

Each window also counts as talk time for everyone voiced in it (``Talked``): two people
talking over each other both talk. The caller batches it into the attendance tallies.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable

WINDOW_SECONDS = 0.5
VOICE_LEVEL = 50
"""Levels are -dBov, 0 (loudest) to 127 (silence); louder than -50 dBov counts as voice."""
MIN_VOICED = 5
"""Voiced packets (20 ms each) needed in a window: 100 ms of sound, not a click."""
QUIET_WINDOWS = 4
"""Windows without a voice before the speaker is announced as nobody (2 s)."""

Announce = Callable[[int | None], Awaitable[None]]
Talked = Callable[[int, float], None]
"""(user, seconds): a window in which the user spoke."""


def _silent(_user: int, _seconds: float) -> None:
    pass


class SpeakerDetector:
    """Counts voiced packets per user; ``run`` announces changes of the loudest talker."""

    def __init__(
        self, announce: Announce, window: float = WINDOW_SECONDS, talked: Talked = _silent
    ) -> None:
        self._announce = announce
        self._talked = talked
        self._window = window
        self._voiced: Counter[int] = Counter()
        self.speaker: int | None = None
        self._quiet = 0

    def heard(self, user_id: int, level: int) -> None:
        """One audio packet's level from ``user_id`` (called per packet: keep it cheap)."""
        if level <= VOICE_LEVEL:
            self._voiced[user_id] += 1

    def forget(self, user_id: int) -> None:
        self._voiced.pop(user_id, None)

    async def tick(self) -> None:
        """Close the current window: announce the speaker if it changed.

        Another voice takes over at once; silence only after ``QUIET_WINDOWS`` quiet windows,
        so pauses between words (or a beeping test microphone) do not flap the indicator.
        """
        top = self._voiced.most_common(1)
        for user, voiced in self._voiced.items():
            if voiced >= MIN_VOICED:
                self._talked(user, self._window)
        self._voiced.clear()
        speaker = top[0][0] if top and top[0][1] >= MIN_VOICED else None
        if speaker is None and self.speaker is not None:
            self._quiet += 1
            if self._quiet < QUIET_WINDOWS:
                return
        self._quiet = 0
        if speaker != self.speaker:
            self.speaker = speaker
            await self._announce(speaker)

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self._window)
            await self.tick()
