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
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

# How much of the queue's head one claim ranks per partition: this many times the batch, at least.
HEAD_FACTOR = 20
HEAD_MINIMUM = 2000


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

    def due(self, now: datetime) -> ColumnElement[bool]:
        model = self.model
        lease_free = or_(model.locked_until.is_(None), model.locked_until < now)
        waiting = model.status.in_(self.pending)
        if self.in_flight:
            waiting = or_(waiting, model.status == self.in_flight)
        return and_(waiting, model.next_attempt_at <= now, lease_free)

    def leased(self, now: datetime) -> ColumnElement[bool]:
        return and_(self.model.status.in_(self.active), self.model.locked_until >= now)


async def claim_due(
    session: AsyncSession,
    queue: Queue,
    *,
    now: datetime,
    worker: str,
    lease: timedelta,
    limit: int,
    per_partition: tuple[Any, int] | None = None,
    extra: dict[str, Any] | None = None,
) -> list[int]:
    """Lease up to ``limit`` due rows to ``worker``; returns their keys, oldest due first."""
    model = queue.model
    candidates = _candidates(queue, now=now, limit=limit, per_partition=per_partition)
    pick = (
        select(queue.key)
        .where(queue.key.in_(candidates), queue.due(now))
        .order_by(model.next_attempt_at, queue.key)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        pick = pick.with_for_update(skip_locked=True)
    keys = list((await session.execute(pick)).scalars())
    if not keys:
        return []
    values: dict[str, Any] = {
        "locked_until": now + lease,
        "locked_by": worker,
        "attempts": model.attempts + 1,
        **({"status": queue.in_flight} if queue.in_flight else {}),
        **(extra or {}),
    }
    await session.execute(
        update(model).where(queue.key.in_(keys)).values(**values).execution_options(synchronize_session=False)
    )
    return keys


def _candidates(queue: Queue, *, now: datetime, limit: int, per_partition: tuple[Any, int] | None) -> Any:
    model = queue.model
    if per_partition is None:
        return select(queue.key).where(queue.due(now)).order_by(model.next_attempt_at).limit(limit)
    column, cap = per_partition
    # Partitions at their cap are left out first, so that a backlog of dead endpoints (each with
    # every slot taken) can never fill the head of the queue and hide the healthy ones.
    saturated = select(column).where(queue.leased(now)).group_by(column).having(func.count() >= cap)
    # Then only the head of the queue is ranked: with tens of thousands due, ranking every row on
    # every claim would cost more than the deliveries.
    head = (
        select(queue.key.label("key"), column.label("part"), model.next_attempt_at.label("due_at"))
        .where(queue.due(now), column.not_in(saturated))
        .order_by(model.next_attempt_at)
        .limit(max(limit * HEAD_FACTOR, HEAD_MINIMUM))
        .subquery()
    )
    in_flight = (
        select(column.label("part"), func.count().label("busy"))
        .where(queue.leased(now), column.in_(select(head.c.part)))
        .group_by(column)
        .subquery()
    )
    ranked = (
        select(
            head.c.key,
            head.c.due_at,
            func.coalesce(in_flight.c.busy, 0).label("busy"),
            func.row_number()
            .over(partition_by=head.c.part, order_by=(head.c.due_at, head.c.key))
            .label("rank"),
        )
        .select_from(head)
        .outerjoin(in_flight, in_flight.c.part == head.c.part)
        .subquery()
    )
    return (
        select(ranked.c.key)
        .where(ranked.c.rank + ranked.c.busy <= cap)
        .order_by(ranked.c.due_at)
        .limit(limit)
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
