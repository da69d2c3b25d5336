"""Live-room state that only matters while people are connected.

Presence (which connections each user has, and each connected user's name and role, so the
roster never asks the database about every participant on every join), hands, presenter and
mute flags, a cache of the room's settings, and rate-limit counters. ``MemoryRoomStore`` serves
the embedded single process; ``RedisRoomStore`` (same contract) lets several server processes
share one room.

Presence outlives nothing but its process in memory; in Redis a killed process cannot say
goodbye, so each process holds a lease (``register``/``sweep``/``unregister``) and the others
forget its connections once the lease lapses.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, get_args

Flag = Literal["presenter", "muted", "invited", "admitted", "captioner"]
Person = tuple[str, str]
"""A connected user's display name and role in the room."""
Seat = tuple[int, int]
"""A user in a lecture room: (lecture id, user id)."""


@dataclass
class PresenceChange:
    """What a lease operation changed in rosters, for the caller to announce.

    ``left``: users whose last connection was forgotten (``roster:left``), each reported to
    exactly one caller across all processes. ``rejoined``: this process's own users put back
    after its lease had lapsed and others may have forgotten them (``roster:joined``)."""

    left: list[Seat] = field(default_factory=list)
    rejoined: list[tuple[Seat, Person]] = field(default_factory=list)


class RoomStore(Protocol):
    async def add_connection(self, lecture_id: int, user_id: int, sid: str, who: Person) -> bool:
        """Records a connection; True when it is the user's first in this room."""

    async def remove_connection(self, lecture_id: int, user_id: int, sid: str) -> bool:
        """Forgets a connection; True when it was the user's last."""

    async def connections(self, lecture_id: int) -> dict[int, set[str]]: ...
    async def people(self, lecture_id: int) -> dict[int, Person]: ...
    async def set_flag(self, lecture_id: int, flag: Flag, user_id: int, on: bool) -> None: ...
    async def flagged(self, lecture_id: int, flag: Flag) -> set[int]: ...
    async def raise_hand(self, lecture_id: int, user_id: int, at: float) -> bool: ...
    async def lower_hand(self, lecture_id: int, user_id: int) -> bool: ...
    async def hands(self, lecture_id: int) -> list[tuple[int, float]]: ...
    async def get_settings(self, lecture_id: int) -> dict[str, Any] | None: ...
    async def put_settings(self, lecture_id: int, settings: dict[str, Any]) -> None: ...

    async def hit(self, key: str, limit: int, window_seconds: int) -> float:
        """Counts one event; returns 0 when allowed, else seconds until the window resets."""

    async def forget_room(self, lecture_id: int) -> None: ...

    async def register(self, instance: str, lease_seconds: float) -> PresenceChange:
        """This process starts as ``instance`` (a name stable across its restarts): forgets
        the connections an earlier run under that name left behind, and takes a lease of
        ``lease_seconds`` that ``sweep`` renews."""

    async def sweep(self) -> PresenceChange:
        """Renews this process's lease and forgets the connections of processes whose lease
        lapsed (killed, hung, cut off)."""

    async def unregister(self) -> PresenceChange:
        """A clean stop: forgets this process's connections and gives up its lease."""


class MemoryRoomStore:
    def __init__(self) -> None:
        self._connections: dict[int, dict[int, set[str]]] = defaultdict(dict)
        self._people: dict[int, dict[int, Person]] = defaultdict(dict)
        self._flags: dict[tuple[int, Flag], set[int]] = defaultdict(set)
        self._hands: dict[int, dict[int, float]] = defaultdict(dict)
        self._settings: dict[int, dict[str, Any]] = {}
        self._counters: dict[str, tuple[int, int]] = {}

    async def add_connection(self, lecture_id: int, user_id: int, sid: str, who: Person) -> bool:
        sids = self._connections[lecture_id].setdefault(user_id, set())
        sids.add(sid)
        self._people[lecture_id][user_id] = who
        return len(sids) == 1

    async def remove_connection(self, lecture_id: int, user_id: int, sid: str) -> bool:
        users = self._connections[lecture_id]
        sids = users.get(user_id)
        if sids is None:
            return False
        sids.discard(sid)
        if sids:
            return False
        del users[user_id]
        self._people[lecture_id].pop(user_id, None)
        return True

    async def connections(self, lecture_id: int) -> dict[int, set[str]]:
        return {user: set(sids) for user, sids in self._connections[lecture_id].items()}

    async def people(self, lecture_id: int) -> dict[int, Person]:
        return dict(self._people[lecture_id])

    async def set_flag(self, lecture_id: int, flag: Flag, user_id: int, on: bool) -> None:
        members = self._flags[(lecture_id, flag)]
        if on:
            members.add(user_id)
        else:
            members.discard(user_id)

    async def flagged(self, lecture_id: int, flag: Flag) -> set[int]:
        return set(self._flags[(lecture_id, flag)])

    async def raise_hand(self, lecture_id: int, user_id: int, at: float) -> bool:
        hands = self._hands[lecture_id]
        if user_id in hands:
            return False
        hands[user_id] = at
        return True

    async def lower_hand(self, lecture_id: int, user_id: int) -> bool:
        return self._hands[lecture_id].pop(user_id, None) is not None

    async def hands(self, lecture_id: int) -> list[tuple[int, float]]:
        return sorted(self._hands[lecture_id].items(), key=lambda item: item[1])

    async def get_settings(self, lecture_id: int) -> dict[str, Any] | None:
        settings = self._settings.get(lecture_id)
        return dict(settings) if settings is not None else None

    async def put_settings(self, lecture_id: int, settings: dict[str, Any]) -> None:
        self._settings[lecture_id] = dict(settings)

    async def hit(self, key: str, limit: int, window_seconds: int) -> float:
        now = time.time()
        window = int(now // window_seconds)
        current, count = self._counters.get(key, (window, 0))
        if current != window:
            count = 0
        if count >= limit:
            return (window + 1) * window_seconds - now
        self._counters[key] = (window, count + 1)
        if len(self._counters) > 200_000:  # stale windows of departed users
            self._counters = {k: v for k, v in self._counters.items() if v[0] >= window}
        return 0.0

    async def forget_room(self, lecture_id: int) -> None:
        self._connections.pop(lecture_id, None)
        self._people.pop(lecture_id, None)
        self._hands.pop(lecture_id, None)
        self._settings.pop(lecture_id, None)
        for flag in get_args(Flag):
            self._flags.pop((lecture_id, flag), None)

    # One process holds every connection, and they all end with it: leases change nothing.
    async def register(self, instance: str, lease_seconds: float) -> PresenceChange:
        return PresenceChange()

    async def sweep(self) -> PresenceChange:
        return PresenceChange()

    async def unregister(self) -> PresenceChange:
        return PresenceChange()
