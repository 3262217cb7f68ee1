"""The column types and engines of ``printapi.kit.db`` on real databases.

``Scaled`` and ``UTCDateTime`` are checked through a probe table of their own (created and
dropped by the test, so the shared schema stays equal to the migrations); the SQLite connection
settings are read back from live connections of both engines.
"""

from __future__ import annotations

import asyncio
import secrets
import sqlite3
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, insert, select, text
from sqlalchemy.exc import IntegrityError, OperationalError, StatementError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from printapi.kit import db
from printapi.kit.db import Scaled, UTCDateTime
from printapi.runtime import Runtime
from tests.conftest import Backend, _settings

# The largest amount a BIGINT of cents holds: 2**63 - 1 cents.
LARGEST = Decimal("92233720368547758.07")


@pytest.fixture
async def probe(runtime: Runtime) -> AsyncIterator[Table]:
    table = Table(
        f"probe_{secrets.token_hex(4)}",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("amount", Scaled(2)),
        Column("millimetres", Scaled(1)),
        Column("moment", UTCDateTime()),
    )
    async with runtime.db.write() as session:
        await session.run_sync(lambda sync: table.create(sync.connection()))
    try:
        yield table
    finally:
        async with runtime.db.write() as session:
            await session.run_sync(lambda sync: table.drop(sync.connection()))


async def _store(runtime: Runtime, table: Table, **values: object) -> int:
    async with runtime.db.write() as session:
        result = await session.execute(insert(table).values(**values).returning(table.c.id))
        return int(result.scalar_one())


async def _load(runtime: Runtime, table: Table, row_id: int, column: str) -> object:
    async with runtime.db.read() as session:
        return (await session.execute(select(table.c[column]).where(table.c.id == row_id))).scalar_one()


class TestScaled:
    @pytest.mark.parametrize(
        "amount",
        ["2.95", "0.40", "0.00", "10.69", "-3.10", "1234567.89", str(LARGEST)],
    )
    async def test_an_amount_comes_back_as_exactly_the_decimal_that_was_stored(
        self, runtime: Runtime, probe: Table, amount: str
    ) -> None:
        row_id = await _store(runtime, probe, amount=Decimal(amount))

        loaded = await _load(runtime, probe, row_id, "amount")

        assert isinstance(loaded, Decimal)
        assert str(loaded) == amount

    async def test_an_amount_is_stored_as_an_integer_number_of_cents(
        self, runtime: Runtime, probe: Table
    ) -> None:
        row_id = await _store(runtime, probe, amount=Decimal("2.95"))

        async with runtime.db.read() as session:
            raw = (
                await session.execute(text(f"SELECT amount FROM {probe.name} WHERE id = :id"), {"id": row_id})
            ).scalar_one()

        assert raw == 295

    async def test_fewer_decimals_come_back_at_the_scale_of_the_column(
        self, runtime: Runtime, probe: Table
    ) -> None:
        row_id = await _store(runtime, probe, amount=Decimal("2.9"), millimetres=Decimal(3))

        assert str(await _load(runtime, probe, row_id, "amount")) == "2.90"
        assert str(await _load(runtime, probe, row_id, "millimetres")) == "3.0"

    @pytest.mark.parametrize(("column", "value"), [("amount", "2.955"), ("millimetres", "0.25")])
    async def test_more_decimals_than_the_scale_are_refused_and_nothing_is_stored(
        self, runtime: Runtime, probe: Table, column: str, value: str
    ) -> None:
        with pytest.raises(StatementError, match="more than"):
            await _store(runtime, probe, **{column: Decimal(value)})

        async with runtime.db.read() as session:
            assert (await session.execute(text(f"SELECT count(*) FROM {probe.name}"))).scalar_one() == 0

    async def test_null_stays_null(self, runtime: Runtime, probe: Table) -> None:
        row_id = await _store(runtime, probe, amount=None)

        assert await _load(runtime, probe, row_id, "amount") is None


class TestUTCDateTime:
    @pytest.mark.parametrize(
        "moment",
        [
            datetime(2025, 3, 29, 20, 40, 20, 4491, tzinfo=UTC),
            datetime(2025, 7, 1, 12, 0, tzinfo=ZoneInfo("Europe/Amsterdam")),
            datetime(2025, 12, 31, 23, 59, 59, 999999, tzinfo=timezone(timedelta(hours=-5))),
        ],
        ids=["utc", "amsterdam-summer", "minus-five"],
    )
    async def test_a_moment_comes_back_as_the_same_instant_in_aware_utc(
        self, runtime: Runtime, probe: Table, moment: datetime
    ) -> None:
        row_id = await _store(runtime, probe, moment=moment)

        loaded = await _load(runtime, probe, row_id, "moment")

        assert isinstance(loaded, datetime)
        assert loaded.tzinfo is UTC
        assert loaded == moment
        assert loaded.utcoffset() == timedelta(0)

    async def test_moments_compare_in_sql_by_instant_whatever_zone_they_were_given_in(
        self, runtime: Runtime, probe: Table
    ) -> None:
        early = await _store(
            runtime, probe, moment=datetime(2025, 7, 1, 13, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
        )
        late = await _store(runtime, probe, moment=datetime(2025, 7, 1, 11, 30, tzinfo=UTC))
        cut = datetime(2025, 7, 1, 11, 15, tzinfo=UTC)

        async with runtime.db.read() as session:
            after = (await session.execute(select(probe.c.id).where(probe.c.moment > cut))).scalars().all()

        assert list(after) == [late]
        assert early not in after

    async def test_a_naive_datetime_is_refused(self, runtime: Runtime, probe: Table) -> None:
        with pytest.raises(StatementError, match="naive datetime"):
            await _store(runtime, probe, moment=datetime(2025, 3, 29, 20, 40))  # noqa: DTZ001 - the point


@pytest.fixture
async def sqlite_runtime(sqlite_backend: Backend) -> AsyncIterator[Runtime]:
    runtime = Runtime.create(_settings(sqlite_backend.url))
    try:
        yield runtime
    finally:
        await runtime.close()


async def _pragma(session_factory: async_sessionmaker[AsyncSession], name: str) -> object:
    async with session_factory() as session:
        return (await session.execute(text(f"PRAGMA {name}"))).scalar_one()


class TestSQLiteConnections:
    @pytest.mark.parametrize("engine", ["write", "read"])
    async def test_every_connection_uses_wal_foreign_keys_a_busy_timeout_and_normal_sync(
        self, sqlite_runtime: Runtime, engine: str
    ) -> None:
        sessions = getattr(sqlite_runtime.db, f"{engine}_sessions")

        assert await _pragma(sessions, "journal_mode") == "wal"
        assert await _pragma(sessions, "foreign_keys") == 1
        # The writer retries BEGIN IMMEDIATE itself (TestSQLiteWriteLock); readers let SQLite wait.
        assert await _pragma(sessions, "busy_timeout") == (0 if engine == "write" else 5000)
        assert await _pragma(sessions, "synchronous") == 1  # NORMAL

    async def test_only_the_read_engine_is_query_only(self, sqlite_runtime: Runtime) -> None:
        assert await _pragma(sqlite_runtime.db.read_sessions, "query_only") == 1
        assert await _pragma(sqlite_runtime.db.write_sessions, "query_only") == 0
        assert sqlite_runtime.db.read_engine is not sqlite_runtime.db.write_engine

    async def test_a_write_through_a_read_session_fails_and_leaves_no_row(
        self, sqlite_runtime: Runtime
    ) -> None:
        email = f"read-only-{secrets.token_hex(4)}@example.nl"

        with pytest.raises(OperationalError, match="readonly"):
            async with sqlite_runtime.db.read() as session:
                await session.execute(
                    text("INSERT INTO accounts (email, role, created_at) VALUES (:e, 'owner', '2025-01-01')"),
                    {"e": email},
                )

        async with sqlite_runtime.db.read() as session:
            found = await session.execute(
                text("SELECT count(*) FROM accounts WHERE email = :e"), {"e": email}
            )
            assert found.scalar_one() == 0

    async def test_foreign_keys_are_enforced_on_the_writer(self, sqlite_runtime: Runtime) -> None:
        with pytest.raises(IntegrityError, match="FOREIGN KEY"):
            async with sqlite_runtime.db.write() as session:
                await session.execute(
                    text(
                        "INSERT INTO api_clients (account_id, environment, client_id, secret_hash, "
                        "created_at) VALUES (-1, 'test', :c, 'x', '2025-01-01')"
                    ),
                    {"c": f"test_{secrets.token_hex(8)}"},
                )


@pytest.fixture
def other_process_lock(sqlite_runtime: Runtime) -> Iterator[sqlite3.Connection]:
    """A second connection to the same file, as another process's writer would be."""
    path = db.sqlite_file(sqlite_runtime.db.url)
    assert path is not None
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        yield other
    finally:
        if other.in_transaction:
            other.execute("ROLLBACK")
        other.close()


async def _add_account(runtime: Runtime, email: str) -> None:
    async with runtime.db.write() as session:
        await session.execute(
            text("INSERT INTO accounts (email, role, created_at) VALUES (:e, 'owner', '2025-01-01')"),
            {"e": email},
        )


async def _accounts_named(runtime: Runtime, email: str) -> int:
    async with runtime.db.read() as session:
        found = await session.execute(text("SELECT count(*) FROM accounts WHERE email = :e"), {"e": email})
        return int(found.scalar_one())


class TestSQLiteWriteLock:
    async def test_a_writer_waits_for_another_connections_lock_without_blocking_the_loop(
        self, sqlite_runtime: Runtime, other_process_lock: sqlite3.Connection
    ) -> None:
        email = f"waits-{secrets.token_hex(4)}@example.nl"
        other_process_lock.execute("BEGIN IMMEDIATE")

        writing = asyncio.create_task(_add_account(sqlite_runtime, email))
        for _ in range(10):  # the loop keeps running other tasks while the writer waits
            await asyncio.sleep(0.01)
        assert not writing.done()
        assert await _accounts_named(sqlite_runtime, email) == 0

        other_process_lock.execute("COMMIT")
        await asyncio.wait_for(writing, timeout=db.WRITE_LOCK_WAIT_SECONDS)
        assert await _accounts_named(sqlite_runtime, email) == 1

    async def test_a_lock_held_past_the_wait_fails_the_write_and_changes_nothing(
        self,
        sqlite_runtime: Runtime,
        other_process_lock: sqlite3.Connection,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        monkeypatch.setattr(db, "WRITE_LOCK_WAIT_SECONDS", 0.1)
        email = f"locked-out-{secrets.token_hex(4)}@example.nl"
        other_process_lock.execute("BEGIN IMMEDIATE")

        with pytest.raises(sqlite3.OperationalError, match="database is locked"):
            await _add_account(sqlite_runtime, email)

        other_process_lock.execute("ROLLBACK")
        assert await _accounts_named(sqlite_runtime, email) == 0
        await _add_account(sqlite_runtime, email)  # the writer connection is still usable
        assert await _accounts_named(sqlite_runtime, email) == 1
