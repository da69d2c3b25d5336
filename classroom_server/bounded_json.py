"""JSON from the outside, parsed with a bound on nesting depth.

``json.loads`` recurses once per nesting level, and so do the walks and pydantic validation that
follow it: a 2 KB body of a thousand ``[`` ends in RecursionError, a 500 on any route that takes
JSON (``/auth/token`` included, anonymously). No request of this API nests more than a handful
of levels, so anything deeper than ``MAX_DEPTH`` is refused before anything recursive sees it.
"""

from __future__ import annotations

import json
from typing import Any

MAX_DEPTH = 32


class JsonTooDeep(ValueError):
    """The document nests arrays and objects deeper than allowed."""


def loads(text: str, max_depth: int = MAX_DEPTH) -> Any:
    """``json.loads(text)``, or JsonTooDeep; malformed text raises json.JSONDecodeError."""
    try:
        data = json.loads(text)
    except RecursionError as exc:  # deeper than the interpreter's stack allows
        raise JsonTooDeep(f"JSON nests deeper than {max_depth} levels") from exc
    if depth(data) > max_depth:
        raise JsonTooDeep(f"JSON nests deeper than {max_depth} levels")
    return data


def depth(data: Any) -> int:
    """Nesting depth of parsed JSON (a scalar is 0, ``[]`` is 1), without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        level += 1
        deepest = max(deepest, level)
        stack.extend((child, level) for child in children)
    return deepest
