"""A room's media: who publishes which tracks, and who receives them.

Holds the map publication id -> ``Forwarder`` and each participant's ``Connection``. Which
tracks a participant should receive is a business rule (lecture vs office hours, moderation),
so it stays with the caller: this class only executes ``subscribe``/``unsubscribe`` and says
when a track appears or goes away through ``on_published``/``on_unpublished``.

Components that need every track's encoded frames (the recorder) attach as a
``RoomMediaListener``: unlike the single callbacks, any number can come and go while the
room runs, and a late listener is told about the tracks already published so it never has
to race the publishers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from aiortc import RTCIceServer

from signaling.sfu.connection import Connection, PublishedTrack, SendOffer
from signaling.sfu.forwarder import Forwarder
from signaling.sfu.metrics import RoomCounters
from signaling.sfu.subscriber_track import SubscriberTrack


class RoomMediaListener(Protocol):
    """Told when a publication appears (with its forwarder) and when it goes away."""

    def published(self, track: PublishedTrack, forwarder: Forwarder) -> None: ...

    def unpublished(self, publication_id: str) -> None: ...


class RoomMedia:
    """One room's SFU state; see the module docstring."""

    connection_type: type[Connection] = Connection
    """What ``connect`` builds (``bench/sfu_fanout.py`` swaps in aiortc's own senders)."""

    def __init__(
        self,
        room_id: str,
        *,
        host_addresses: Sequence[str] | None = None,
        on_published: Callable[[PublishedTrack], None] | None = None,
        on_unpublished: Callable[[str], None] | None = None,
        ice_servers: Sequence[RTCIceServer] | None = None,
    ) -> None:
        self.room_id = room_id
        self._ice_servers = ice_servers
        self.counters = RoomCounters.for_room(room_id)
        self._host_addresses = host_addresses
        self._on_published = on_published
        self._on_unpublished = on_unpublished
        self.connections: dict[str, Connection] = {}
        self.publications: dict[str, PublishedTrack] = {}
        self.forwarders: dict[str, Forwarder] = {}
        self._subscriptions: dict[tuple[str, str], SubscriberTrack] = {}
        self._listeners: list[RoomMediaListener] = []

    def add_listener(self, listener: RoomMediaListener) -> None:
        """Attach a listener; it is told at once about every track already published."""
        if listener in self._listeners:
            return
        self._listeners.append(listener)
        for publication_id, published in list(self.publications.items()):
            listener.published(published, self.forwarders[publication_id])

    def remove_listener(self, listener: RoomMediaListener) -> None:
        """Detach a listener; it hears nothing more (no unpublished calls for live tracks)."""
        if listener in self._listeners:
            self._listeners.remove(listener)

    def connect(self, participant_id: str, send_offer: SendOffer | None = None) -> Connection:
        """The participant's connection, created on first use."""
        connection = self.connections.get(participant_id)
        if connection is None:
            connection = self.connection_type(
                participant_id,
                on_publish=self._publish,
                send_offer=send_offer,
                host_addresses=self._host_addresses,
                ice_servers=self._ice_servers,
            )
            self.connections[participant_id] = connection
        return connection

    def _publish(self, published: PublishedTrack) -> None:
        publication_id = published.publication_id
        forwarder = Forwarder(published.codec, published.tap, self.counters)
        published.tap.deliver_to(forwarder.push, on_pli=self.counters.keyframe_requests.inc)
        self.publications[publication_id] = published
        self.forwarders[publication_id] = forwarder
        published.track.once("ended", lambda: self._unpublish(publication_id))
        if self._on_published is not None:
            self._on_published(published)
        for listener in list(self._listeners):
            listener.published(published, forwarder)

    def unpublish(self, publication_id: str) -> None:
        """End a publication the publisher said it stopped (its receiver may linger)."""
        self._unpublish(publication_id)

    def _unpublish(self, publication_id: str) -> None:
        forwarder = self.forwarders.pop(publication_id, None)
        self.publications.pop(publication_id, None)
        if forwarder is None:
            return
        forwarder.close()
        for key in [k for k in self._subscriptions if k[1] == publication_id]:
            del self._subscriptions[key]
        if self._on_unpublished is not None:
            self._on_unpublished(publication_id)
        for listener in list(self._listeners):
            listener.unpublished(publication_id)

    def subscribe(self, participant_id: str, publication_id: str) -> SubscriberTrack:
        """Send a publication to a participant; the connection re-offers to deliver it."""
        key = (participant_id, publication_id)
        existing = self._subscriptions.get(key)
        if existing is not None and existing.readyState == "live":
            return existing
        track = self.connections[participant_id].subscribe(self.forwarders[publication_id])
        self._subscriptions[key] = track
        return track

    def unsubscribe(self, participant_id: str, publication_id: str) -> None:
        track = self._subscriptions.pop((participant_id, publication_id), None)
        if track is not None:
            track.stop()

    async def disconnect(self, participant_id: str) -> None:
        """Close the participant's connection, its publications and its subscriptions."""
        connection = self.connections.pop(participant_id, None)
        for key in [k for k in self._subscriptions if k[0] == participant_id]:
            self._subscriptions.pop(key).stop()
        for publication_id in [
            p for p, t in self.publications.items() if t.participant_id == participant_id
        ]:
            self._unpublish(publication_id)
        if connection is not None:
            await connection.close()

    async def close(self) -> None:
        for participant_id in list(self.connections):
            await self.disconnect(participant_id)
        RoomCounters.forget(self.room_id)
