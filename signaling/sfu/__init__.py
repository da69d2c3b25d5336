"""The SFU: forwards encoded media between aiortc peer connections without decoding.

Publisher receivers are tapped before their decoder (``receiver_tap``); each published track
has a ``Forwarder`` that fans frames out to ``SubscriberTrack``s, which send them on each
subscriber's transport directly (``sender_tap``) or through aiortc's senders. ``Connection``
wraps one participant's RTCPeerConnection and ``RoomMedia`` wires publishers to subscribers
within a room. Only ``receiver_tap`` and ``sender_tap`` touch aiortc internals.
"""
