"""How stored rows look on the wire (shapes in docs/protocol.md)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from classroom_server.db import Annotation, ChatMessage, Deck, Poll
from classroom_server.room.store import Person


def iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def chat_view(message: ChatMessage, people: Mapping[int, Person]) -> dict[str, Any]:
    """``people`` gives the (name, role) of the sender and of the recipient, if any."""
    name, role = people[message.sender_id]
    recipient = message.recipient_id
    return {
        "id": message.id,
        "from": {"id": message.sender_id, "name": name, "role": role},
        "to": {"id": recipient, "name": people[recipient][0]} if recipient else None,
        "text": message.text,
        "sent_at": iso(message.sent_at),
    }


def deck_view(deck: Deck) -> dict[str, Any]:
    return {
        "id": deck.id,
        "title": deck.title,
        "kind": deck.kind,
        "page_count": deck.page_count,
        "status": deck.status,
        "progress": deck.progress,
        "error": deck.error,
    }


def annotation_view(annotation: Annotation) -> dict[str, Any]:
    return {
        "id": annotation.id,
        "deck_id": annotation.deck_id,
        "page": annotation.page,
        "author_id": annotation.author_id,
        **annotation.shape,
    }


def poll_view(
    poll: Poll, counts: list[int] | None, voters: int | None, mine: list[int] | None
) -> dict[str, Any]:
    return {
        "id": poll.id,
        "question": poll.question,
        "options": poll.options,
        "multiple": poll.multiple,
        "status": poll.status,
        "counts": counts,
        "total_voters": voters,
        "my_choices": mine,
    }
