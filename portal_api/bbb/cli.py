"""``qou-classroom bbb-secret [--rotate]``: what to paste into the LMS's BigBlueButton
settings. Registered by ``classroom_server.commands`` (the core's CLI never imports this)."""

from __future__ import annotations

from typing import Any

import click

from classroom_server.cli_common import data_options, run_with_database, settings_from
from portal_api.bbb.secret import rotate_secret, shared_secret


@click.command("bbb-secret")
@click.option(
    "--rotate",
    is_flag=True,
    help="Replace the secret; LMSs configured with the old one are refused from then on",
)
@data_options
def bbb_secret(rotate: bool, **flags: Any) -> None:
    """Show (made on first use) or rotate the BigBlueButton API's shared secret."""

    async def work(session: Any) -> str:
        secret = await (rotate_secret(session) if rotate else shared_secret(session))
        await session.commit()
        return secret

    click.echo(run_with_database(settings_from(**flags), work))
