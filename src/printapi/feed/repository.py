"""SQL of the event feed: adding changes, reading after a place, pruning.

Where a row stands in the feed is ``(txid, pk)``. On PostgreSQL ``txid`` is the id of the
transaction that wrote it (``pg_current_xact_id()``), and a read returns only rows whose
transaction is older than every transaction of this database still running (``HORIZON``):
those transactions have all ended, so every row they wrote is visible now or never will be, and
any transaction that has yet to commit has an id at least that large. So no row can appear later
before a place a reader was given. A plain ``pk > cursor`` would miss rows: a transaction that
took pk 5 can commit after one that took pk 6 was read (docs/architecture.md, "The event feed").
On SQLite writers are serial (``BEGIN IMMEDIATE``): ``txid`` is 0 and the pk alone orders the feed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Text,
    cast,
    delete,
    func,
    insert,
    literal_column,
    select,
    tuple_,
)
from sqlalchemy.ext.asyncio import AsyncSession

from printapi.models import FeedEvent

Place = tuple[int, int]  # (txid, pk)


# The oldest transaction still running, of the statement's own snapshot (so every transaction
# below it has ended and its rows are as visible to this statement as they will ever be): the
# smallest id in the snapshot's in-progress list, or the snapshot's xmax when there is none.
# Transactions that pg_stat_activity shows as another database's are left out (they cannot write
# this table), so another application's long transaction on the same server does not hold the
# feed back; one that cannot be placed (its session hidden from this role, or ended since) counts.
HORIZON = literal_column(
    """(SELECT COALESCE(min(running.xid8), min(pg_snapshot_xmax(snapshot.now)))
       FROM (SELECT pg_current_snapshot() AS now) AS snapshot
       LEFT JOIN LATERAL pg_snapshot_xip(snapshot.now) AS running(xid8) ON NOT EXISTS (
           SELECT 1 FROM pg_stat_activity AS other
           WHERE other.backend_xid = xid(running.xid8) AND other.datname <> current_database()
       ))::text::bigint""",
    BigInteger,
)


def _as_bigint(xid8: ColumnElement[Any]) -> ColumnElement[int]:
    # xid8 has no cast to bigint; its text is the 64-bit number (epoch and xid), which never wraps.
    return cast(cast(xid8, Text), BigInteger)


@cache
def _insert(dialect: str) -> Any:
    """The insert, with the writing transaction's id made by the database (built once)."""
    table = FeedEvent.metadata.tables[FeedEvent.__tablename__]
    txid = _as_bigint(func.pg_current_xact_id()) if dialect == "postgresql" else 0
    return insert(table).values(txid=txid)


async def add(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Rows of ``FeedEvent`` (without ``txid``), in the change's transaction."""
    if rows:
        await session.execute(_insert(session.get_bind().dialect.name), list(rows))


async def after(
    session: AsyncSession, *, account_id: int, environment: str, place: Place, limit: int
) -> list[FeedEvent]:
    """Up to ``limit`` rows of the account and environment after ``place``, in feed order, of
    transactions that can no longer add rows before them."""
    query = select(FeedEvent).where(
        FeedEvent.account_id == account_id,
        FeedEvent.environment == environment,
        tuple_(FeedEvent.txid, FeedEvent.pk) > tuple_(*place),
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.where(FeedEvent.txid < HORIZON)
    query = query.order_by(FeedEvent.txid, FeedEvent.pk).limit(limit)
    return list((await session.execute(query)).scalars())


async def prune(session: AsyncSession, *, before: datetime) -> int:
    """Rows of changes older than ``before`` (the retention period)."""
    result = await session.execute(delete(FeedEvent).where(FeedEvent.occurred_at < before))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]  # CursorResult of a DML statement
