"""Bad payloads derived from the room's payload models, so a new event or field is covered
without anyone remembering to add it to a list."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from classroom_server.room import EVENTS
from classroom_server.room.payloads import ID_MAX, Payload
from tests.room_client import Participant

Path = tuple[str | int, ...]


def leaves(schema: dict[str, Any], path: Path = ()) -> Iterator[tuple[Path, dict[str, Any]]]:
    """Every scalar field's location and JSON schema; a list stands for its first item."""
    for option in schema.get("anyOf", []):
        if option.get("type") != "null":
            yield from leaves(option, path)
    if "properties" in schema:
        for name, sub in schema["properties"].items():
            yield from leaves(sub, (*path, name))
    elif "prefixItems" in schema:  # a tuple, such as a point
        for index, item in enumerate(schema["prefixItems"]):
            yield from leaves(item, (*path, index))
    elif schema.get("type") == "array" and "items" in schema:
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
    return [path for path, s in fields(model) if s.get("maximum") == ID_MAX]


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


# A value of the wrong JSON type for each kind of field (None is no wrong type: optional fields
# take it).
WRONG_TYPES: dict[str, list[Any]] = {
    "string": [42],
    "integer": ["1", True],
    "number": ["0.5", True],
    "boolean": ["true"],
}


def wrong_types(model: type[Payload], base: dict[str, Any]) -> Iterator[tuple[Any, str]]:
    """``base`` with one field of the wrong type, and that field's name in ``error.fields``."""
    for path, schema in fields(model):
        for value in WRONG_TYPES.get(schema["type"], []):
            yield with_value(base, path, value), dotted(path)


Refusal = tuple[str, Any, str, list[str] | None]  # event, payload, code, error.fields


def refusals(good: dict[str, dict[str, Any]]) -> Iterator[Refusal]:
    """For every event, from its model: each required field missing and each string one
    character too long (``invalid``, naming the field), and each id naming nothing
    (``not_found``) or more than the database holds (``invalid``). ``good`` holds a valid
    payload per event, to spoil one thing at a time."""
    for event, spec in EVENTS.items():
        model, base = spec.payload, good[event]
        for name in required(model):
            yield event, {k: v for k, v in base.items() if k != name}, "invalid", [name]
        for path, schema in fields(model):
            if "maxLength" in schema:
                long = "x" * (schema["maxLength"] + 1)
                yield event, with_value(base, path, long), "invalid", [dotted(path)]
        for path in id_fields(model):
            yield event, with_value(base, path, ID_MAX), "not_found", None
            yield event, with_value(base, path, ID_MAX + 1), "invalid", [dotted(path)]


def valid_payloads(room: Participant, other_user: int) -> dict[str, Any]:
    """A well-formed payload for every event, so only authority can refuse it."""
    board = room.state["slide"]["deck_id"]
    return {
        "chat:send": {"text": "hello"},
        "chat:delete": {"id": 1},
        "chat:lock": {"locked": True},
        "hand:raise": {},
        "hand:lower": {"user_id": other_user},
        "hand:lower_all": {},
        "slides:show": {"deck_id": board, "page": 2},
        "annotation:add": {
            "kind": "text",
            "points": [[0.5, 0.5]],
            "color": "#000000",
            "width": 0.01,
            "text": "note",
        },
        "annotation:undo": {},
        "annotation:clear": {},
        "annotation:lock": {"locked": False},
        "room:lock": {"locked": False},
        "room:lobby": {"enabled": False},
        "lobby:admit": {"user_id": other_user},
        "lobby:deny": {"user_id": other_user},
        "lobby:admit_all": {},
        "laser:move": {"x": 0.5, "y": 0.5},
        "poll:open": {"question": "Q", "options": ["a", "b"]},
        "poll:vote": {"poll_id": 1, "choices": [0]},
        "poll:close": {"poll_id": 1},
        "poll:publish": {"poll_id": 1},
        "presenter:set": {"user_id": other_user, "presenter": True},
        "participant:mute": {"user_id": other_user, "muted": True},
        "participant:mute_all": {"muted": True},
        "participant:ask_unmute": {"user_id": other_user},
        "participant:remove": {"user_id": other_user},
        "lecture:end": {},
        "media:invite": {"user_id": other_user},
        "media:revoke": {"user_id": other_user},
        "recording:start": {},
        "recording:stop": {},
        "recording:auto": {"enabled": True},
        "caption:assign": {"user_id": other_user, "captioner": True},
        "caption:send": {"text": "مرحبا بكم", "final": True, "lang": "ar"},
        "breakout:start": {
            "mode": "assigned",
            "minutes": 10,
            "groups": [{"name": "Red", "user_ids": [other_user]}],
        },
        "breakout:choose": {"group": 1},
        "breakout:move": {"user_id": other_user, "group": 1},
        "breakout:broadcast": {"text": "five minutes left"},
        "breakout:end": {},
    }


def sender_of(event: str, educator: Participant, student: Participant) -> Participant:
    """Who may send ``event``, so that only the payload can be wrong."""
    return student if EVENTS[event].who == "student" else educator
