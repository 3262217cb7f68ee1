"""SQL for webhook endpoints, the notification queue, the attempt log and owner alerts."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import (
    BigInteger,
    BindParameter,
    ColumnElement,
    Integer,
    String,
    and_,
    bindparam,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    select,
    text,
    tuple_,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from printapi.kit.claim import CAP, Partitioned, Queue, claim_due
from printapi.kit.db import UTCDateTime
from printapi.models import Account, OwnerAlert, WebhookAttempt, WebhookEndpoint, WebhookNotification
from printapi.webhooks.states import NotificationKind, NotificationStatus

QUEUE = Queue(WebhookNotification, pending=(NotificationStatus.PENDING,))
_PENDING = WebhookNotification.status == NotificationStatus.PENDING


# -- endpoints ---------------------------------------------------------------------------------


async def add_endpoint(session: AsyncSession, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    session.add(endpoint)
    await session.flush()
    return endpoint


async def endpoints_of(session: AsyncSession, *, account_id: int, environment: str) -> list[WebhookEndpoint]:
    query = (
        select(WebhookEndpoint)
        .where(
            WebhookEndpoint.account_id == account_id,
            WebhookEndpoint.environment == environment,
            WebhookEndpoint.deleted_at.is_(None),
        )
        .order_by(WebhookEndpoint.pk)
    )
    return list((await session.execute(query)).scalars())


async def endpoint_of(
    session: AsyncSession, *, endpoint_id: str, account_id: int | None, environment: str | None
) -> WebhookEndpoint | None:
    query = select(WebhookEndpoint).where(
        WebhookEndpoint.id == endpoint_id, WebhookEndpoint.deleted_at.is_(None)
    )
    if account_id is not None:
        query = query.where(WebhookEndpoint.account_id == account_id)
    if environment is not None:
        query = query.where(WebhookEndpoint.environment == environment)
    return (await session.execute(query)).scalar_one_or_none()


async def cancel_pending_of_endpoint(session: AsyncSession, *, endpoint_pk: int, now: datetime) -> None:
    await session.execute(
        update(WebhookNotification)
        .where(WebhookNotification.endpoint_pk == endpoint_pk, _PENDING)
        .values(status=NotificationStatus.CANCELLED, finished_at=now, locked_until=None, locked_by=None)
        .execution_options(synchronize_session=False)
    )


# -- emission ----------------------------------------------------------------------------------


# A message id is ``msg_``, 13 hex digits of the microseconds since 1970 (the change's time) and
# 19 random ones (on PostgreSQL from a random UUID, whose fixed version digit leaves 72 bits):
# 32 hex digits as before, but ids made close in time sort close, so the unique index on them
# grows at its right edge instead of at a random leaf for each of the rows a change queues.
MESSAGE_TIME_DIGITS, MESSAGE_RANDOM_DIGITS = 13, 19


def new_message_id(now: datetime) -> str:
    """A message id made by the app (a ping, a resend), in the form the database makes them."""
    micros = int(now.timestamp() * 1_000_000)
    return f"msg_{micros:0{MESSAGE_TIME_DIGITS}x}{secrets.token_hex(10)[:MESSAGE_RANDOM_DIGITS]}"


def _new_message_id(dialect: str, now: BindParameter[datetime]) -> ColumnElement[str]:
    """A message id made by the database for each row it inserts, of the change's time ``now``
    (``new_message_id``'s form)."""
    if dialect == "postgresql":
        micros = cast(func.extract("epoch", now) * 1_000_000, BigInteger)
        time_hex = func.lpad(func.to_hex(micros), MESSAGE_TIME_DIGITS, "0")
        random_hex = func.replace(cast(func.gen_random_uuid(), String), "-", "")
    else:
        micros = cast((func.julianday(now) - 2440587.5) * 86_400_000_000.0, Integer)
        time_hex = func.printf(f"%0{MESSAGE_TIME_DIGITS}x", micros)
        random_hex = func.lower(func.hex(func.randomblob(10)))
    return literal("msg_", String) + time_hex + func.substr(random_hex, 1, MESSAGE_RANDOM_DIGITS)


async def queue_for_order(
    session: AsyncSession, *, account_id: int, environment: str, order_pk: int, order_id: str, now: datetime
) -> int:
    """A pending notification of the order for every enabled endpoint of the account and
    environment, or, where one is pending for (endpoint, order) already, that one folded in
    (its ``changed_at`` moves). One statement whatever the number of endpoints: an account with
    a hundred of them cost the order's transaction a hundred parameter rows before. Returns the
    number of endpoints it concerned.
    """
    values = {
        "account_id": account_id,
        "environment": environment,
        "order_pk": order_pk,
        "order_id": order_id,
        "now": now,
    }
    result = await session.execute(_queueing(session.get_bind().dialect.name), values)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]  # CursorResult of a DML statement


@cache
def _queueing(dialect: str) -> Any:
    """The statement of ``queue_for_order``, built once per database: built anew for every order
    change, it cost more CPU than the database took to run it."""
    model, endpoint = WebhookNotification, WebhookEndpoint
    now = bindparam("now", type_=UTCDateTime())
    rows = select(
        _new_message_id(dialect, now),
        endpoint.pk,
        bindparam("account_id", type_=Integer()),
        bindparam("order_pk", type_=Integer()),
        bindparam("order_id", type_=String()),
        literal(NotificationKind.STATUS.value, String),
        literal(NotificationStatus.PENDING.value, String),
        literal(0),
        now,
        now,
        now,
    ).where(
        endpoint.account_id == bindparam("account_id"),
        endpoint.environment == bindparam("environment", type_=String()),
        endpoint.enabled.is_(True),
        endpoint.deleted_at.is_(None),
    )
    upsert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # Of the table, not the ORM entity: an ORM insert executed with parameters is a bulk insert.
    statement = upsert(model.metadata.tables[model.__tablename__]).from_select(
        [
            model.id,
            model.endpoint_pk,
            model.account_id,
            model.order_pk,
            model.order_id,
            model.kind,
            model.status,
            model.attempts,
            model.next_attempt_at,
            model.created_at,
            model.changed_at,
        ],
        rows,
    )
    return statement.on_conflict_do_update(
        index_elements=[model.endpoint_pk, model.order_pk],
        # Spelled as the partial index is: PostgreSQL cannot match a bound parameter to its predicate.
        index_where=text("status = 'pending'"),
        set_={"changed_at": statement.excluded.changed_at},
    )


async def add_notification(session: AsyncSession, notification: WebhookNotification) -> WebhookNotification:
    session.add(notification)
    await session.flush()
    return notification


async def pending_for(
    session: AsyncSession, *, endpoint_pk: int, order_pk: int
) -> WebhookNotification | None:
    query = select(WebhookNotification).where(
        WebhookNotification.endpoint_pk == endpoint_pk, WebhookNotification.order_pk == order_pk, _PENDING
    )
    return (await session.execute(query)).scalar_one_or_none()


# -- delivery ----------------------------------------------------------------------------------


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
    claimed = []
    for row in await session.execute(_CLAIMED, {"keys": keys}):
        (pk, message_id, attempts, order_id, kind, changed_at) = row[:6]
        (url, secret, previous, until, endpoint, limit) = row[6:]
        active = [secret]
        if previous and until and until > now:
            active.append(previous)
        claimed.append(
            Claimed(
                pk=pk,
                id=message_id,
                attempts=attempts,
                order_id=order_id,
                kind=kind,
                changed_at=changed_at,
                url=url,
                secrets=active,
                endpoint_pk=endpoint,
                concurrency=limit,
            )
        )
    return claimed


# The notification table itself, for statements that need none of the ORM's work per call.
_NOTIFICATIONS = WebhookNotification.metadata.tables[WebhookNotification.__tablename__]
_ROW = _NOTIFICATIONS.c
# A success ends the notification, unless the order changed during the attempt (changed_at moved
# past attempt_started_at): then it is due again at once, as a new round of attempts. One
# statement built once for every batch: the two rebuilt per batch cost more of the worker's CPU
# than anything else it did per delivery. (Every SET sees the row as it was.)
_UNCHANGED = _ROW.changed_at <= _ROW.attempt_started_at
_NOW = bindparam("now", type_=UTCDateTime())
_SUCCEEDED = (
    update(_NOTIFICATIONS)
    .where(
        # The keys alone as well: SQLite looks a row-value IN up through no index and read every
        # pending row per batch (9.7 ms a success at 100,000 rows), PostgreSQL does either way.
        _ROW.pk.in_(bindparam("keys", expanding=True)),
        tuple_(_ROW.pk, _ROW.attempts).in_(bindparam("attempts", expanding=True)),
        _ROW.status == NotificationStatus.PENDING.value,
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


FAILED_CHUNK = 1000  # rows per statement: about 7 parameters each, well under the drivers' 32,766


async def _mark_failed(
    session: AsyncSession, failed: Sequence[Failed], *, worker: str, now: datetime
) -> set[int]:
    model = WebhookNotification
    by_pk = {f.claimed.pk: f for f in failed}
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
    result = await session.execute(
        update(model)
        .where(
            model.pk.in_(list(by_pk)),  # for SQLite's index, as in _SUCCEEDED
            tuple_(model.pk, model.attempts).in_([(f.claimed.pk, f.claimed.attempts) for f in failed]),
            _PENDING,
            model.locked_by == worker,
        )
        .values(**values)
        .returning(model.pk)
        .execution_options(synchronize_session=False)
    )
    return set(result.scalars())


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


async def add_alerts(session: AsyncSession, alerts: Sequence[dict[str, Any]]) -> None:
    """``OwnerAlert`` rows, as ``add_attempts``."""
    if alerts:
        await session.execute(insert(OwnerAlert), list(alerts))


# -- owner alerts ------------------------------------------------------------------------------


async def unmailed_alert_groups(session: AsyncSession) -> list[tuple[int, str, datetime | None]]:
    """Each (endpoint, kind) with alerts not mailed yet, and when its last mail went out, in one
    query: the job runs after every batch with new alerts, and during an outage of many
    endpoints a query per group added up to half a second per run."""
    waiting = (
        select(OwnerAlert.endpoint_pk, OwnerAlert.kind)
        .where(OwnerAlert.mailed_at.is_(None))
        .distinct()
        .subquery("waiting")
    )
    mailed = aliased(OwnerAlert)
    last = (
        select(func.max(mailed.mailed_at))
        .where(mailed.endpoint_pk == waiting.c.endpoint_pk, mailed.kind == waiting.c.kind)
        .scalar_subquery()
    )
    query = select(waiting.c.endpoint_pk, waiting.c.kind, last).order_by(
        waiting.c.endpoint_pk, waiting.c.kind
    )
    return [(row[0], row[1], row[2]) for row in await session.execute(query)]


async def unmailed_alerts_of(
    session: AsyncSession, *, groups: Sequence[tuple[int, str]]
) -> dict[tuple[int, str], list[OwnerAlert]]:
    """The alerts not mailed yet of each (endpoint, kind), oldest first."""
    query = (
        select(OwnerAlert)
        .where(
            tuple_(OwnerAlert.endpoint_pk, OwnerAlert.kind).in_(list(groups)), OwnerAlert.mailed_at.is_(None)
        )
        .order_by(OwnerAlert.pk)
    )
    found: dict[tuple[int, str], list[OwnerAlert]] = {}
    for alert in (await session.execute(query)).scalars():
        found.setdefault((alert.endpoint_pk, alert.kind), []).append(alert)
    return found


MAILED_CHUNK = 5000  # keys per statement: an hour of an outage can hold tens of thousands


async def mark_mailed(session: AsyncSession, *, alert_pks: Sequence[int], now: datetime) -> None:
    """The alerts that went into mails, named one by one: an alert written by another worker
    after they were read is left for the next mail."""
    for start in range(0, len(alert_pks), MAILED_CHUNK):
        await session.execute(
            update(OwnerAlert)
            .where(OwnerAlert.pk.in_(alert_pks[start : start + MAILED_CHUNK]), OwnerAlert.mailed_at.is_(None))
            .values(mailed_at=now)
            .execution_options(synchronize_session=False)
        )


async def endpoints_with_owners(
    session: AsyncSession, *, endpoint_pks: set[int]
) -> dict[int, tuple[WebhookEndpoint, Account]]:
    rows = await session.execute(
        select(WebhookEndpoint, Account)
        .join(Account, Account.id == WebhookEndpoint.account_id)
        .where(WebhookEndpoint.pk.in_(sorted(endpoint_pks)))
    )
    return {endpoint.pk: (endpoint, owner) for endpoint, owner in rows}


# -- the delivery log --------------------------------------------------------------------------


async def notifications_of_endpoint(
    session: AsyncSession, *, endpoint_pk: int, offset: int, limit: int
) -> tuple[int, list[WebhookNotification]]:
    where = WebhookNotification.endpoint_pk == endpoint_pk
    count = (await session.execute(select(func.count()).where(where))).scalar_one()
    query = (
        select(WebhookNotification)
        .where(where)
        .order_by(WebhookNotification.created_at.desc(), WebhookNotification.pk.desc())
        .offset(offset)
        .limit(limit)
    )
    return int(count), list((await session.execute(query)).scalars())


async def notifications_of_order(session: AsyncSession, *, order_pk: int) -> list[WebhookNotification]:
    query = (
        select(WebhookNotification)
        .where(WebhookNotification.order_pk == order_pk)
        .order_by(WebhookNotification.created_at, WebhookNotification.pk)
    )
    return list((await session.execute(query)).scalars())


async def notification_for_account(
    session: AsyncSession, *, notification_id: str, account_id: int, environment: str
) -> tuple[WebhookNotification, WebhookEndpoint] | None:
    row = (
        await session.execute(
            select(WebhookNotification, WebhookEndpoint)
            .join(WebhookEndpoint, WebhookEndpoint.pk == WebhookNotification.endpoint_pk)
            .where(
                WebhookNotification.id == notification_id,
                WebhookEndpoint.account_id == account_id,
                WebhookEndpoint.environment == environment,
            )
        )
    ).one_or_none()
    return (row[0], row[1]) if row else None


async def attempts_of(
    session: AsyncSession, notification_pks: Sequence[int]
) -> dict[int, list[WebhookAttempt]]:
    if not notification_pks:
        return {}
    query = (
        select(WebhookAttempt)
        .where(WebhookAttempt.notification_pk.in_(notification_pks))
        .order_by(WebhookAttempt.notification_pk, WebhookAttempt.number, WebhookAttempt.pk)
    )
    grouped: dict[int, list[WebhookAttempt]] = {pk: [] for pk in notification_pks}
    for attempt in (await session.execute(query)).scalars():
        grouped[attempt.notification_pk].append(attempt)
    return grouped


async def endpoint_ids(session: AsyncSession, endpoint_pks: Sequence[int]) -> dict[int, str]:
    if not endpoint_pks:
        return {}
    rows = await session.execute(
        select(WebhookEndpoint.pk, WebhookEndpoint.id).where(WebhookEndpoint.pk.in_(endpoint_pks))
    )
    return {row[0]: row[1] for row in rows}


# -- operations --------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueStats:
    pending: int
    due: int
    oldest_pending: datetime | None


async def queue_stats(session: AsyncSession, *, now: datetime) -> QueueStats:
    query = select(
        func.count(),
        func.count().filter(WebhookNotification.next_attempt_at <= now),
        func.min(WebhookNotification.created_at),
    ).where(_PENDING)
    pending, due, oldest = (await session.execute(query)).one()
    return QueueStats(pending=int(pending), due=int(due), oldest_pending=oldest)


async def prune_finished(session: AsyncSession, *, before: datetime) -> int:
    finished = and_(
        WebhookNotification.status != NotificationStatus.PENDING, WebhookNotification.finished_at < before
    )
    result = await session.execute(delete(WebhookNotification).where(finished))
    await session.execute(delete(OwnerAlert).where(OwnerAlert.mailed_at < before))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]  # CursorResult of a DML statement


async def bring_forward(session: AsyncSession, *, order_pk: int, by: timedelta) -> int:
    """The test clock: the order's pending notifications fall due ``by`` sooner; how many (the
    times are worked out here: SQLite keeps datetimes as text)."""
    pending = WebhookNotification.status == NotificationStatus.PENDING
    rows = (
        await session.execute(
            select(WebhookNotification.pk, WebhookNotification.next_attempt_at).where(
                WebhookNotification.order_pk == order_pk,
                pending,
                WebhookNotification.next_attempt_at.is_not(None),
            )
        )
    ).all()
    for pk, due in rows:
        assert due is not None, "selected where it is not null"
        await session.execute(
            update(WebhookNotification)
            .where(WebhookNotification.pk == pk, pending)
            .values(next_attempt_at=due - by)
            .execution_options(synchronize_session=False)
        )
    return len(rows)
