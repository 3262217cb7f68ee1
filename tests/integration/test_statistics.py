"""``kit/statistics.analyze_stale``: the worker's own autovacuum rule for the queue tables."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, insert, text

from printapi.kit import statistics
from printapi.runtime import Runtime
from printapi.worker import QUEUE_TABLES


@pytest.fixture
async def table(runtime: Runtime) -> AsyncIterator[str]:
    probe = Table(f"stats_probe_{secrets.token_hex(4)}", MetaData(), Column("id", Integer, primary_key=True))
    async with runtime.db.write() as session:
        await session.run_sync(lambda sync: probe.create(sync.connection()))
        if runtime.db.dialect == "postgresql":  # autovacuum analysing it first would fail a test
            await session.execute(text(f'ALTER TABLE "{probe.name}" SET (autovacuum_enabled = false)'))
    try:
        yield probe.name
    finally:
        async with runtime.db.write() as session:
            await session.run_sync(lambda sync: probe.drop(sync.connection()))


async def _insert(runtime: Runtime, name: str, count: int, start: int = 0) -> None:
    probe = Table(name, MetaData(), Column("id", Integer, primary_key=True))
    async with runtime.db.write() as session:
        await session.execute(insert(probe), [{"id": start + n} for n in range(count)])
        if runtime.db.dialect == "postgresql":
            # A backend hands its counts to the statistics once a second at most; now, please.
            await session.execute(text("SELECT pg_stat_force_next_flush()"))


async def _analyze(runtime: Runtime, name: str) -> list[str]:
    async with runtime.db.write() as session:
        return await statistics.analyze_stale(session, {name: ("id",)}, threshold=100)


@pytest.mark.parametrize("backend", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
class TestOnPostgreSQL:
    async def test_a_table_changed_beyond_the_threshold_is_analysed_once(
        self, runtime: Runtime, table: str
    ) -> None:
        await _insert(runtime, table, 300)

        assert await _analyze(runtime, table) == [table]
        assert await _analyze(runtime, table) == []  # its counts start again from the analyse

        async with runtime.db.read() as session:
            rows = await session.execute(
                text("SELECT reltuples FROM pg_class WHERE relname = :t"), {"t": table}
            )
            assert rows.scalar_one() == 300  # what the planner now knows

    async def test_the_queue_columns_the_worker_analyses_are_sampled_coarsely(self, runtime: Runtime) -> None:
        async with runtime.db.read() as session:
            targets = await session.execute(
                text(
                    "SELECT attname, coalesce(attstattarget, -1) FROM pg_attribute "
                    "WHERE attrelid = 'webhook_notifications'::regclass AND attnum > 0"
                )
            )
            found = dict(targets.all())

        analysed = QUEUE_TABLES["webhook_notifications"]
        assert {name: found[name] for name in analysed} == dict.fromkeys(analysed, 10)
        assert found["order_id"] == -1  # the rest as the server's default (NULL from PostgreSQL 17)

    async def test_a_table_changed_within_the_threshold_is_left(self, runtime: Runtime, table: str) -> None:
        await _insert(runtime, table, 300)
        assert await _analyze(runtime, table) == [table]
        await _insert(runtime, table, 150, start=1000)  # under 100 + 20 % of 300

        assert await _analyze(runtime, table) == []

    async def test_a_worker_skips_its_turn_while_another_holds_the_lock(
        self, runtime: Runtime, table: str
    ) -> None:
        await _insert(runtime, table, 300)
        async with runtime.db.write() as other:
            await other.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": statistics.LOCK_KEY})

            assert await _analyze(runtime, table) == []

        assert await _analyze(runtime, table) == [table]

    async def test_a_table_being_vacuumed_is_skipped_not_waited_for(
        self, runtime: Runtime, table: str
    ) -> None:
        await _insert(runtime, table, 300)
        async with runtime.db.write() as vacuum:  # VACUUM holds this lock for as long as it runs
            await vacuum.execute(text(f'LOCK TABLE "{table}" IN SHARE UPDATE EXCLUSIVE MODE'))

            assert await _analyze(runtime, table) == []

        assert await _analyze(runtime, table) == [table]


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_sqlite_needs_no_statistics(runtime: Runtime, table: str) -> None:
    await _insert(runtime, table, 300)

    assert await _analyze(runtime, table) == []
    async with runtime.db.read() as session:
        found = await session.execute(text("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'"))
        assert found.scalar_one() == 0
