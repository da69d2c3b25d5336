"""The BigBlueButton checksum: the documented vector, every digest BBB accepts, and what is
refused (a wrong secret, a changed parameter, a re-encoded query, an odd length)."""

from __future__ import annotations

import hashlib

import pytest

from portal_api.bbb.checksum import checksum_matches, checksum_of, without_checksum

DOC_SECRET = "639259d4-9dd8-4b25-bf01-95f9567eaf4b"
DOC_QUERY = "name=Test+Meeting&meetingID=abc123&attendeePW=111222&moderatorPW=333444"


def test_the_documented_vector() -> None:
    expected = "1fcbb0c4fc1f039f73aa6d697d2db9ba7f803f17"
    assert checksum_of("create", DOC_QUERY, DOC_SECRET) == expected
    assert checksum_matches("create", DOC_QUERY, DOC_SECRET, expected)
    assert checksum_matches("create", DOC_QUERY, DOC_SECRET, expected.upper())


@pytest.mark.parametrize("algorithm", ["sha1", "sha256", "sha384", "sha512"])
def test_the_digest_is_chosen_by_length(algorithm: str) -> None:
    digest = hashlib.new(algorithm, f"create{DOC_QUERY}{DOC_SECRET}".encode()).hexdigest()
    assert checksum_matches("create", DOC_QUERY, DOC_SECRET, digest)
    assert not checksum_matches("create", DOC_QUERY, "another-secret", digest)


@pytest.mark.parametrize(
    ("call", "query", "presented"),
    [
        ("join", DOC_QUERY, checksum_of("create", DOC_QUERY, DOC_SECRET)),  # another call
        (
            "create",
            DOC_QUERY.replace("111222", "111223"),
            checksum_of("create", DOC_QUERY, DOC_SECRET),
        ),
        ("create", DOC_QUERY.replace("+", "%20"), checksum_of("create", DOC_QUERY, DOC_SECRET)),
        ("create", DOC_QUERY, checksum_of("create", DOC_QUERY, DOC_SECRET)[:39]),
        ("create", DOC_QUERY, "z" * 40),
        ("create", DOC_QUERY, ""),
        ("create", DOC_QUERY, None),
    ],
)
def test_refused(call: str, query: str, presented: str | None) -> None:
    assert not checksum_matches(call, query, DOC_SECRET, presented)


def test_an_empty_secret_matches_nothing() -> None:
    assert not checksum_matches("create", DOC_QUERY, "", checksum_of("create", DOC_QUERY, ""))


@pytest.mark.parametrize(
    ("raw", "signed", "checksum"),
    [
        (f"{DOC_QUERY}&checksum=abc", DOC_QUERY, "abc"),
        (f"checksum=abc&{DOC_QUERY}", DOC_QUERY, "abc"),
        ("a=1&checksum=abc&b=%2B+x", "a=1&b=%2B+x", "abc"),
        ("checksum=abc", "", "abc"),
        ("", "", None),
        ("a=1&checksumx=2", "a=1&checksumx=2", None),
    ],
)
def test_the_checksum_parameter_is_taken_out_byte_for_byte(
    raw: str, signed: str, checksum: str | None
) -> None:
    assert without_checksum(raw) == (signed, checksum)
