"""Security headers on every response, whoever made it (API, files, errors, Socket.IO).

The web client is a bundle of files under /assets with no inline script or style, so the
Content-Security-Policy allows scripts and styles from this origin only: an injected
``<script>`` or ``onclick=`` does not run. hls.js plays through MediaSource (``blob:`` media)
and parses in a ``blob:`` worker; stills and Swagger UI's icons are ``data:`` images. Nothing
may frame the app (clickjacking), browsers must not guess content types (an uploaded file
served as HTML), and other sites get no Referer (calendar feed URLs carry a token). HSTS only
when the operator says the site is HTTPS (``QOU_SECURE_COOKIES``): sent over plain HTTP it
would lock browsers out of a test install.
"""

from __future__ import annotations

from aiohttp import web

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "media-src 'self' blob:",
        "worker-src 'self' blob:",
        "connect-src 'self'",
        "font-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(self), microphone=(self), display-capture=(self), "
    "geolocation=(), payment=(), usb=()",
}
HSTS = "max-age=31536000"


def setup_security_headers(app: web.Application, https: bool) -> None:
    headers = {**HEADERS, **({"Strict-Transport-Security": HSTS} if https else {})}

    async def add_headers(_request: web.Request, response: web.StreamResponse) -> None:
        for name, value in headers.items():
            response.headers.setdefault(name, value)

    app.on_response_prepare.append(add_headers)
