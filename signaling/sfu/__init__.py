"""The SFU: forwards encoded media between aiortc peer connections without decoding.

Publisher receivers are tapped before their decoder (``receiver_tap``); each published track
has a ``Forwarder`` that fans frames out to ``SubscriberTrack``s, which send them straight onto
each subscriber's transport (``direct_sender``) or queue them for a local consumer (the
recorder). ``Connection`` wraps one participant's RTCPeerConnection and ``RoomMedia`` wires
publishers to subscribers within a room. Only ``aiortc_internals`` touches aiortc's and
aioice's private internals; ``tests/test_sfu_aiortc_internals.py`` checks each of them.
"""
