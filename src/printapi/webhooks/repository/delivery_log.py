"""SQL for the delivery log: the notifications of an endpoint or an order, with every attempt."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from printapi.models import WebhookAttempt, WebhookEndpoint, WebhookNotification


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
