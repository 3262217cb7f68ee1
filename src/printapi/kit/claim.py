"""Due work, claimed under a lease: the one queue mechanism of every worker loop.

A queue is a table whose rows carry ``status``, ``next_attempt_at``, ``attempts``,
``locked_until`` and ``locked_by``. ``claim_due`` runs in one short transaction (the caller's):
it picks rows that are pending, due, and not leased, leases them to this worker, counts the
attempt, and returns their keys. The caller commits **before** any network I/O, does the work,
and records the outcome in a second short transaction, guarded by ``still_leased`` so that a
worker whose lease ran out cannot overwrite the work of the one that took the row over.

- PostgreSQL: ``FOR UPDATE SKIP LOCKED``, so concurrent workers never claim the same row.
- SQLite: write transactions start with ``BEGIN IMMEDIATE``, so claims are serialised.
- A worker killed mid-flight leaves a lease that expires; another worker takes the row
  (at-least-once). The lease must outlast the longest piece of work.
- ``per_partition`` caps how many rows of one partition (a webhook endpoint) may be leased at
  once, counting leases held by every worker, so one dead endpoint cannot take all the capacity.
  Such a claim looks only at partitions with room, each through its own index slice, so its
  cost does not grow with the backlog waiting behind partitions at their cap.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import (
    CTE,
    BindParameter,
    ColumnElement,
    Integer,
    Select,
    String,
    Update,
    and_,
    bindparam,
    func,
    literal,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from printapi.kit.db import UTCDateTime

# The values of one claim, bound per call into statements built once per queue and database
# (``_pick``, ``_lease``). Built anew for every claim, SQLAlchemy's constructs cost several times
# the CPU of running the query: bench/statements.py measured 1.2 ms against 0.2 ms per pick on
# PostgreSQL (SQLite 1.4 against 0.3), and the worker claims after every commit. SQLAlchemy's own
# compiled cache does not spare the building; its ``lambda_stmt`` would, but it hands the
# builder proxies of its arguments while it records the lambda, so a builder that branches on
# them in Python (the database, the partitioning) was given the SQLite pick on PostgreSQL, without
# FOR UPDATE SKIP LOCKED. Hence ``functools.cache`` on the builders.
NOW = bindparam("claim_now", type_=UTCDateTime())
LIMIT = bindparam("claim_limit", type_=Integer())
CAP = bindparam("claim_cap", type_=Integer())
"""The cap per partition of this claim: ``Partitioned.partitions`` may name it."""
_KEYS: BindParameter[int] = bindparam("claim_keys", expanding=True)
_UNTIL = "claim_locked_until"
_WORKER = "claim_locked_by"


@dataclass(frozen=True)
class Queue:
    """The columns of one queue table (an ORM model with the lease columns).

    ``pending`` are the statuses of rows waiting for work; ``in_flight``, when given, is the
    status a claimed row carries while leased (file downloads show ``DownloadInProgress``). A
    row left in flight by a dead worker is due again once its lease has expired.
    """

    model: Any
    pending: tuple[str, ...] = ("pending",)
    in_flight: str | None = None

    @property
    def key(self) -> Any:
        return self.model.pk

    @property
    def active(self) -> tuple[str, ...]:
        """The statuses a leased row has."""
        return (self.in_flight,) if self.in_flight else self.pending

    def due(self, now: Any) -> ColumnElement[bool]:
        model = self.model
        lease_free = or_(model.locked_until.is_(None), model.locked_until < now)
        waiting = _status_in(model, self.pending)
        if self.in_flight:
            waiting = or_(waiting, _status_in(model, (self.in_flight,)))
        return and_(waiting, model.next_attempt_at <= now, lease_free)

    def leased(self, now: Any) -> ColumnElement[bool]:
        """Rows some worker holds now. Every outcome and every status change clears the lease,
        so the lease alone says it; the status is left out so that the query matches an index
        over ``locked_until IS NOT NULL`` and never one over the pending rows (the backlog).
        """
        leased: ColumnElement[bool] = self.model.locked_until >= now
        return leased


def _status_in(model: Any, statuses: tuple[str, ...]) -> ColumnElement[bool]:
    """``status IN (...)`` with the values written into the SQL: SQLite uses a partial index
    (``WHERE status = 'pending'``) only when the query names the same constant, never for a
    bound parameter. The statuses are the queue's own constants, never user input.
    """
    values = [literal(status, String(), literal_execute=True) for status in statuses]
    condition: ColumnElement[bool] = (
        model.status == values[0] if len(values) == 1 else model.status.in_(values)
    )
    return condition


@dataclass(frozen=True, eq=False)
class Partitioned:
    """A cap on the rows leased at once per partition (a webhook endpoint), counting the leases
    of every worker. ``partitions`` selects every partition key that may have due rows and, as
    a second column, that partition's own cap, at most the claim's ``cap`` (``CAP`` in SQL;
    without the column, ``cap`` is every partition's); the queue needs an index on
    ``(column, next_attempt_at)`` over its pending rows. Make it once (a module constant): the
    claim's statement is built once for it, by identity.
    """

    column: Any
    partitions: Select[Any]


async def claim_due(
    session: AsyncSession,
    queue: Queue,
    *,
    now: datetime,
    worker: str,
    lease: timedelta,
    limit: int,
    per_partition: Partitioned | None = None,
    cap: int | None = None,
    extra: dict[str, Any] | None = None,
) -> list[int]:
    """Lease up to ``limit`` due rows to ``worker``; returns their keys, oldest due first.
    With ``per_partition``, at most ``cap`` of a partition's rows are leased at once."""
    dialect = session.get_bind().dialect.name
    values: dict[str, Any] = {NOW.key: now, LIMIT.key: limit}
    if per_partition is not None:
        if cap is None:
            raise ValueError("a claim per partition needs its cap")
        values[CAP.key] = cap
    keys = list((await session.execute(_pick(queue, per_partition, dialect), values)).scalars())
    if not keys:
        return []
    extra = extra or {}
    lease_values = {_KEYS.key: keys, _UNTIL: now + lease, _WORKER: worker}
    lease_values |= {f"claim_{name}": value for name, value in extra.items()}
    await session.execute(_lease(queue, tuple(sorted(extra))), lease_values)
    return keys


@cache
def _pick(queue: Queue, per_partition: Partitioned | None, dialect: str) -> Select[Any]:
    """The due rows to lease (built once per queue, partitioning and database)."""
    if per_partition is None:
        candidates = _oldest_due(queue)
    elif dialect == "postgresql":
        candidates = _heads_lateral(queue, per_partition)
    else:
        candidates = _heads_ranked(queue, per_partition)
    pick = (
        select(queue.key)
        .where(queue.key.in_(candidates), queue.due(NOW))
        .order_by(queue.model.next_attempt_at, queue.key)
        .limit(LIMIT)
    )
    return pick.with_for_update(skip_locked=True) if dialect == "postgresql" else pick


@cache
def _lease(queue: Queue, extra: tuple[str, ...]) -> Update:
    """The lease of the picked rows, with the ``extra`` columns of the caller set as well (built
    once per queue and set of columns)."""
    model = queue.model
    columns = model.__table__.c
    values: dict[str, Any] = {
        "locked_until": bindparam(_UNTIL, type_=columns.locked_until.type),
        "locked_by": bindparam(_WORKER, type_=columns.locked_by.type),
        "attempts": model.attempts + 1,
        **({"status": queue.in_flight} if queue.in_flight else {}),
        **{name: bindparam(f"claim_{name}", type_=columns[name].type) for name in extra},
    }
    return (
        update(model)
        .where(queue.key.in_(_KEYS))
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def _oldest_due(queue: Queue) -> Select[Any]:
    """Without partitions: the head of the queue, oldest due first."""
    return select(queue.key).where(queue.due(NOW)).order_by(queue.model.next_attempt_at).limit(LIMIT)


def _room(queue: Queue, per_partition: Partitioned) -> CTE:
    """The partitions with room, and how many rows each may still lease.

    The calls in flight per partition come from the few leased rows (an index of its own),
    counted once: left to itself, PostgreSQL may recount them for every partition. Materialized,
    or SQLite probes every partition's slice of the due index first and drops those without room
    afterwards (2.5 ms a claim with 100 endpoints at their cap, 0.x ms without them).
    """
    column = per_partition.column
    busy = (
        select(column.label("part"), func.count().label("busy"))
        .where(queue.leased(NOW))
        .group_by(column)
        .cte("busy")
        .prefix_with("MATERIALIZED")
    )
    partitions = per_partition.partitions.subquery("partitions")
    own_cap = partitions.c[1] if len(partitions.c) > 1 else CAP
    in_flight = func.coalesce(busy.c.busy, 0)
    return (
        select(partitions.c[0].label("part"), (own_cap - in_flight).label("room"))
        .select_from(partitions)
        .outerjoin(busy, busy.c.part == partitions.c[0])
        .where(in_flight < own_cap)
        .cte("room")
        .prefix_with("MATERIALIZED")
    )


def _oldest_of_partition(queue: Queue, per_partition: Partitioned, room: CTE) -> Select[Any]:
    """One partition's due rows, oldest first: a slice of the (partition, next_attempt_at) index.
    Only partitions with room are probed, so a claim costs one probe per such partition, however
    many rows wait behind the partitions at their cap."""
    model = queue.model
    return (
        select(queue.key.label("key"), model.next_attempt_at.label("due_at"))
        .where(per_partition.column == room.c.part, queue.due(NOW))
        .order_by(model.next_attempt_at, queue.key)
    )


def _heads_lateral(queue: Queue, per_partition: Partitioned) -> Select[Any]:
    """PostgreSQL: each partition's oldest rows up to its room, through LATERAL ... LIMIT."""
    room = _room(queue, per_partition)
    head = _oldest_of_partition(queue, per_partition, room).limit(room.c.room).lateral("head")
    return (
        select(head.c.key)
        .select_from(room)
        .join(head, true())
        .order_by(head.c.due_at, head.c.key)
        .limit(LIMIT)
    )


def _heads_ranked(queue: Queue, per_partition: Partitioned) -> Select[Any]:
    """SQLite, which has no LATERAL and whose LIMIT cannot name an outer column: each partition's
    oldest ``cap`` rows come from a correlated list, and the room left is applied by rank."""
    model, column = queue.model, per_partition.column
    room = _room(queue, per_partition)
    oldest = _oldest_of_partition(queue, per_partition, room)
    ranked = (
        select(
            queue.key.label("key"),
            model.next_attempt_at.label("due_at"),
            room.c.room,
            func.row_number()
            .over(partition_by=column, order_by=(model.next_attempt_at, queue.key))
            .label("rank"),
        )
        .select_from(room)
        .join(model, queue.key.in_(oldest.with_only_columns(queue.key).limit(CAP).correlate(room)))
        .subquery("ranked")
    )
    return (
        select(ranked.c.key)
        .where(ranked.c.rank <= ranked.c.room)
        .order_by(ranked.c.due_at, ranked.c.key)
        .limit(LIMIT)
    )


def still_leased(queue: Queue, *, key: int, worker: str, attempts: int) -> ColumnElement[bool]:
    """The guard of an outcome update: the row is still ours, for the attempt we made."""
    model = queue.model
    return and_(
        queue.key == key,
        model.status.in_(queue.active),
        model.locked_by == worker,
        model.attempts == attempts,
    )
