"""Live-room metrics on /metrics (the SFU adds its own here later)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

ROOM_EVENTS = Counter(
    "qou_room_events_total", "Client events in live rooms, by event and result", ["event", "result"]
)
ROOM_CONNECTIONS = Gauge("qou_room_connections", "Open /classroom connections in this process")
