"""What a subscriber's receiver reports say about its link: loss and round-trip time.

Each subscriber's RTCP receiver reports reach the aiortc ``RTCRtpSender`` that serves it,
which keeps the latest as a ``remote-inbound-rtp`` stats entry (``fractionLost`` as RTCP's
8-bit fraction, ``roundTripTime`` in seconds from the sender reports' LSR/DLSR). Reading the
stats costs one small coroutine per subscriber per check; nothing is added per packet.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiortc import RTCRtpSender


@dataclass(frozen=True, slots=True)
class LinkReport:
    loss: float
    """Fraction of packets lost since the previous report, 0..1."""
    rtt: float | None
    """Round-trip time in seconds, None until a report answered a sender report."""
    at: object = None
    """When the report arrived (tells a new report from the one read last time)."""


async def link_report(sender: RTCRtpSender) -> LinkReport | None:
    """The latest receiver report for ``sender``'s stream, None before the first."""
    stats = await sender.getStats()
    for entry in stats.values():
        if getattr(entry, "type", None) == "remote-inbound-rtp":
            fraction = getattr(entry, "fractionLost", 0) or 0
            rtt = getattr(entry, "roundTripTime", None)
            return LinkReport(loss=fraction / 256, rtt=rtt, at=getattr(entry, "timestamp", None))
    return None
