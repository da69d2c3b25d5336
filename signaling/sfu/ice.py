"""Which local addresses the SFU's ICE agents gather host candidates on.

aioice 0.13 never offers 127.0.0.1 (``aioice.ice.get_host_addresses`` skips it), and it has no
per-connection setting for host addresses. Tests and benchmarks must keep every packet on
loopback, and a production SFU may want to pin one interface, so the lookup is wrapped once
per process and consults a context variable: only code running inside ``gathering_on(...)``
(and the tasks it spawns, which inherit the context) sees the pinned list; every other aiortc
user in the process keeps aioice's default.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar

import aioice.ice
from aiortc import RTCConfiguration

LOOPBACK = ("127.0.0.1",)

_pinned: ContextVar[tuple[str, ...] | None] = ContextVar("sfu_ice_host_addresses", default=None)
_aioice_lookup = aioice.ice.get_host_addresses


def _host_addresses(use_ipv4: bool, use_ipv6: bool) -> list[str]:
    pinned = _pinned.get()
    if pinned is None:
        return _aioice_lookup(use_ipv4, use_ipv6)
    wanted = {4: use_ipv4, 6: use_ipv6}
    return [a for a in pinned if wanted[ipaddress.ip_address(a).version]]


aioice.ice.get_host_addresses = _host_addresses


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


def configuration(addresses: Sequence[str] | None) -> RTCConfiguration:
    """No STUN/TURN when host addresses are pinned: aiortc's default STUN server is on the
    internet, which a loopback-only deployment must never contact."""
    return RTCConfiguration(iceServers=[] if addresses is not None else None)
