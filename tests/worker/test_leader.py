"""The leader of the periodic jobs (``kit/leader.py``): one worker at a time runs them, and
another takes over within seconds when it goes."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable

import pytest
from sqlalchemy import text

from printapi.kit.leader import APPLICATION_NAME, Leadership
from printapi.kit.wakeup import asyncpg_dsn
from printapi.runtime import Runtime
from printapi.worker import Job, Worker
from tests.conftest import Backend, _settings

RETRY = 0.05


async def eventually(condition: Callable[[], object], seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "not in time"
        await asyncio.sleep(0.01)


class Candidates:
    """Leaderships on one database, each in its own running election loop."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self.running: list[tuple[Leadership, asyncio.Event, asyncio.Task[None]]] = []

    def add(self) -> Leadership:
        leadership, stopping = Leadership(self.dsn, retry_seconds=RETRY), asyncio.Event()
        self.running.append((leadership, stopping, asyncio.create_task(leadership.run(stopping))))
        return leadership

    def leaders(self) -> list[Leadership]:
        return [leadership for leadership, _, _ in self.running if leadership.leading]

    async def stop(self, leadership: Leadership) -> None:
        for candidate, stopping, task in self.running:
            if candidate is leadership:
                stopping.set()
                await asyncio.wait_for(task, timeout=5)

    async def stop_all(self) -> None:
        for _, stopping, _ in self.running:
            stopping.set()
        await asyncio.gather(*(task for _, _, task in self.running))


@pytest.fixture
async def candidates(postgres_backend: Backend) -> AsyncIterator[Candidates]:
    found = Candidates(asyncpg_dsn(postgres_backend.url))
    try:
        yield found
    finally:
        await found.stop_all()


@pytest.mark.postgres
class TestAnElection:
    async def test_of_three_workers_exactly_one_leads(self, candidates: Candidates) -> None:
        three = [candidates.add() for _ in range(3)]

        await eventually(candidates.leaders)
        await asyncio.sleep(RETRY * 5)  # the others have tried again meanwhile

        assert len(candidates.leaders()) == 1
        assert candidates.leaders()[0] in three

    async def test_when_the_leader_stops_another_takes_over_within_its_retry(
        self, candidates: Candidates
    ) -> None:
        candidates.add(), candidates.add()
        await eventually(candidates.leaders)
        [first] = candidates.leaders()

        await candidates.stop(first)

        assert not first.leading
        await eventually(candidates.leaders, seconds=RETRY * 40)
        assert candidates.leaders() != [first]

    async def test_a_leader_whose_connection_is_killed_stops_leading(
        self, candidates: Candidates, postgres_backend: Backend
    ) -> None:
        only = candidates.add()
        await eventually(lambda: only.leading)
        runtime = Runtime.create(_settings(postgres_backend.url))
        try:
            async with runtime.db.write() as session:
                killed = await session.scalar(
                    text(
                        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                        "WHERE application_name = :name AND datname = current_database()"
                    ),
                    {"name": APPLICATION_NAME},
                )
        finally:
            await runtime.close()
        assert killed == 1

        # It lets go of the lead and, alone, takes it again on a new connection.
        await eventually(lambda: only.terms == 2 and only.leading)


def test_without_an_election_every_worker_leads() -> None:
    assert Leadership.always().leading


@pytest.mark.postgres
class TestAWorkerThatDoesNotLead:
    async def test_runs_no_periodic_job_and_says_so_in_readiness(self, postgres_backend: Backend) -> None:
        holder = Leadership(asyncpg_dsn(postgres_backend.url), retry_seconds=RETRY)
        holding = asyncio.Event()
        holder_task = asyncio.create_task(holder.run(holding))
        await eventually(lambda: holder.leading)
        runs = 0

        async def count(_runtime: Runtime) -> int:
            nonlocal runs
            runs += 1
            return 0

        # Its election tries as often as the holder's (PRINTAPI_LEADER_RETRY_SECONDS), and its
        # job waits on it: it takes over within a retry of the holder's going.
        runtime = Runtime.create(_settings(postgres_backend.url, leader_retry_seconds=RETRY))
        worker = Worker(runtime, (Job("counted", 0.01, count),))
        task = asyncio.create_task(worker.run())
        try:
            await eventually(lambda: "counted" in runtime.loops.report())
            await asyncio.sleep(0.3)
            assert runs == 0
            assert runtime.loops.leading is not None
            assert not runtime.loops.leading()

            holding.set()  # the other worker goes: this one takes over
            await holder_task
            await eventually(lambda: runs > 0, seconds=10)
            assert runtime.loops.leading()
        finally:
            worker.stop()
            await asyncio.wait_for(task, timeout=10)
            await runtime.close()

    async def test_that_takes_the_lead_runs_its_jobs_at_once_not_after_its_retry(
        self, postgres_backend: Backend
    ) -> None:
        ran = asyncio.Event()

        async def job(_runtime: Runtime) -> int:
            ran.set()
            return 0

        # A job's first turn comes before the election's first answer: it waits for the lead,
        # which wakes it, rather than the minute of the retry.
        runtime = Runtime.create(_settings(postgres_backend.url, leader_retry_seconds=60))
        worker = Worker(runtime, (Job("at-once", 3600, job),))
        task = asyncio.create_task(worker.run())
        try:
            await asyncio.wait_for(ran.wait(), timeout=10)
            assert worker.leadership.leading
        finally:
            worker.stop()
            await asyncio.wait_for(task, timeout=10)
            await runtime.close()
