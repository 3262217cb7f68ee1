"""SQL for owner alerts: failures written by the dispatcher, grouped into mails by the alert job."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from printapi.models import Account, OwnerAlert, WebhookEndpoint

# Keys per statement when alerts are marked mailed: an hour of an outage can hold tens of
# thousands, more than the 32,766 values a statement may bind.
MAILED_CHUNK = 5000


async def add_alerts(session: AsyncSession, alerts: Sequence[dict[str, Any]]) -> None:
    """``OwnerAlert`` rows, in one INSERT executed for all of them (no ORM objects)."""
    if alerts:
        await session.execute(insert(OwnerAlert), list(alerts))


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
