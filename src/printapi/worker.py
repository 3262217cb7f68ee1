"""The due-work loops: run by ``printapi worker``, or inside ``printapi serve`` (embedded mode).

Each job runs in its own short transaction at its interval; one failing job is logged and
retried at its next turn without stopping the others. The webhook, download, mail and expiry
queues of later issues plug in here as further jobs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from printapi.auth import service as auth
from printapi.kit.logging import get_logger
from printapi.runtime import Runtime

log = get_logger("printapi.worker")


@dataclass(frozen=True)
class Job:
    name: str
    interval_seconds: float
    run: Callable[[Runtime], Awaitable[int]]


async def prune_tokens(runtime: Runtime) -> int:
    async with runtime.db.write() as session:
        return await auth.prune_expired_tokens(session, now=runtime.clock.now())


JOBS: tuple[Job, ...] = (Job("prune-expired-tokens", 600.0, prune_tokens),)


class Worker:
    def __init__(self, runtime: Runtime, jobs: tuple[Job, ...] = JOBS) -> None:
        self.runtime = runtime
        self.jobs = jobs
        self._stopping = asyncio.Event()

    def stop(self) -> None:
        self._stopping.set()

    async def run(self) -> None:
        log.info("worker started", jobs=[job.name for job in self.jobs])
        async with asyncio.TaskGroup() as group:
            for job in self.jobs:
                group.create_task(self._loop(job), name=job.name)
        log.info("worker stopped")

    async def _loop(self, job: Job) -> None:
        while not self._stopping.is_set():
            try:
                done = await job.run(self.runtime)
                if done:
                    log.info("job done", job=job.name, rows=done)
            except Exception:
                log.exception("job failed", job=job.name)
            try:
                await asyncio.wait_for(self._stopping.wait(), timeout=job.interval_seconds)
            except TimeoutError:
                continue
