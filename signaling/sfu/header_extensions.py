"""One id per RTP header extension for the whole life of a connection.

Why: aiortc's ``createOffer`` gives every m-line its built-in extension ids (mid 1, audio
level 2, transport-cc 5), whatever the browser chose when it offered first (Chromium: audio
level 1, transport-cc 3, mid 4, 5 for playout-delay). In one BUNDLE the ids must agree:
Chromium applies a re-offer's transport-cc id to the streams it already sends, and an id it
has given to another extension kills the page (``Check failed: registered`` in
rtp_rtcp_impl2.cc), as seen when a student's microphone was re-offered to a publishing
educator. The SFU therefore learns the ids from each SDP the client sends and rewrites its
own offers to use them; an extension the client never named gets a free id.
"""

from __future__ import annotations

import re

_EXTMAP = re.compile(r"^a=extmap:(\d+)(/\w+)? (\S+)", re.MULTILINE)
_IDS = range(1, 15)  # one-byte header form


class ExtensionIds:
    """The extension ids a connection has agreed on, by URI."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}

    def learn(self, sdp: str) -> None:
        """Take the ids of a description the client sent (offer or answer)."""
        for number, _, uri in _EXTMAP.findall(sdp):
            self.ids[uri] = int(number)

    def apply(self, sdp: str) -> str:
        """``sdp`` (the SFU's own offer) with every extension on its agreed id."""
        return _EXTMAP.sub(
            lambda m: f"a=extmap:{self._id(m[3], int(m[1]))}{m[2] or ''} {m[3]}", sdp
        )

    def _id(self, uri: str, proposed: int) -> int:
        if uri not in self.ids:
            taken = set(self.ids.values())
            self.ids[uri] = proposed if proposed not in taken else min(set(_IDS) - taken)
        return self.ids[uri]
