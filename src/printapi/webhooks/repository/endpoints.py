"""SQL for the shops' webhook endpoints."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from printapi.models import WebhookEndpoint


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
