"""Which local addresses the SFU's ICE agents gather host candidates on.

aioice 0.13 never offers 127.0.0.1 (``aioice.ice.get_host_addresses`` skips it), and it has no
per-connection setting for host addresses. Tests and benchmarks must keep every packet on
loopback, and a production SFU may want to pin one interface, so the lookup is wrapped once
per process and consults a context variable: only code running inside ``gathering_on(...)``
(and the tasks it spawns, which inherit the context) sees the pinned list; every other aiortc
user in the process keeps aioice's default. (aioice is patched through ``aiortc_internals``.)
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar

from aiortc import RTCBundlePolicy, RTCConfiguration, RTCIceServer

from signaling.sfu import aiortc_internals

LOOPBACK = ("127.0.0.1",)

_pinned: ContextVar[tuple[str, ...] | None] = ContextVar("sfu_ice_host_addresses", default=None)


def _host_addresses(
    aioice_lookup: aiortc_internals.HostLookup, use_ipv4: bool, use_ipv6: bool
) -> list[str]:
    pinned = _pinned.get()
    if pinned is None:
        return aioice_lookup(use_ipv4, use_ipv6)
    wanted = {4: use_ipv4, 6: use_ipv6}
    return [a for a in pinned if wanted[ipaddress.ip_address(a).version]]


aiortc_internals.replace_host_lookup(_host_addresses)


@contextmanager
def gathering_on(addresses: Sequence[str] | None) -> Iterator[None]:
    """Pin host candidates to ``addresses`` for ICE gathering started inside the block.

    aiortc gathers in ``setLocalDescription``; wrap that call. ``None`` keeps aioice's default.
    """
    token = _pinned.set(tuple(addresses) if addresses is not None else None)
    try:
        yield
    finally:
        _pinned.reset(token)


def configuration(
    addresses: Sequence[str] | None, servers: Sequence[RTCIceServer] | None = None
) -> RTCConfiguration:
    """The configured STUN/TURN servers, else none when host addresses are pinned: aiortc's
    default STUN server is on the internet, which a loopback-only deployment must never
    contact.

    Every m-line shares one transport (``max-bundle``). Why: under aiortc 1.16's default,
    "balanced", a new transceiver gets its own ICE/DTLS transport unless one of its kind
    exists, whose transport it then shares while being marked as already bundled. Applying
    a BUNDLE group moves only unmarked transceivers to the transport of the group's first
    m-line and stops the transports they leave, so when two m-lines of one kind are new in
    the same negotiation and the first m-line is of the other kind, the second (and any
    further) one stays on a stopped transport: DTLS "new", ICE "closed", no packet ever
    sent or received. Seen as a Chromium student who joins after camera, microphone and
    screen exist and whose one offer lists audio first (the order follows random track ids,
    so about one join in three) never getting the last video; the same hits a publisher who
    starts the microphone before the camera (the low camera copy, offered with the high
    one, never reached the SFU). Browsers always bundle, so max-bundle costs nothing."""
    if servers:
        return RTCConfiguration(iceServers=list(servers), bundlePolicy=RTCBundlePolicy.MAX_BUNDLE)
    return RTCConfiguration(
        iceServers=[] if addresses is not None else None,
        bundlePolicy=RTCBundlePolicy.MAX_BUNDLE,
    )


_allowed: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] | None = None


def _is_allowed(host: str) -> bool:
    if _allowed is None:
        return True
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False  # an mDNS name or junk: it cannot be checked against the networks
    return any(address in network for network in _allowed)


def accept_checks_from(networks: Sequence[str] | None) -> None:
    """Ignore remote candidates and incoming ICE checks from outside ``networks`` (CIDR),
    process-wide; ``None`` accepts every address (aioice's behaviour).

    Why: a browser on the same machine pairs all of its addresses with the SFU's, and the SFU
    would answer checks to any of them. A deployment (or a loopback-only test) that must
    keep media on given networks drops the rest before aioice ever sees them: no pair is
    formed, no response is sent."""
    global _allowed
    _allowed = (
        None if networks is None else tuple(ipaddress.ip_network(n, strict=False) for n in networks)
    )
    aiortc_internals.screen_remote_hosts(_is_allowed)
