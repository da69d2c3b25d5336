"""Per-room media gauges on /metrics: how many tracks are published and subscribed.

Set after every reconciliation (``LectureMedia.sync``), never per packet; a closed room's
series are removed so label cardinality follows live rooms only.
"""

from __future__ import annotations

import contextlib

from prometheus_client import Gauge

PUBLICATIONS = Gauge("qou_sfu_publications", "Tracks published in the room", ["room"])
PUBLISHERS = Gauge("qou_sfu_publishers", "Participants publishing at least one track", ["room"])
SUBSCRIPTIONS = Gauge("qou_sfu_subscriptions", "Track subscriptions in the room", ["room"])
SUBSCRIBERS = Gauge("qou_sfu_subscribers", "Participants with a media connection", ["room"])
GAUGES = (PUBLICATIONS, PUBLISHERS, SUBSCRIPTIONS, SUBSCRIBERS)


def record(
    room: str, publishers: set[int], publications: int, subscriptions: int, subscribers: int
) -> None:
    PUBLICATIONS.labels(room=room).set(publications)
    PUBLISHERS.labels(room=room).set(len(publishers))
    SUBSCRIPTIONS.labels(room=room).set(subscriptions)
    SUBSCRIBERS.labels(room=room).set(subscribers)


def forget(room: str) -> None:
    for gauge in GAUGES:
        with contextlib.suppress(KeyError):
            gauge.remove(room)
