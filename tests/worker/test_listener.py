"""The PostgreSQL LISTEN loop (``kit/wakeup.PostgresListener``): it wakes this process's loops on
another process's commit, and comes back by itself when its connection is lost."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text

from printapi.kit.wakeup import PostgresListener, Wakeup, announce, asyncpg_dsn
from printapi.runtime import Runtime
from tests.conftest import Backend, _settings

pytestmark = pytest.mark.postgres


@pytest.fixture
async def pg(postgres_backend: Backend) -> AsyncIterator[Runtime]:
    runtime = Runtime.create(_settings(postgres_backend.url))
    try:
        yield runtime
    finally:
        await runtime.close()


async def commit_announcing(runtime: Runtime, channel: str) -> None:
    async with runtime.db.write() as session:
        await announce(session, channel)


async def woken_by_commits(runtime: Runtime, wakeup: Wakeup, channel: str, *, seconds: float) -> bool:
    """Commits announcing ``channel`` until ``wakeup`` hears one (the listener may be connecting)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while loop.time() < deadline:
        await commit_announcing(runtime, channel)
        if await wakeup.wait(channel, 0.1):
            return True
    return False


async def test_a_lost_connection_is_made_again_and_wake_ups_resume(pg: Runtime) -> None:
    wakeup = Wakeup()
    listener = PostgresListener(asyncpg_dsn(pg.settings.database_url), wakeup, retry_seconds=0.1)
    stopping = asyncio.Event()
    beats = 0

    def beat() -> None:
        nonlocal beats
        beats += 1

    task = asyncio.create_task(listener.run(stopping, beat))
    try:
        assert await woken_by_commits(pg, wakeup, "before", seconds=5)
        async with pg.db.write() as session:
            killed = await session.scalar(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE query LIKE 'LISTEN%' AND datname = current_database()"
                )
            )
        assert killed == 1

        # A channel of its own: wake-ups of the first commits may still be arriving.
        assert await woken_by_commits(pg, wakeup, "after", seconds=5)
        assert beats == 2  # it went round again: a second connection
    finally:
        stopping.set()
        await asyncio.wait_for(task, timeout=5)


async def test_a_server_it_cannot_reach_leaves_the_loops_polling_until_it_stops(pg: Runtime) -> None:
    listener = PostgresListener("postgresql://postgres@127.0.0.1:1/none", Wakeup(), retry_seconds=0.05)
    stopping = asyncio.Event()
    task = asyncio.create_task(listener.run(stopping))
    await asyncio.sleep(0.2)

    assert not task.done()  # it keeps trying, it does not fail the worker
    stopping.set()
    await asyncio.wait_for(task, timeout=5)
