"""``qou-classroom lti ...`` (portal_api/lti/cli.py), run as an admin runs it against a real
server's data: a platform registered from the command line can launch, is listed, and once
removed is refused; what the admin pastes into the LMS is printed."""

from __future__ import annotations

import secrets

import aiohttp

from tests.conftest import Server, run_cli


def _register(server: Server, issuer: str, *extra: str) -> str:
    result = run_cli(
        "lti",
        "add-platform",
        "--issuer",
        issuer,
        "--client-id",
        "moodle-client",
        "--deployment-id",
        "1",
        "--deployment-id",
        "2",
        "--auth-url",
        f"{issuer}/mod/lti/auth.php",
        "--token-url",
        f"{issuer}/mod/lti/token.php",
        "--jwks-url",
        f"{issuer}/mod/lti/certs.php",
        *extra,
        *server.data_flags,
        check=False,
    )
    return result.stdout + result.stderr


async def test_an_admin_registers_lists_and_removes_a_platform(server: Server) -> None:
    issuer = f"https://moodle-{secrets.token_hex(3)}.example"
    shown = _register(server, issuer, "--tool-url", "https://classroom.example")
    assert "Registered platform" in shown
    for line in (
        "Initiate login URL:             https://classroom.example/lti/login",
        "Redirection URI(s):             https://classroom.example/lti/launch",
        "Public keyset URL (JWKS):       https://classroom.example/lti/jwks",
    ):
        assert line in shown
    platform_id = int(shown.split("Registered platform ", 1)[1].split(":", 1)[0])
    assert "already registered" in _register(server, issuer)

    listed = run_cli("lti", "list-platforms", *server.data_flags).stdout
    assert f"{platform_id}\t{issuer}\tmoodle-client\t1,2" in listed.splitlines()

    async with aiohttp.ClientSession() as http:
        query = {"iss": issuer, "login_hint": "2", "target_link_uri": "x"}
        async with http.get(
            server.url("/lti/login"), params=query, allow_redirects=False
        ) as response:
            assert response.status == 302
            assert response.headers["Location"].startswith(f"{issuer}/mod/lti/auth.php?")
        run_cli("lti", "remove-platform", str(platform_id), *server.data_flags)
        async with http.get(
            server.url("/lti/login"), params=query, allow_redirects=False
        ) as response:
            assert response.status == 403
    assert f"\t{issuer}\t" not in run_cli("lti", "list-platforms", *server.data_flags).stdout
    again = run_cli("lti", "remove-platform", str(platform_id), *server.data_flags, check=False)
    assert again.returncode != 0 and f"no platform {platform_id}" in again.stderr


def test_bad_urls_are_refused_with_the_reason(server: Server) -> None:
    result = run_cli(
        "lti",
        "add-platform",
        "--issuer",
        "https://lms.example",
        "--client-id",
        "c",
        "--deployment-id",
        "1",
        "--auth-url",
        "file:///etc/passwd",
        "--token-url",
        "https://lms.example/token",
        "--jwks-url",
        "https://lms.example/jwks",
        *server.data_flags,
        check=False,
    )
    assert result.returncode != 0
    assert "auth_url must be an http(s) URL" in result.stderr
