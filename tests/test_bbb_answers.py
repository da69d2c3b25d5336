"""BBB's XML answers: the envelope, nesting and repetition, and user input that cannot break
the document (markup is escaped, characters XML cannot carry are dropped)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from portal_api.bbb.answers import checksum_error, missing, not_found, xml_document


def test_envelope_and_order() -> None:
    root = ET.fromstring(xml_document({"returncode": "SUCCESS", "running": True, "n": 3}))
    assert root.tag == "response"
    assert [(c.tag, c.text) for c in root] == [
        ("returncode", "SUCCESS"),
        ("running", "true"),
        ("n", "3"),
    ]


def test_nesting_and_repeated_tags() -> None:
    fields = {
        "attendees": [("attendee", {"userID": "1"}), ("attendee", {"userID": "2"})],
        "metadata": {"bbb-context": "x"},
        "empty": {},
    }
    root = ET.fromstring(xml_document(fields))
    assert [a.findtext("userID") for a in root.iter("attendee")] == ["1", "2"]
    assert root.findtext("metadata/bbb-context") == "x"
    empty = root.find("empty")
    assert empty is not None and len(empty) == 0


def test_user_input_is_escaped_and_cleaned() -> None:
    hostile = "</meetingName><returncode>FAILED</returncode>&\x00\x1b\ufffe ok"
    root = ET.fromstring(xml_document({"meetingName": hostile}))
    assert root.findtext("meetingName") == "</meetingName><returncode>FAILED</returncode>& ok"
    assert root.find("returncode") is None


def test_refusals_carry_bbb_keys() -> None:
    assert checksum_error().key == "checksumError"
    assert not_found().key == "notFound"
    refusal = missing("meetingID")
    assert refusal.key == "missingParameter"
    assert "meetingID" in refusal.message
