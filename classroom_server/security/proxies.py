"""Which address a request came from, when reverse proxies stand in front of the server.

Behind a proxy every request's TCP peer is the proxy, so a per-address login throttle would
lump all students together (and one guesser would lock the whole university out). Only a proxy
the operator named (``QOU_TRUSTED_PROXIES``) may say who the client is, in X-Forwarded-For;
anyone else could write any address there. Each proxy appends the peer it saw, so the header is
read from the right and the first hop that is not itself a trusted proxy is the client.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

from aiohttp import web

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address
# More hops than any real chain of proxies; the rest of a longer header is never read.
MAX_HOPS = 16


@dataclass(frozen=True)
class ProxyPolicy:
    trusted: tuple[Network, ...] = ()

    @classmethod
    def from_settings(cls, networks: Iterable[str]) -> ProxyPolicy:
        return cls(tuple(ipaddress.ip_network(n, strict=False) for n in networks))

    def client(self, peer: str | None, forwarded_for: Iterable[str]) -> str:
        """The rightmost hop not a trusted proxy; the peer itself unless the peer is trusted.

        A hop that is not an IP address ends the walk at the last good one: a trusted proxy
        never writes one, so it came from further left, where anyone can write anything."""
        if peer is None:
            return "unknown"
        if not self.trusted or not self._is_trusted(_address(peer)):
            return peer
        hops = [hop.strip() for value in forwarded_for for hop in value.split(",")]
        client = peer
        for hop in reversed(hops[-MAX_HOPS:]):
            address = _address(hop)
            if address is None:
                break
            client = str(address)
            if not self._is_trusted(address):
                break
        return client

    def _is_trusted(self, address: Address | None) -> bool:
        if address is None:
            return False
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        return any(address in network for network in self.trusted)


def _address(text: str) -> Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


PROXY_POLICY = web.AppKey("proxy_policy", ProxyPolicy)
CLIENT_ADDRESS = web.RequestKey("client_address", str)


def client_address(request: web.Request) -> str:
    """The client's address for throttling and logs, worked out once per request."""
    cached = request.get(CLIENT_ADDRESS)
    if cached is None:
        policy = request.config_dict.get(PROXY_POLICY) or ProxyPolicy()
        cached = policy.client(request.remote, request.headers.getall("X-Forwarded-For", []))
        request[CLIENT_ADDRESS] = cached
    return cached
