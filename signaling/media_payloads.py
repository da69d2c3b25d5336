"""Validated shapes of the client → server media signalling events (``media:*``).

An SDP is bounded well under the Socket.IO message limit (64 KiB): a browser's offer with a
handful of tracks is 5-15 KB.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

MAX_SDP_CHARS = 48_000
Sdp = Annotated[str, Field(min_length=10, max_length=MAX_SDP_CHARS)]
TrackId = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[\x21-\x7e]+$")]
Source = Literal["camera", "microphone", "screen"]
Quality = Literal["high", "low"]


class MediaPayload(BaseModel):
    model_config = ConfigDict(extra="forbid")


Mid = Annotated[str, Field(min_length=1, max_length=16, pattern=r"^[A-Za-z0-9_-]+$")]


class TrackInfo(MediaPayload):
    source: Source
    quality: Quality = "high"


class Offer(MediaPayload):
    type: Literal["offer"]
    sdp: Sdp
    # What the offer's sending m-lines carry, by mid (browsers: their msid track ids are
    # not the MediaStreamTrack ids, but mids are known once the offer is made).
    tracks: Annotated[dict[Mid, TrackInfo], Field(max_length=16)] = {}


class Answer(MediaPayload):
    type: Literal["answer"]
    sdp: Sdp


class Publish(MediaPayload):
    track_id: TrackId
    source: Source
    quality: Quality = "high"


class Unpublish(MediaPayload):
    """By track id (as in the SDP's msid) or by the mid that sends it."""

    track_id: TrackId | None = None
    mid: Mid | None = None


class Prefer(MediaPayload):
    video: StrictBool = True
    quality: Quality | None = None  # None: the server adapts to the receiver's link


class Join(Prefer):
    # True after a Socket.IO reconnect while the browser's peer connection still works: the
    # server gives it back (kept for ``RESUME_SECONDS``) instead of starting over.
    resume: StrictBool = False


class Empty(MediaPayload):
    pass
