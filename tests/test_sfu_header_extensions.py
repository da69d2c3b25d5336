"""The SFU's offers keep the header extension ids the browser chose (see the module)."""

from __future__ import annotations

from signaling.sfu.header_extensions import ExtensionIds

TCC = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"
MID = "urn:ietf:params:rtp-hdrext:sdes:mid"
LEVEL = "urn:ietf:params:rtp-hdrext:ssrc-audio-level"
PLAYOUT = "http://www.webrtc.org/experiments/rtp-hdrext/playout-delay"

CHROMIUM_OFFER = (
    f"m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=extmap:1 {LEVEL}\r\na=extmap:3 {TCC}\r\n"
    f"a=extmap:4 {MID}\r\nm=video 9 UDP/TLS/RTP/SAVPF 102\r\na=extmap:3 {TCC}\r\n"
    f"a=extmap:4 {MID}\r\na=extmap:5 {PLAYOUT}\r\n"
)
AIORTC_OFFER = (
    f"m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=extmap:1 {MID}\r\na=extmap:2 {LEVEL}\r\n"
    f"a=extmap:5 {TCC}\r\na=extmap:6/sendonly urn:example:new\r\n"
)


def test_offers_reuse_the_browsers_ids_and_give_new_extensions_a_free_one() -> None:
    ids = ExtensionIds()
    ids.learn(CHROMIUM_OFFER)
    offer = ids.apply(AIORTC_OFFER)
    assert offer == (
        f"m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=extmap:4 {MID}\r\na=extmap:1 {LEVEL}\r\n"
        f"a=extmap:3 {TCC}\r\na=extmap:6/sendonly urn:example:new\r\n"
    )
    assert ids.apply(AIORTC_OFFER) == offer  # stable from one offer to the next


def test_a_proposed_id_the_browser_gave_to_another_extension_is_not_reused() -> None:
    ids = ExtensionIds()
    ids.learn(CHROMIUM_OFFER)
    offer = ids.apply("a=extmap:5 urn:example:other\r\n")
    assert offer == "a=extmap:2 urn:example:other\r\n"  # 5 is playout-delay's


def test_a_client_that_answers_first_keeps_the_sfus_ids() -> None:
    ids = ExtensionIds()
    assert ids.apply(AIORTC_OFFER) == AIORTC_OFFER
    ids.learn(AIORTC_OFFER)  # the answer echoes them
    assert ids.apply(AIORTC_OFFER) == AIORTC_OFFER
