"""BigBlueButton's XML answers, built with ElementTree (never by pasting strings together).

Every answer is ``<response>`` with a ``returncode`` of SUCCESS or FAILED, and for failures a
``messageKey`` and ``message`` that LMS plugins match on (Moodle's mod_bigbluebuttonbn checks
``checksumError``, ``notFound``, ``duplicateWarning``...). Values are nested dicts, lists and
scalars, so a call's answer reads like the XML it becomes.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from typing import Any, cast

from aiohttp import web

XML_TYPE = "text/xml"
NOT_IN_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""Characters XML 1.0 cannot carry at all, escaped or not: dropped from any value."""

Value = str | int | bool | None | Mapping[str, Any] | Sequence[Any]


class Failed(Exception):
    """A call refused with BBB's ``messageKey`` and ``message`` (answered with HTTP 200, as
    BBB does: the return code is in the XML)."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key
        self.message = message


def _text(value: str | int | bool | None) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return NOT_IN_XML.sub("", str(value))


def _fill(element: ET.Element, value: Value) -> None:
    """Mappings become child elements; a list of (tag, value) pairs repeats a tag."""
    if isinstance(value, Mapping):
        for tag, child in value.items():
            _fill(ET.SubElement(element, tag), child)
    elif isinstance(value, list | tuple):
        for tag, child in value:
            _fill(ET.SubElement(element, tag), child)
    else:
        element.text = _text(cast(str | int | bool | None, value))


def xml_document(fields: Mapping[str, Value]) -> bytes:
    """``<response>`` holding ``fields`` in order, as UTF-8 with an XML declaration."""
    root = ET.Element("response")
    _fill(root, fields)
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))


def success(fields: Mapping[str, Value] | None = None) -> web.Response:
    body = xml_document({"returncode": "SUCCESS", **(fields or {})})
    return web.Response(body=body, content_type=XML_TYPE, charset="utf-8")


def failure(key: str, message: str) -> web.Response:
    body = xml_document({"returncode": "FAILED", "messageKey": key, "message": message})
    return web.Response(body=body, content_type=XML_TYPE, charset="utf-8")


def checksum_error() -> Failed:
    return Failed("checksumError", "You did not pass the checksum security check")


def missing(parameter: str) -> Failed:
    return Failed("missingParameter", f"You must specify the parameter {parameter}.")


def not_found() -> Failed:
    return Failed(
        "notFound",
        "We could not find a meeting with that meeting ID - perhaps the meeting is not yet"
        " running?",
    )
