"""The BigBlueButton API's checksum: how an LMS proves it holds the shared secret.

The LMS sends ``checksum = hex(digest(call + query + secret))`` where ``query`` is the query
string exactly as it sent it, minus the ``checksum`` parameter. The digest is chosen by the
checksum's length (SHA-1 for BBB up to 2.x clients, SHA-256/384/512 for newer ones), so one
server serves every LMS plugin version. The raw string is hashed, never a re-encoding of the
parsed parameters: ``a+b`` and ``a%20b`` decode alike but hash differently, as on BBB.
"""

from __future__ import annotations

import hashlib
import hmac

DIGESTS = {40: "sha1", 64: "sha256", 96: "sha384", 128: "sha512"}
"""Hex length of a checksum -> the hash that makes it."""


def without_checksum(query: str) -> tuple[str, str | None]:
    """The raw query string with its ``checksum`` parameter taken out, and that checksum.

    The other parameters keep their order and their encoding byte for byte."""
    kept: list[str] = []
    checksum: str | None = None
    for part in query.split("&") if query else []:
        name, _, value = part.partition("=")
        if name == "checksum":
            checksum = value
        else:
            kept.append(part)
    return "&".join(kept), checksum


def checksum_of(call: str, query: str, secret: str, algorithm: str = "sha1") -> str:
    """The checksum an LMS computes for ``call`` with ``query`` (without ``checksum``)."""
    return hashlib.new(algorithm, (call + query + secret).encode()).hexdigest()


def checksum_matches(call: str, query: str, secret: str, presented: str | None) -> bool:
    """Whether ``presented`` is the checksum of ``call`` + ``query`` under ``secret``, by any
    of the digests BBB accepts; compared in constant time so a caller cannot learn the
    expected checksum byte by byte from response times."""
    if not presented or not secret:
        return False
    algorithm = DIGESTS.get(len(presented))
    if algorithm is None:
        return False
    expected = checksum_of(call, query, secret, algorithm)
    return hmac.compare_digest(expected.encode(), presented.lower().encode("ascii", "replace"))
