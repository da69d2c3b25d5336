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
MediaPresence = dict[int, list[str]]
"""user id -> the sources they publish ("microphone", "camera", "screen") and "receiving" when
they get the room's media."""
Waiter = tuple[str, bool, float]
"""Someone waiting in a lecture's lobby: display name, guest or not, since (epoch seconds)."""


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

    async def lobby_enter(self, lecture_id: int, user_id: int, sid: str, who: Waiter) -> bool:
        """A connection waits in the lobby; True when it is the user's first there."""

    async def lobby_leave(self, lecture_id: int, user_id: int, sid: str) -> bool:
        """A waiting connection went; True when it was the user's last (they left the lobby)."""

    async def lobby_drop(self, lecture_id: int, user_id: int) -> set[str]:
        """Takes the user out of the lobby (admitted or denied); their waiting connections."""

    async def lobby(self, lecture_id: int) -> dict[int, Waiter]: ...

    async def put_settings(self, lecture_id: int, settings: dict[str, Any]) -> None: ...

    async def put_media_presence(self, lecture_id: int, presence: MediaPresence) -> None:
        """What each user's media does now, written by the process holding the lecture's
        media so that any process can answer who talks, shows a camera or only listens."""

    async def media_presence(self, lecture_id: int) -> MediaPresence: ...

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
        self._media: dict[int, MediaPresence] = {}
        self._lobby: dict[int, dict[int, tuple[Waiter, set[str]]]] = defaultdict(dict)
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

    async def put_media_presence(self, lecture_id: int, presence: MediaPresence) -> None:
        self._media[lecture_id] = dict(presence)

    async def media_presence(self, lecture_id: int) -> MediaPresence:
        return dict(self._media.get(lecture_id, {}))

    async def lobby_enter(self, lecture_id: int, user_id: int, sid: str, who: Waiter) -> bool:
        waiting = self._lobby[lecture_id]
        entry = waiting.setdefault(user_id, (who, set()))
        entry[1].add(sid)
        return len(entry[1]) == 1

    async def lobby_leave(self, lecture_id: int, user_id: int, sid: str) -> bool:
        waiting = self._lobby[lecture_id]
        entry = waiting.get(user_id)
        if entry is None:
            return False
        entry[1].discard(sid)
        if entry[1]:
            return False
        del waiting[user_id]
        return True

    async def lobby_drop(self, lecture_id: int, user_id: int) -> set[str]:
        entry = self._lobby[lecture_id].pop(user_id, None)
        return set(entry[1]) if entry else set()

    async def lobby(self, lecture_id: int) -> dict[int, Waiter]:
        return {user: who for user, (who, _sids) in self._lobby[lecture_id].items()}

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
        self._media.pop(lecture_id, None)
        self._lobby.pop(lecture_id, None)
        for flag in get_args(Flag):
            self._flags.pop((lecture_id, flag), None)

    # One process holds every connection, and they all end with it: leases change nothing.
    async def register(self, instance: str, lease_seconds: float) -> PresenceChange:
        return PresenceChange()

    async def sweep(self) -> PresenceChange:
        return PresenceChange()

    async def unregister(self) -> PresenceChange:
        return PresenceChange()
