"""TURN that is tested (issue 10 item 5): a real coturn beside the server, and a student whose
network drops every UDP packet to the server. The student's page must play the educator's
camera and microphone through the relay (TURN over TCP), and its selected candidate pair must
be a relayed one.

coturn and the server run with exactly the configuration in README.md's "Media behind NAT
(coturn)" section, read from it here (only its example address is replaced by the server
namespace's), so the README cannot drift from what is tested. Needs root, ``ip``, ``tc``,
``nft`` and ``turnserver`` (Debian: iproute2, nftables, coturn), else skips.
"""

from __future__ import annotations

import re
import shlex
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Page

from tests import netns
from tests.conftest import unless_missing
from tests.netns_room import Classroom, classroom, report, wait_for_media

README = Path(__file__).resolve().parent.parent / "README.md"
README_ADDRESS = "203.0.113.10"
TURN_PORT = 3478


def _missing() -> str | None:
    if shutil.which("turnserver") is None:
        return "missing turnserver (apt-get install coturn)"
    return netns.missing()


pytestmark = [
    pytest.mark.browser,
    unless_missing(_missing()),
]


def readme_setup() -> tuple[list[str], list[str]]:
    """The coturn configuration lines and the ``serve`` flags of README.md's coturn section,
    with the server namespace's address in place of the example address."""
    text = README.read_text()
    section = text.split("### Media behind NAT (coturn)", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"^```\n(.*?)^```", section, flags=re.M | re.S)
    assert len(blocks) == 2, f"README's coturn section should hold two code blocks: {blocks}"
    config, command = (block.replace(README_ADDRESS, netns.SERVER_IP) for block in blocks)
    lines = [line for line in config.splitlines() if line and not line.startswith("#")]
    words = shlex.split(command.replace("\\\n", " "))
    assert words[:2] == ["qou-classroom", "serve"], words
    return lines, words[2:]


def start_coturn(namespace: netns.Namespace, config: list[str], tmp: Path) -> None:
    path = tmp / "turnserver.conf"
    path.write_text("\n".join(config) + "\n")
    log = tmp / "turnserver.log"
    command = [
        "turnserver", "-c", str(path), "--log-file", str(log), "--simple-log",
        "--no-stdout-log", "--pidfile", str(tmp / "turnserver.pid"),
    ]  # fmt: skip
    process = namespace.popen(command, (tmp / "turnserver.out").open("ab"))
    try:
        namespace.wait_listening(netns.SERVER_IP, TURN_PORT, process)
    except RuntimeError as error:
        raise RuntimeError(f"{error}: {log.read_text()[-2000:] if log.exists() else ''}") from None


@pytest.fixture(scope="module")
async def room(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Classroom]:
    config, flags = readme_setup()
    with netns.two_namespaces() as link:
        tmp = tmp_path_factory.mktemp("turn")
        start_coturn(link.server, config, tmp)
        link.block_udp_to_server()
        async with classroom(
            link, tmp, [*flags, "--ice-allow", netns.SUBNET], "Behind a firewall"
        ) as lecture:
            yield lecture


# The candidate pair the page's peer connection uses now, with both candidates.
_SELECTED = """async () => {
  for (const pc of window.qouPeerConnections ?? []) {
    if (pc.connectionState === "closed") continue;
    const stats = await pc.getStats();
    for (const r of stats.values()) {
      if (r.type !== "transport" || !r.selectedCandidatePairId) continue;
      const pair = stats.get(r.selectedCandidatePairId);
      const local = stats.get(pair.localCandidateId);
      const remote = stats.get(pair.remoteCandidateId);
      return { state: pair.state, local: { type: local.candidateType,
        protocol: local.protocol, relayProtocol: local.relayProtocol, address: local.address,
        port: local.port, url: local.url }, remote: { type: remote.candidateType,
        protocol: remote.protocol, address: remote.address, port: remote.port } };
    }
  }
  return null;
}"""


async def selected_pair(page: Page) -> Any:
    return await page.evaluate(_SELECTED)


async def test_a_student_without_udp_gets_the_lecture_through_turn_over_tcp(
    room: Classroom,
) -> None:
    async with room.student() as student:
        try:
            got = await wait_for_media(student)
        except AssertionError as error:
            log = room.tmp / "turnserver.log"
            raise AssertionError(
                f"{error}; pair {await selected_pair(student)}; "
                f"coturn: {log.read_text()[-2000:] if log.exists() else ''}"
            ) from None
        pair = await selected_pair(student)
        blocked = room.link.udp_blocked()
        camera = next(s for s in got.values() if s["source"] == "camera")
        report(
            "TURN over TCP",
            local=f"{pair['local']['type']}/{pair['local']['relayProtocol']}",
            remote=f"{pair['remote']['type']}/{pair['remote']['protocol']}",
            camera_width=camera["width"],
            udp_dropped=blocked,
        )
        assert pair["local"]["type"] == "relay", pair
        assert pair["local"]["relayProtocol"] == "tcp", pair
        assert pair["local"]["url"].endswith("transport=tcp"), pair
        # The student did try UDP to the server, and the firewall dropped it.
        assert blocked > 0
