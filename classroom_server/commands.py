"""The ``qou-classroom`` command: the core's commands and every other package's, registered in
one place (with ``web_app``, the composition root: the core's own CLI never imports them)."""

from __future__ import annotations

from classroom_server.cli import main
from portal_api.bbb.cli import bbb_secret
from portal_api.lti.cli import lti_group
from vod.cli import vod_group, worker

main.add_command(vod_group)
main.add_command(worker)
main.add_command(bbb_secret)
main.add_command(lti_group)

__all__ = ["main"]
