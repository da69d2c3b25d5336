"""Who is acting in which room, and the room's settings (cached in the store, kept in the DB)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal, cast

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom_server.db import Database, RoomFlag, RoomSettings, add_unique
from classroom_server.room.store import Flag, RoomStore

ParticipantRole = Literal["educator", "student"]


@dataclass(frozen=True)
class Actor:
    user_id: int
    name: str
    role: ParticipantRole

    @property
    def is_educator(self) -> bool:
        return self.role == "educator"


@dataclass
class Settings:
    deck_id: int | None
    page: int
    chat_locked: bool
    annotations_locked: bool
    room_locked: bool = False


@dataclass(frozen=True)
class RoomContext:
    lecture_id: int
    database: Database
    store: RoomStore

    async def settings(self) -> Settings:
        cached = await self.store.get_settings(self.lecture_id)
        if cached is not None:
            return Settings(**cached)
        async with self.database.session() as session:
            row = await session.get(RoomSettings, self.lecture_id)
            flags = (
                await session.execute(
                    select(RoomFlag.flag, RoomFlag.user_id).where(
                        RoomFlag.lecture_id == self.lecture_id
                    )
                )
            ).all()
        settings = (
            Settings(
                row.deck_id, row.page, row.chat_locked, row.annotations_locked, row.room_locked
            )
            if row
            else Settings(None, 1, False, True)
        )
        for flag, user_id in flags:  # a restarted store: presenters and mutes come back too
            await self.store.set_flag(self.lecture_id, cast(Flag, flag), user_id, True)
        await self.store.put_settings(self.lecture_id, asdict(settings))
        return settings

    async def save_settings(self, session: AsyncSession, settings: Settings) -> None:
        """Writes through: the database for restarts, the store for every process."""
        row = await session.get(RoomSettings, self.lecture_id)
        if row is None:
            row = RoomSettings(lecture_id=self.lecture_id)
            session.add(row)
        row.deck_id, row.page = settings.deck_id, settings.page
        row.chat_locked, row.annotations_locked = settings.chat_locked, settings.annotations_locked
        row.room_locked = settings.room_locked
        await session.commit()
        await self.store.put_settings(self.lecture_id, asdict(settings))

    async def save_flag(self, session: AsyncSession, flag: Flag, user_id: int, on: bool) -> None:
        """Commits ``session`` with the flag written through, as :meth:`save_settings` does."""
        await self.save_flags(session, flag, [user_id], on)

    async def save_flags(
        self, session: AsyncSession, flag: Flag, user_ids: list[int], on: bool
    ) -> None:
        """:meth:`save_flag` for many participants in one commit (mute everyone)."""
        if on:
            for user_id in user_ids:
                row = RoomFlag(lecture_id=self.lecture_id, user_id=user_id, flag=flag)
                await add_unique(session, row)
        elif user_ids:
            await session.execute(
                delete(RoomFlag).where(
                    RoomFlag.lecture_id == self.lecture_id,
                    RoomFlag.user_id.in_(user_ids),
                    RoomFlag.flag == flag,
                )
            )
        await session.commit()
        for user_id in user_ids:
            await self.store.set_flag(self.lecture_id, flag, user_id, on)

    async def is_presenter(self, actor: Actor) -> bool:
        return actor.user_id in await self.store.flagged(self.lecture_id, "presenter")

    async def may_present(self, actor: Actor) -> bool:
        return actor.is_educator or await self.is_presenter(actor)
