"""The persisted job queue and the workers that drain it.

Each lane has its own worker task, so a 60-minute ladder encode never delays the few seconds of
``playable`` work that makes the next lecture watchable. Claiming is one conditional UPDATE,
atomic on SQLite and PostgreSQL alike, so any number of worker processes can share the queue.
A running job heartbeats; one whose worker died is claimed again after ``stale_after``. The
heartbeat is the job's only database write while it runs (progress rides on it, a cancel shows
as its UPDATE matching nothing): a statement a second, not one per progress step plus a read,
so the worker takes next to no CPU from the ffmpeg it runs on the same cores.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import socket
from datetime import UTC, datetime, timedelta

from redis.asyncio import Redis
from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from classroom_server.db import Database, VodJob
from vod.failure import Unprocessable, fail_video
from vod.pipeline import STAGES, JobContext
from vod.storage import VideoStorage

log = logging.getLogger(__name__)
POLL_SECONDS = 1.0
WATCH_SECONDS = 1.0  # how soon a cancel ends ffmpeg, and how often progress is written
STALE_AFTER = timedelta(seconds=60)
LANES = ("fast", "slow")
WAKE_CHANNEL = "qou:vod:wake"
MAX_GIVE_UPS_PER_CLAIM = 8  # spent jobs failed in one claim before it yields to the loop
WORKER_DIED = "its worker stopped responding while running it, every attempt"


def now() -> datetime:
    return datetime.now(UTC)


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(10 * 2 ** (attempts - 1), 600))


class JobQueue:
    def __init__(self, database: Database, stale_after: timedelta = STALE_AFTER) -> None:
        self.database = database
        self.stale_after = stale_after

    async def enqueue(self, video_id: int, kind: str) -> int:
        lane, _ = STAGES[kind]
        async with self.database.session() as session:
            job = VodJob(video_id=video_id, kind=kind, lane=lane)
            session.add(job)
            await session.commit()
            return job.id

    async def claim(self, lane: str, worker: str) -> VodJob | None:
        """Takes the oldest due job of the lane, or a running one whose worker went silent.

        A silent worker's job counts that run as an attempt: one whose attempts are spent
        (its input kills every worker that runs it) is failed here instead of being claimed
        again and again."""
        for _ in range(MAX_GIVE_UPS_PER_CLAIM):
            job, gave_up = await self._claim_one(lane, worker)
            if not gave_up:
                return job
        return None

    async def _claim_one(self, lane: str, worker: str) -> tuple[VodJob | None, bool]:
        """The claimed job (or None), and whether a spent job was failed instead."""
        async with self.database.session() as session:
            found = await session.execute(
                select(VodJob.id, VodJob.state, VodJob.attempts, VodJob.max_attempts)
                .where(
                    VodJob.lane == lane,
                    or_(
                        (VodJob.state == "pending") & (VodJob.run_after <= now()),
                        (VodJob.state == "running")
                        & (VodJob.heartbeat_at < now() - self.stale_after),
                    ),
                )
                .order_by(VodJob.id)
                .limit(1)
            )
            row = found.first()
            if row is None:
                return None, False
            candidate, state, attempts, max_attempts = row
            if state == "running" and attempts >= max_attempts:
                await self._give_up(session, candidate)
                return None, True
            claimed = await session.execute(
                update(VodJob)
                .where(
                    VodJob.id == candidate,
                    or_(
                        VodJob.state == "pending",
                        (VodJob.state == "running")
                        & (VodJob.heartbeat_at < now() - self.stale_after),
                    ),
                )
                .values(
                    state="running",
                    worker=worker,
                    started_at=now(),
                    heartbeat_at=now(),
                    attempts=VodJob.attempts + 1,
                    percent=0.0,
                )
            )
            await session.commit()
            if claimed.rowcount != 1:  # type: ignore[attr-defined]
                return None, False  # another worker was faster
            return await session.get(VodJob, candidate), False

    async def _give_up(self, session: AsyncSession, job_id: int) -> None:
        """Fails a stale job whose every attempt ended with its worker (and a first stage
        its video), unless another worker did so first."""
        result = await session.execute(
            update(VodJob)
            .where(
                VodJob.id == job_id,
                VodJob.state == "running",
                VodJob.heartbeat_at < now() - self.stale_after,
            )
            .values(
                state="failed",
                worker=None,
                finished_at=now(),
                last_error=WORKER_DIED,
            )
        )
        if result.rowcount == 1:  # type: ignore[attr-defined]
            job = await session.get(VodJob, job_id)
            if job is not None:
                log.warning("job %s (%s): %s", job.id, job.kind, WORKER_DIED)
                await fail_video(session, job)
        await session.commit()

    async def cancel(self, job_id: int) -> bool:
        """Cancelling the job that would make a video playable fails the video too."""
        async with self.database.session() as session:
            result = await session.execute(
                update(VodJob)
                .where(VodJob.id == job_id, VodJob.state.in_(("pending", "running")))
                .values(state="cancelled", finished_at=now())
            )
            if not result.rowcount:  # type: ignore[attr-defined]
                return False
            job = await session.get(VodJob, job_id)
            if job is not None:
                await fail_video(session, job)
            await session.commit()
            return True

    async def state(self, job_id: int) -> str | None:
        async with self.database.session() as session:
            return await session.scalar(select(VodJob.state).where(VodJob.id == job_id))

    async def report(self, job_id: int, worker: str, **values: object) -> bool:
        """Writes only while this worker still owns the job; False once cancelled or reclaimed."""
        async with self.database.session() as session:
            result = await session.execute(
                update(VodJob)
                .where(VodJob.id == job_id, VodJob.worker == worker, VodJob.state == "running")
                .values(heartbeat_at=now(), **values)
            )
            await session.commit()
            return bool(result.rowcount)  # type: ignore[attr-defined]

    async def fail(self, job: VodJob, worker: str, error: str, retry: bool) -> None:
        """Retries later, or fails for good: then a first stage fails its video, same commit."""
        async with self.database.session() as session:
            result = await session.execute(
                update(VodJob)
                .where(VodJob.id == job.id, VodJob.worker == worker, VodJob.state == "running")
                .values(
                    heartbeat_at=now(),
                    state="pending" if retry else "failed",
                    last_error=error,
                    run_after=now() + backoff(job.attempts),
                    finished_at=None if retry else now(),
                )
            )
            if result.rowcount == 1 and not retry:  # type: ignore[attr-defined]
                await fail_video(session, job)
            await session.commit()


class Worker:
    """Runs jobs of every lane in this process until stopped."""

    def __init__(
        self,
        database: Database,
        storage: VideoStorage,
        name: str | None = None,
        redis: Redis | None = None,
        lanes: tuple[str, ...] = LANES,
        stale_after: timedelta = STALE_AFTER,
    ) -> None:
        self.queue = JobQueue(database, stale_after)
        self.storage = storage
        self.name = name or f"{socket.gethostname()}-{secrets.token_hex(3)}"
        self._redis = redis
        self._lanes = lanes
        self._tasks: list[asyncio.Task[None]] = []
        self._wake = {lane: asyncio.Event() for lane in LANES}

    def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._tasks = [loop.create_task(self._lane(lane)) for lane in self._lanes]
        if self._redis is not None:
            self._tasks.append(loop.create_task(self._listen(self._redis)))

    def wake(self) -> None:
        for event in self._wake.values():
            event.set()

    async def _listen(self, redis: Redis) -> None:
        """Distributed mode: an enqueue anywhere wakes every worker at once."""
        async with redis.pubsub() as pubsub:
            await pubsub.subscribe(WAKE_CHANNEL)
            async for message in pubsub.listen():
                if message.get("type") == "message":
                    self.wake()

    async def stop(self) -> None:
        """Hands unfinished jobs back to the queue at once instead of waiting to go stale."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        async with self.queue.database.session() as session:
            await session.execute(
                update(VodJob)
                .where(VodJob.worker == self.name, VodJob.state == "running")
                .values(state="pending", attempts=VodJob.attempts - 1, worker=None)
            )
            await session.commit()

    async def enqueue(self, video_id: int, kind: str) -> int:
        job_id = await self.queue.enqueue(video_id, kind)
        self.wake()
        if self._redis is not None:
            await self._redis.publish(WAKE_CHANNEL, str(job_id))
        return job_id

    async def _lane(self, lane: str) -> None:
        while True:
            try:
                job = await self.queue.claim(lane, self.name)
            except Exception:
                log.exception("claiming a %s job failed", lane)
                job = None
            if job is not None:
                await self._run(job)
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake[lane].wait(), POLL_SECONDS)
            self._wake[lane].clear()

    async def _run(self, job: VodJob) -> None:
        latest: dict[str, float] = {}

        async def progress(percent: float) -> None:
            latest["percent"] = round(percent, 1)  # written by the watcher's next heartbeat

        ctx = JobContext(
            job.video_id, self.queue.database, self.storage, progress, self.queue_follow_up
        )
        _, stage = STAGES[job.kind]
        work = asyncio.get_running_loop().create_task(stage(ctx))
        watcher = asyncio.get_running_loop().create_task(self._watch(job.id, work, latest))
        try:
            await work
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if current is not None and current.cancelling():
                raise  # this worker is stopping; the job goes back to the queue
            log.info("job %s was cancelled", job.id)
            return
        except Exception as exc:
            await self._failed(job, exc)
            return
        finally:
            watcher.cancel()
        await self.queue.report(
            job.id, self.name, state="done", percent=100.0, finished_at=now(), last_error=None
        )

    async def queue_follow_up(self, video_id: int, kind: str) -> None:
        await self.enqueue(video_id, kind)

    async def _watch(self, job_id: int, work: asyncio.Task[None], latest: dict[str, float]) -> None:
        """Heartbeats with the latest progress; ends the work (and its ffmpeg) once the job is
        no longer this worker's to run (cancelled, or reclaimed after a stall)."""
        while not work.done():
            await asyncio.sleep(WATCH_SECONDS)
            if not await self.queue.report(job_id, self.name, **latest):
                work.cancel()
                return

    async def _failed(self, job: VodJob, exc: Exception) -> None:
        log.warning("job %s (%s) failed: %s", job.id, job.kind, exc)
        retry = job.attempts < job.max_attempts and not isinstance(exc, Unprocessable)
        await self.queue.fail(job, self.name, str(exc)[-2000:], retry)
