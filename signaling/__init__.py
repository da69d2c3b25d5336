"""Socket.IO server, WebRTC signalling and the SFU."""

from signaling.server import create_sio

__all__ = ["create_sio"]
