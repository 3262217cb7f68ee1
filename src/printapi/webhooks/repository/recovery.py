"""SQL of recovery: the notifications of an endpoint that gave up since a moment, queued again,
one per order, in one statement.

An outage of the shop's endpoint makes every notification of that time fail; once it is back,
``POST /v2/webhooks/{id}/recover?since=`` asks for them again. The body of a notification is only
the order's id (the receiver reads the order), so one new notification per order brings the shop
up to date however many of that order's notifications failed; where one of the order's is
pending already, that one is made due now instead (as ``resend`` does).
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Integer, String, bindparam, case, func, literal, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from printapi.kit.db import UTCDateTime
from printapi.models import WebhookNotification
from printapi.webhooks.repository.queue import QUEUED_COLUMNS, _new_message_id
from printapi.webhooks.states import NotificationKind, NotificationStatus


async def requeue_failed(session: AsyncSession, *, endpoint_pk: int, since: datetime, now: datetime) -> int:
    """A pending notification, due ``now``, for every order with a notification to the endpoint
    that failed at or after ``since`` (a pending one of the order made due instead); how many
    orders."""
    values = {"endpoint_pk": endpoint_pk, "since": since, "now": now}
    result = await session.execute(_requeueing(session.get_bind().dialect.name), values)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]  # CursorResult of a DML statement


@cache
def _requeueing(dialect: str) -> Any:
    """The statement of ``requeue_failed``, built once per database."""
    model = WebhookNotification
    table = model.metadata.tables[model.__tablename__]
    upsert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    now = bindparam("now", type_=UTCDateTime())
    failed = (
        select(
            _new_message_id(dialect, now),
            model.endpoint_pk,
            model.account_id,
            model.order_pk,
            func.max(model.order_id),
            literal(NotificationKind.RESEND.value, String),
            literal(NotificationStatus.PENDING.value, String),
            literal(0),
            now,
            now,
            now,
        )
        .where(
            model.endpoint_pk == bindparam("endpoint_pk", type_=Integer()),
            model.status == NotificationStatus.FAILED,
            model.finished_at >= bindparam("since", type_=UTCDateTime()),
            model.order_pk.is_not(None),
        )
        .group_by(model.endpoint_pk, model.account_id, model.order_pk)
    )
    statement = upsert(table).from_select(QUEUED_COLUMNS, failed)
    excluded = statement.excluded
    return statement.on_conflict_do_update(
        index_elements=[model.endpoint_pk, model.order_pk],
        # Spelled as the partial index is: PostgreSQL cannot match a bound parameter to its predicate.
        index_where=text("status = 'pending'"),
        set_={
            "next_attempt_at": case(
                (table.c.next_attempt_at > excluded.next_attempt_at, excluded.next_attempt_at),
                else_=table.c.next_attempt_at,
            ),
            "changed_at": excluded.changed_at,
        },
    )
