"""Bad payloads derived from the room's payload models, so a new event or field is covered
without anyone remembering to add it to a list."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from classroom_server.room import EVENTS
from classroom_server.room.payloads import Payload

Path = tuple[str | int, ...]
ID_MAXIMUM = 2**53  # the payloads' Id type: what marks a field as naming a row


def leaves(schema: dict[str, Any], path: Path = ()) -> Iterator[tuple[Path, dict[str, Any]]]:
    """Every scalar field's location and JSON schema; a list stands for its first item."""
    for option in schema.get("anyOf", []):
        if option.get("type") != "null":
            yield from leaves(option, path)
    if "properties" in schema:
        for name, sub in schema["properties"].items():
            yield from leaves(sub, (*path, name))
    elif schema.get("type") == "array" and "items" in schema and "prefixItems" not in schema:
        yield from leaves(schema["items"], (*path, 0))
    elif "type" in schema and schema["type"] not in ("array", "object"):
        yield path, schema


def fields(model: type[Payload]) -> list[tuple[Path, dict[str, Any]]]:
    return list(leaves(model.model_json_schema()))


def free_text(model: type[Payload]) -> list[tuple[Path, dict[str, Any]]]:
    """String fields a person types (no pattern, no fixed choices)."""
    return [
        (path, s)
        for path, s in fields(model)
        if s.get("type") == "string" and "pattern" not in s and "enum" not in s
    ]


def id_fields(model: type[Payload]) -> list[Path]:
    return [path for path, s in fields(model) if s.get("maximum") == ID_MAXIMUM]


def required(model: type[Payload]) -> list[str]:
    return [name for name, info in model.model_fields.items() if info.is_required()]


def with_value(payload: dict[str, Any], path: Path, value: Any) -> dict[str, Any]:
    """A copy of ``payload`` with ``value`` at ``path`` (a list keeps its other items)."""
    result = copy.deepcopy(payload)
    target: Any = result
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return result


def dotted(path: Path) -> str:
    """How the server's ``error.fields`` names a location."""
    return ".".join(map(str, path))


def payload_events() -> dict[str, type[Payload]]:
    return {name: spec.payload for name, spec in EVENTS.items()}
