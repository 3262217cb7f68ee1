"""SQL for what enters the notification queue, and for the queue as operations see it.

An order change queues its notifications for every endpoint in one statement
(``queue_for_order``); a ping or a resend adds one row. Message ids lead with the change's time.
"""

from __future__ import annotations

import secrets
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
    cast,
    delete,
    func,
    literal,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from printapi.kit.db import UTCDateTime
from printapi.models import OwnerAlert, WebhookEndpoint, WebhookNotification
from printapi.webhooks.states import FINAL, NotificationKind, NotificationStatus, sources

_PENDING = WebhookNotification.status == NotificationStatus.PENDING
# The columns a notification is queued with, in the order of the SELECT that gives its rows
# (the queueing of an order change here, the recovery of failures in recovery.py).
QUEUED_COLUMNS = [
    WebhookNotification.id,
    WebhookNotification.endpoint_pk,
    WebhookNotification.account_id,
    WebhookNotification.order_pk,
    WebhookNotification.order_id,
    WebhookNotification.kind,
    WebhookNotification.status,
    WebhookNotification.attempts,
    WebhookNotification.next_attempt_at,
    WebhookNotification.created_at,
    WebhookNotification.changed_at,
]

# A message id is ``msg_``, 13 hex digits of the microseconds since 1970 (the change's time) and
# 19 random ones (on PostgreSQL from a random UUID, whose fixed version digit leaves 72 bits):
# 32 hex digits as before, but ids made close in time sort close, so the unique index on them
# grows at its right edge instead of at a random leaf for each of the rows a change queues
# (pgbench of queue_for_order, 101 endpoints: 716 changes/s against 656 with random ids).
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
    """The statement of ``queue_for_order``, built once per database (``functools.cache``): built
    anew for every order change it cost 0.9 ms of CPU against 0.16 ms (bench/statements.py,
    PostgreSQL), more than the database took to run it. SQLAlchemy's ``lambda_stmt`` cannot
    keep it: it hands the builder a proxy of ``dialect``, and the builder chose SQLite's upsert
    on PostgreSQL."""
    model = WebhookNotification
    upsert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # Of the table, not the ORM entity: an ORM insert executed with parameters is a bulk insert.
    statement = upsert(model.metadata.tables[model.__tablename__]).from_select(
        QUEUED_COLUMNS,
        _rows_for_endpoints(dialect),
    )
    return statement.on_conflict_do_update(
        index_elements=[model.endpoint_pk, model.order_pk],
        # Spelled as the partial index is: PostgreSQL cannot match a bound parameter to its predicate.
        index_where=text("status = 'pending'"),
        set_={"changed_at": statement.excluded.changed_at},
    )


def _rows_for_endpoints(dialect: str) -> Any:
    """A new pending notification's columns for every enabled endpoint of the account."""
    endpoint = WebhookEndpoint
    now = bindparam("now", type_=UTCDateTime())
    return select(
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


async def cancel_pending_of_endpoint(session: AsyncSession, *, endpoint_pk: int, now: datetime) -> None:
    """The notifications of a deleted endpoint that can still be cancelled are."""
    model = WebhookNotification
    await session.execute(
        update(model)
        .where(
            model.endpoint_pk == endpoint_pk, model.status.in_(sorted(sources(NotificationStatus.CANCELLED)))
        )
        .values(status=NotificationStatus.CANCELLED, finished_at=now, locked_until=None, locked_by=None)
        .execution_options(synchronize_session=False)
    )


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
    """Notifications that ended before ``before`` (and their attempts), and alerts mailed by then."""
    model = WebhookNotification
    finished = and_(model.status.in_(sorted(FINAL)), model.finished_at < before)
    result = await session.execute(delete(model).where(finished))
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
