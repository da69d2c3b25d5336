"""Ids read from URL paths: ASCII digits only, within the database's integer range.

``str.isdigit()`` is true for superscripts and other scripts' digits (Arabic-Indic,
fullwidth), which ``int()`` then either refuses (a 500) or reads as a number nobody typed; and
``\\d`` in Python's ``re`` (and in pydantic's patterns) matches every Unicode decimal digit too.
So ids are matched against ``[0-9]`` here, once, and every route taking an id from its path
goes through this.
"""

from __future__ import annotations

import re

from aiohttp import web

from classroom_server.web_problems import not_found

# Ids are INTEGER columns: 32-bit on PostgreSQL, which refuses a larger parameter outright.
MAX_ID = 2**31 - 1
_ASCII_ID = re.compile(r"[0-9]{1,10}")


def parse_id(raw: str) -> int | None:
    """The id ``raw`` spells in ASCII digits, or None when it names nothing that can exist."""
    if not _ASCII_ID.fullmatch(raw):
        return None
    value = int(raw)
    return value if value <= MAX_ID else None


def path_id(request: web.Request, name: str, what: str) -> int:
    """The path parameter ``name`` as an id; anything else is a 404 naming ``what``."""
    raw = request.match_info[name]
    value = parse_id(raw)
    if value is None:
        raise not_found(f"{what} {raw!r}")
    return value
