"""Engines, sessions and the column types every table uses.

SQLite (the embedded default) gets one writer connection per process that opens every
transaction with ``BEGIN IMMEDIATE`` and a separate read engine; PostgreSQL gets an asyncpg pool
for writers and a smaller one for readers. Readers run in autocommit on both. Datetimes are
stored in UTC, money as integer cents (see ``Scaled``).
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import BigInteger, DateTime, MetaData, event, func, select
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.types import TypeDecorator
from sqlalchemy.util import await_only

from printapi.kit.sqlite import ONE_TRIP
from printapi.kit.wakeup import committed_channels

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime on both databases (SQLite would silently drop the offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Scaled(TypeDecorator[Decimal]):
    """A ``Decimal`` with a fixed scale stored as an integer (cents for money: scale 2).

    SQLite has no exact decimal type, so every amount, rate and millimetre is an integer in the
    database and a ``Decimal`` of the column's scale in code (``2.95`` stays ``2.95``, ``0.40``
    stays ``0.40``).
    """

    impl = BigInteger
    cache_ok = True

    def __init__(self, scale: int = 2) -> None:
        super().__init__()
        self.scale = scale
        self._unit = Decimal(1).scaleb(-scale)

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> int | None:
        if value is None:
            return None
        scaled = Decimal(value).scaleb(self.scale)
        if scaled != scaled.to_integral_value():
            raise ValueError(f"{value} has more than {self.scale} decimals")
        return int(scaled)

    def process_result_value(self, value: int | None, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return Decimal(value).scaleb(-self.scale).quantize(self._unit)


def Cents() -> Scaled:  # noqa: N802 - reads as a column type
    return Scaled(2)


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (None for another database or an in-memory one)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


# How long a writer waits for another process to release SQLite's write lock (then "database
# is locked"), and how often it asks meanwhile.
WRITE_LOCK_WAIT_SECONDS = 5.0
WRITE_LOCK_RETRY_SECONDS = 0.001


def _begin_immediate(dbapi_connection: Any) -> None:
    """``BEGIN IMMEDIATE``, retried every millisecond while another process holds the lock.

    SQLite's own busy handler sleeps 1, 2, 5, 10 … 100 ms between tries, so under a steady
    stream of commits from another process (the API beside a worker) a waiting writer kept
    oversleeping the moments the lock was free. The writer connection therefore has no busy
    timeout and asks again here; the wait is an ``asyncio.sleep`` (this runs inside
    SQLAlchemy's greenlet), so the event loop goes on meanwhile. Within one process the writer
    pool (one connection) already queues the writers in order.
    """
    cursor = dbapi_connection.cursor()
    deadline = time.monotonic() + WRITE_LOCK_WAIT_SECONDS
    try:
        while True:
            try:
                cursor.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                # The primary code: SQLITE_BUSY_RECOVERY (another process recovering the WAL)
                # and its kin are worth waiting for as well.
                if getattr(exc, "sqlite_errorcode", 0) & 0xFF != sqlite3.SQLITE_BUSY:
                    raise
                if time.monotonic() >= deadline:
                    raise
            await_only(asyncio.sleep(WRITE_LOCK_RETRY_SECONDS))
    finally:
        cursor.close()


def _configure_sqlite(engine: AsyncEngine, *, writer: bool) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the sqlite3 module so that BEGIN is ours.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        if writer:
            # Only BEGIN IMMEDIATE waits for a lock in WAL mode; it retries by itself (above).
            cursor.execute("PRAGMA busy_timeout=0")
        else:
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.execute("PRAGMA query_only=ON")
        cursor.close()

    if writer:

        @event.listens_for(engine.sync_engine, "begin")
        def _on_begin(conn: Any) -> None:
            # Writers take the write lock up front: a deferred transaction that reads and then
            # writes fails with SQLITE_BUSY instead of waiting for the lock.
            _begin_immediate(conn.connection.dbapi_connection)


@dataclass(frozen=True)
class Database:
    """The engines of one process: ``write`` for transactions that change data, ``read`` for the rest."""

    url: str
    write_engine: AsyncEngine
    read_engine: AsyncEngine
    write_sessions: async_sessionmaker[AsyncSession]
    read_sessions: async_sessionmaker[AsyncSession]
    # Called with the channels a committed transaction announced (see kit/wakeup.py).
    commit_hooks: list[Callable[[set[str]], None]] = field(default_factory=list)

    @property
    def dialect(self) -> str:
        return self.write_engine.dialect.name

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """One write transaction: committed when the block ends, rolled back on any error."""
        async with self.write_sessions() as session:
            async with session.begin():
                yield session
            channels = committed_channels(session.info)
            if channels:
                for hook in self.commit_hooks:
                    hook(channels)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A session for reading: each statement sees what was committed when it began (read
        committed, on both databases). On SQLite the readers run in autocommit, so a read costs
        its statements only: no BEGIN, COMMIT or ROLLBACK, each of which is a trip to aiosqlite's
        thread (bench/hot_path.py: three of a GET's five)."""
        async with self.read_sessions() as session:
            yield session

    @asynccontextmanager
    async def read_before(self, writer: AsyncSession) -> AsyncIterator[AsyncSession]:
        """The session for what a write transaction reads before it writes. On SQLite a read
        session of its own, so that the writer holds SQLite's one write lock for its writes
        alone; on PostgreSQL, whose writers lock rows, not the database, the write transaction
        itself: a session and a pooled connection fewer (350 of the 4,350 Python calls of an
        order's placement, bench/hot_path.py), and what it reads is as committed as a reader's."""
        if self.dialect == "sqlite":
            async with self.read() as reader:
                yield reader
        else:
            yield writer

    async def dispose(self) -> None:
        await self.write_engine.dispose()
        if self.read_engine is not self.write_engine:
            await self.read_engine.dispose()


def create_database(url: str, *, echo: bool = False) -> Database:
    if url.startswith("sqlite"):
        path = sqlite_file(url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        # One writer connection per process: a bigger pool only makes connections fight in
        # SQLite's sleeping busy handler (second-long tails, see research/deps.md).
        # A statement is one trip to aiosqlite's thread (kit/sqlite.py), not three or four.
        write = create_async_engine(
            url, echo=echo, module=ONE_TRIP, pool_size=1, max_overflow=0, pool_timeout=30
        )
        # Readers are in autocommit (isolation_level None, below): nothing to roll back.
        read = create_async_engine(
            url, echo=echo, module=ONE_TRIP, pool_size=4, max_overflow=4, skip_autocommit_rollback=True
        )
        _configure_sqlite(write, writer=True)
        _configure_sqlite(read, writer=False)
    else:
        # No pre-ping (a round trip per checkout); connections are recycled instead. At most 20
        # connections per process, as when one pool served both (docs/operations.md counts them).
        write = create_async_engine(url, echo=echo, pool_size=10, max_overflow=5, pool_recycle=1800)
        # Readers in autocommit, as on SQLite: each statement is its own transaction, which is
        # what read committed gave them anyway, without the BEGIN and ROLLBACK round trips.
        read = create_async_engine(
            url,
            echo=echo,
            isolation_level="AUTOCOMMIT",
            skip_autocommit_rollback=True,
            pool_size=5,
            max_overflow=0,
            pool_recycle=1800,
        )
    return Database(
        url=url,
        write_engine=write,
        read_engine=read,
        write_sessions=async_sessionmaker(write, expire_on_commit=False, autoflush=False),
        read_sessions=async_sessionmaker(read, expire_on_commit=False, autoflush=False),
    )


async def only_one(session: AsyncSession, key: int) -> bool:
    """PostgreSQL: whether this transaction got the advisory lock ``key`` (held until it ends),
    so that of several workers one does a job per turn; True on SQLite, whose writer is one."""
    if session.get_bind().dialect.name != "postgresql":
        return True
    got: bool = (await session.execute(select(func.pg_try_advisory_xact_lock(key)))).scalar_one()
    return got
