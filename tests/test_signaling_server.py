"""The Socket.IO server's wiring."""

from __future__ import annotations

from signaling.server import emit_channel


def test_each_redis_database_has_its_own_room_emits() -> None:
    """Pub/sub ignores the database number: two clusters on one Redis must not share rooms."""
    assert emit_channel("redis://127.0.0.1:6379/11") == "qou:socketio:11"
    assert emit_channel("redis://127.0.0.1:6379") == "qou:socketio:0"
    assert emit_channel("rediss://u:p@cache:6380/?db=4") == "qou:socketio:4"
    assert emit_channel("redis://h/1") != emit_channel("redis://h/2")
