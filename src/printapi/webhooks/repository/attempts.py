"""SQL for the worker's side of the notification queue: claim due notifications under a lease,
and record what their attempts came to.

A claim (``kit/claim.py``) takes the oldest due notifications of every endpoint below its own
cap (slow start), and reads what each attempt needs in the same short transaction. Outcomes are
recorded a batch at a time, each kind in one statement, guarded twice: by the lease (still ours,
for the attempt we made) and by the state machine (``status IN sources(target)``, from
``webhooks/states.py``), so that neither a worker whose lease ran out nor a cancellation made
meanwhile is ever overwritten.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, bindparam, case, insert, literal, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from printapi.kit.claim import CAP, Partitioned, Queue, claim_due
from printapi.kit.db import UTCDateTime
from printapi.models import WebhookAttempt, WebhookEndpoint, WebhookNotification
from printapi.webhooks.states import NotificationStatus, sources

QUEUE = Queue(WebhookNotification, pending=(NotificationStatus.PENDING,))
# Rows per statement of a batch of failures: about 7 parameters each, well under the drivers'
# limit of 32,766 bound values per statement.
FAILED_CHUNK = 1000


@dataclass(frozen=True)
class Claimed:
    """What one attempt needs, read in the claiming transaction."""

    pk: int
    id: str
    attempts: int
    order_id: str | None
    kind: str
    changed_at: datetime
    url: str
    secrets: list[str]
    endpoint_pk: int
    concurrency: int  # the endpoint's, when claimed


# The endpoints a claim looks at, each with its own cap (slow start): its ``concurrency``, at
# most the claim's. Deleting an endpoint cancels its pending notifications in the same transaction.
_ENDPOINTS = Partitioned(
    WebhookNotification.endpoint_pk,
    partitions=select(
        WebhookEndpoint.pk,
        case((WebhookEndpoint.concurrency < CAP, WebhookEndpoint.concurrency), else_=CAP),
    ).where(WebhookEndpoint.deleted_at.is_(None)),
)
# What each claimed attempt needs, as plain columns (no ORM objects to build and track).
_CLAIMED = (
    select(
        WebhookNotification.pk,
        WebhookNotification.id,
        WebhookNotification.attempts,
        WebhookNotification.order_id,
        WebhookNotification.kind,
        WebhookNotification.changed_at,
        WebhookEndpoint.url,
        WebhookEndpoint.secret,
        WebhookEndpoint.previous_secret,
        WebhookEndpoint.previous_secret_until,
        WebhookEndpoint.pk,
        WebhookEndpoint.concurrency,
    )
    .join(WebhookEndpoint, WebhookEndpoint.pk == WebhookNotification.endpoint_pk)
    .where(WebhookNotification.pk.in_(bindparam("keys", expanding=True)))
    .order_by(WebhookNotification.next_attempt_at)
)


async def claim(
    session: AsyncSession, *, now: datetime, worker: str, lease_seconds: float, limit: int, per_endpoint: int
) -> list[Claimed]:
    """Lease up to ``limit`` due notifications, at most ``per_endpoint`` (or the endpoint's own
    concurrency, if lower) of one endpoint in flight, counting every worker's leases."""
    keys = await claim_due(
        session,
        QUEUE,
        now=now,
        worker=worker,
        lease=timedelta(seconds=lease_seconds),
        limit=limit,
        per_partition=_ENDPOINTS,
        cap=per_endpoint,
        extra={"attempt_started_at": now},
    )
    if not keys:
        return []
    return [_claimed(row, now) for row in await session.execute(_CLAIMED, {"keys": keys})]


def _claimed(row: Any, now: datetime) -> Claimed:
    (pk, message_id, attempts, order_id, kind, changed_at) = row[:6]
    (url, secret, previous, until, endpoint, concurrency) = row[6:]
    active = [secret]
    if previous and until and until > now:
        active.append(previous)  # the rotated-out secret signs too, until its overlap ends
    return Claimed(
        pk=pk,
        id=message_id,
        attempts=attempts,
        order_id=order_id,
        kind=kind,
        changed_at=changed_at,
        url=url,
        secrets=active,
        endpoint_pk=endpoint,
        concurrency=concurrency,
    )


# The notification table itself, for statements that need none of the ORM's work per call.
_NOTIFICATIONS = WebhookNotification.metadata.tables[WebhookNotification.__tablename__]
_ROW = _NOTIFICATIONS.c
# A success ends the notification, unless the order changed during the attempt (changed_at moved
# past attempt_started_at): then it is due again at once, as a new round of attempts. One
# statement built once for every batch: the two rebuilt per batch cost more of the worker's CPU
# than anything else it did per delivery (py-spy of the benchmark's outage run). (Every SET
# sees the row as it was.)
_UNCHANGED = _ROW.changed_at <= _ROW.attempt_started_at
_NOW = bindparam("now", type_=UTCDateTime())
_SUCCEEDED = (
    update(_NOTIFICATIONS)
    .where(
        # The keys alone as well: SQLite looks a row-value IN up through no index and read every
        # pending row per batch (9.7 ms a success at 100,000 rows), PostgreSQL does either way.
        _ROW.pk.in_(bindparam("keys", expanding=True)),
        tuple_(_ROW.pk, _ROW.attempts).in_(bindparam("attempts", expanding=True)),
        _ROW.status.in_(sorted(sources(NotificationStatus.DELIVERED))),
        _ROW.locked_by == bindparam("worker", type_=String()),
    )
    .values(
        status=case((_UNCHANGED, NotificationStatus.DELIVERED.value), else_=_ROW.status),
        finished_at=case((_UNCHANGED, _NOW), else_=_ROW.finished_at),
        attempts=case((_UNCHANGED, _ROW.attempts), else_=0),
        next_attempt_at=case((_UNCHANGED, _ROW.next_attempt_at), else_=_NOW),
        locked_until=None,
        locked_by=None,
        last_error=None,
    )
    .returning(_ROW.pk, _ROW.status)
)


async def mark_delivered(
    session: AsyncSession, *, claimed: Sequence[Claimed], worker: str, now: datetime
) -> tuple[set[int], set[int]]:
    """Successful attempts, in one statement for the whole batch: ``delivered``, or, when the
    order changed again during the attempt, due once more. Returns the keys of each; a row in
    neither had passed to another worker (its lease expired) and is left to that worker.
    """
    if not claimed:
        return set(), set()
    values = {
        "keys": [c.pk for c in claimed],
        "attempts": [(c.pk, c.attempts) for c in claimed],
        "worker": worker,
        "now": now,
    }
    delivered: set[int] = set()
    again: set[int] = set()
    for pk, status in await session.execute(_SUCCEEDED, values):
        (delivered if status == NotificationStatus.DELIVERED else again).add(pk)
    return delivered, again


@dataclass(frozen=True)
class Failed:
    """A failed attempt to record: due again at ``retry_at``, or given up when it is None."""

    claimed: Claimed
    retry_at: datetime | None
    error: str


async def mark_failed(
    session: AsyncSession, *, failed: Sequence[Failed], worker: str, now: datetime
) -> set[int]:
    """Schedule the next attempts, or give up, for a whole batch in one statement. Returns the keys
    of the rows that were still ours (a row whose lease expired has passed to another worker)."""
    ours: set[int] = set()
    for start in range(0, len(failed), FAILED_CHUNK):
        ours |= await _mark_failed(session, failed[start : start + FAILED_CHUNK], worker=worker, now=now)
    return ours


async def _mark_failed(
    session: AsyncSession, failed: Sequence[Failed], *, worker: str, now: datetime
) -> set[int]:
    model = WebhookNotification
    by_pk = {f.claimed.pk: f for f in failed}
    result = await session.execute(
        update(model)
        .where(
            model.pk.in_(list(by_pk)),  # for SQLite's index, as in _SUCCEEDED
            tuple_(model.pk, model.attempts).in_([(f.claimed.pk, f.claimed.attempts) for f in failed]),
            model.status.in_(sorted(sources(NotificationStatus.FAILED))),
            model.locked_by == worker,
        )
        .values(**_failure_values(by_pk, now=now))
        .returning(model.pk)
        .execution_options(synchronize_session=False)
    )
    return set(result.scalars())


def _failure_values(by_pk: dict[int, Failed], *, now: datetime) -> dict[str, Any]:
    """Each row's own next attempt and error, or the end of it (``failed``), as CASEs by key."""
    model = WebhookNotification
    when_type, error_type = model.next_attempt_at.type, model.last_error.type
    given_up = [pk for pk, f in by_pk.items() if f.retry_at is None]
    retries = [(model.pk == pk, literal(f.retry_at, when_type)) for pk, f in by_pk.items() if f.retry_at]
    values: dict[str, Any] = {
        "locked_until": None,
        "locked_by": None,
        "last_error": case(
            *[(model.pk == pk, literal(f.error[:300], error_type)) for pk, f in by_pk.items()],
            else_=model.last_error,
        ),
    }
    if retries:
        values["next_attempt_at"] = case(*retries, else_=model.next_attempt_at)
    if given_up:
        values["status"] = case(
            (model.pk.in_(given_up), literal(NotificationStatus.FAILED.value)), else_=model.status
        )
        values["finished_at"] = case((model.pk.in_(given_up), literal(now, when_type)), else_=None)
    return values


async def adjust_concurrency(
    session: AsyncSession, *, succeeded: set[int], failed: set[int], maximum: int
) -> None:
    """Slow start per endpoint, from one recorded batch: an endpoint with a success and no
    failure may have twice as many calls in flight (up to ``maximum``), one with a failure half
    as many (at least one). A row another transaction holds is left as it is: this is a tuning,
    and waiting for it could deadlock with a deletion (endpoint, then its notifications).
    """
    endpoint, limit = WebhookEndpoint, WebhookEndpoint.concurrency
    changes = (
        (succeeded - failed, limit < maximum, case((limit * 2 > maximum, maximum), else_=limit * 2)),
        (failed, limit > 1, limit // 2),
    )
    for pks, needed, value in changes:
        if not pks:
            continue
        free = (
            select(endpoint.pk)
            .where(endpoint.pk.in_(sorted(pks)), needed)
            # NO KEY UPDATE: the KEY SHARE lock that inserting an alert takes on its endpoint
            # must neither make this skip nor wait for it.
            .with_for_update(skip_locked=True, key_share=True)
        )
        await session.execute(
            update(endpoint)
            .where(endpoint.pk.in_(free.scalar_subquery()))
            .values(concurrency=value)
            .execution_options(synchronize_session=False)
        )


_ADD_ATTEMPTS = insert(WebhookAttempt.metadata.tables[WebhookAttempt.__tablename__])


async def add_attempts(session: AsyncSession, attempts: Sequence[dict[str, Any]]) -> None:
    """``WebhookAttempt`` rows: one INSERT of the table executed for all of them (no ORM objects,
    and not the ORM's bulk insert, which cost more CPU per batch than the database took to run it)."""
    if attempts:
        await session.execute(_ADD_ATTEMPTS, list(attempts))
