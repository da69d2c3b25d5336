"""``qou-classroom lti ...``: registering the LMSs that launch the tool, and what to paste into
their tool registration. Registered by ``classroom_server.commands``."""

from __future__ import annotations

from typing import Any

import click

from classroom_server.cli_common import data_options, run_with_database, settings_from
from classroom_server.lti_platforms import (
    PlatformExists,
    PlatformRefused,
    Registration,
    add_platform,
    list_platforms,
    remove_platform,
)
from portal_api.lti.deep_linking import PICK_PATH
from portal_api.lti.keys import rotate_key
from portal_api.lti.routes import JWKS_PATH, LAUNCH_PATH, LOGIN_PATH

TOOL_URL = click.option(
    "--tool-url",
    default="https://your-host",
    show_default=True,
    help="Where browsers reach this server, for the URLs printed",
)


def tool_urls(base: str) -> str:
    base = base.rstrip("/")
    return "\n".join(
        [
            f"Tool URL / target link URI:     {base}{LAUNCH_PATH}",
            f"Initiate login URL:             {base}{LOGIN_PATH}",
            f"Redirection URI(s):             {base}{LAUNCH_PATH}",
            f"Public keyset URL (JWKS):       {base}{JWKS_PATH}",
            f"Deep linking (content) URL:     {base}{LAUNCH_PATH}",
            f"(the deep linking picker posts to {base}{PICK_PATH})",
        ]
    )


@click.group("lti")
def lti_group() -> None:
    """LTI 1.3: the LMS platforms that may launch QOU Classroom."""


@lti_group.command("add-platform")
@click.option("--issuer", required=True, help="The platform's issuer (iss), e.g. Moodle's URL")
@click.option("--client-id", required=True, help="The client id the LMS gave the tool")
@click.option(
    "--deployment-id", "deployment_ids", required=True, multiple=True, help="Repeat for several"
)
@click.option("--auth-url", required=True, help="The platform's OIDC authentication URL")
@click.option("--token-url", required=True, help="The platform's access token URL")
@click.option("--jwks-url", required=True, help="The platform's public keyset URL")
@TOOL_URL
@data_options
def add_platform_command(tool_url: str, **flags: Any) -> None:
    """Register a platform, and print the URLs to give the LMS."""
    fields = {k: flags.pop(k) for k in list(flags) if k not in ("data_dir", "database_url")}
    registration = Registration(**{**fields, "deployment_ids": tuple(fields["deployment_ids"])})

    async def work(session: Any) -> int:
        row = await add_platform(session, registration)
        await session.commit()
        return row.id

    try:
        platform_id = run_with_database(settings_from(**flags), work)
    except (PlatformRefused, PlatformExists) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Registered platform {platform_id}: {registration.issuer}")
    click.echo(tool_urls(tool_url))


@lti_group.command("list-platforms")
@data_options
def list_platforms_command(**flags: Any) -> None:
    """The registered platforms, one a line: id, issuer, client id, deployments."""

    async def work(session: Any) -> list[str]:
        return [
            f"{p.id}\t{p.issuer}\t{p.client_id}\t{','.join(p.deployment_ids)}"
            for p in await list_platforms(session)
        ]

    for line in run_with_database(settings_from(**flags), work):
        click.echo(line)


@lti_group.command("remove-platform")
@click.argument("platform_id", type=int)
@data_options
def remove_platform_command(platform_id: int, **flags: Any) -> None:
    """Forget a platform: its launches are refused from then on."""

    async def work(session: Any) -> bool:
        removed = await remove_platform(session, platform_id)
        await session.commit()
        return removed

    if not run_with_database(settings_from(**flags), work):
        raise click.ClickException(f"no platform {platform_id}")
    click.echo(f"Removed platform {platform_id}")


@lti_group.command("urls")
@TOOL_URL
def urls_command(tool_url: str) -> None:
    """The URLs to paste into the LMS's registration of the tool."""
    click.echo(tool_urls(tool_url))


@lti_group.command("rotate-key")
@data_options
def rotate_key_command(**flags: Any) -> None:
    """A new signing key for the tool; the old one stays published for a week."""

    async def work(session: Any) -> str:
        key = await rotate_key(session)
        await session.commit()
        return key.kid

    click.echo(f"New key {run_with_database(settings_from(**flags), work)}")
