"""One published track recorded for one take: a subscriber of its forwarder that writes.

The recorder is just another subscriber (a queue-fed ``SubscriberTrack``, no transport), so
the SFU treats it like a student: it starts on a keyframe, and a recorder that falls behind
skips to the next keyframe instead of slowing the lecture. RTP timestamps (rebased to 0 by
aiortc, in the codec's clock) are turned into media time by anchoring the first frame of the
take to the media clock at its arrival; later frames keep their RTP spacing, so jitter in
arrival does not become jitter in the file.

While a video track records, a keyframe is requested every ``KEYFRAME_SECONDS``: Chromium
sends one at the start and then only when asked, and a stream-copied recording can only be
cut (HLS segments, seeking) at keyframes.
"""

from __future__ import annotations

import asyncio
import logging

from aiortc.mediastreams import MediaStreamError

from recording.marks import MediaClock
from recording.ports import TrackSource
from recording.segment_writer import SegmentWriter

log = logging.getLogger(__name__)
KEYFRAME_SECONDS = 4.0


class TrackRecorder:
    def __init__(self, forwarder: TrackSource, writer: SegmentWriter, clock: MediaClock) -> None:
        self._forwarder = forwarder
        self._writer = writer
        self._clock = clock
        self._clock_rate = forwarder.codec.clockRate
        self._anchor: tuple[int, float] | None = None  # (RTP timestamp, media seconds)
        self._track = forwarder.subscribe()
        self._tasks = [asyncio.get_running_loop().create_task(self._drain())]
        if writer.kind == "video":
            self._tasks.append(asyncio.get_running_loop().create_task(self._ask_for_keyframes()))

    @property
    def frames(self) -> int:
        return self._writer.frames

    async def _drain(self) -> None:
        try:
            while True:
                packet = await self._track.recv()
                self.write(bytes(packet), int(packet.pts or 0), bool(packet.is_keyframe))
        except MediaStreamError:
            pass  # the publication ended or the take stopped
        except Exception:
            log.exception("recording a %s track failed; it stops here", self._writer.kind)
        finally:
            self._writer.close()

    def write(self, data: bytes, timestamp: int, keyframe: bool) -> None:
        arrived = self._clock.media_time()
        if arrived is None:
            return  # between takes
        if self._anchor is None:
            self._anchor = (timestamp, arrived)
        rtp0, media0 = self._anchor
        self._writer.write(data, media0 + (timestamp - rtp0) / self._clock_rate, keyframe)

    async def _ask_for_keyframes(self) -> None:
        while True:
            await asyncio.sleep(KEYFRAME_SECONDS)
            self._forwarder.request_keyframe()

    async def stop(self) -> None:
        """Ends the take for this track: the subscription, the keyframe requests, the file."""
        self._track.stop()
        for task in self._tasks[1:]:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
