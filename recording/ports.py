"""What recording needs of the media it records: small interfaces the SFU happens to meet.

Why: data flows SFU -> recording -> vod. The recorder is just another subscriber of a
published track (as Galène's disk writer is just another client behind its up and down
tracks), so it names what it uses here and never imports the SFU; the composition root hands
it the real ones. Attribute names follow aiortc's (``mimeType``, ``clockRate``), since the SFU
passes aiortc's codec parameters through.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

import av
from av.stream import Stream


class Codec(Protocol):
    @property
    def mimeType(self) -> str: ...

    @property
    def clockRate(self) -> int: ...


class EncodedFrames(Protocol):
    """One subscription: encoded frames, RTP timestamps in ``pts``, until it is stopped."""

    async def recv(self) -> av.Packet[Stream]: ...

    def stop(self) -> None: ...


class TrackSource(Protocol):
    """A published track's frames, for any number of subscribers."""

    @property
    def codec(self) -> Codec: ...

    def subscribe(self) -> EncodedFrames: ...

    def request_keyframe(self) -> None: ...


class Publication(Protocol):
    """Who published a track, and what it is."""

    @property
    def publication_id(self) -> str: ...

    @property
    def participant_id(self) -> str: ...

    @property
    def kind(self) -> str: ...

    @property
    def codec(self) -> Codec: ...


class PublicationListener(Protocol):
    def published(self, track: Publication, source: TrackSource) -> None: ...

    def unpublished(self, publication_id: str) -> None: ...


class MediaRoom(Protocol):
    """A lecture's media: it tells its listeners of every track, those published before they
    came included."""

    def add_listener(self, listener: PublicationListener) -> None: ...

    def remove_listener(self, listener: PublicationListener) -> None: ...


class Nodes(Protocol):
    """The media nodes sharing the data directory (the SFU's ``MediaNodes`` meets it): a take
    names its node, so any node can tell one whose node died from one still running."""

    @property
    def node_id(self) -> str: ...

    async def alive(self, nodes: Iterable[str]) -> set[str]: ...
