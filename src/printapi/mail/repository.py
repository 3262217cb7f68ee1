"""SQL for the mail outbox."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from printapi.kit.claim import Queue, claim_due, still_leased
from printapi.models import MailMessage

QUEUE = Queue(MailMessage)


async def add_all(session: AsyncSession, messages: Sequence[MailMessage]) -> None:
    session.add_all(messages)
    await session.flush()


async def claim(
    session: AsyncSession, *, now: datetime, worker: str, lease: timedelta, limit: int
) -> list[MailMessage]:
    keys = await claim_due(session, QUEUE, now=now, worker=worker, lease=lease, limit=limit)
    if not keys:
        return []
    rows = await session.execute(select(MailMessage).where(MailMessage.pk.in_(keys)).order_by(MailMessage.pk))
    return list(rows.scalars())


async def mark_sent(session: AsyncSession, *, message: MailMessage, worker: str, now: datetime) -> None:
    await session.execute(
        update(MailMessage)
        .where(still_leased(QUEUE, key=message.pk, worker=worker, attempts=message.attempts))
        .values(status="sent", sent_at=now, locked_until=None, locked_by=None, last_error=None)
        .execution_options(synchronize_session=False)
    )


async def mark_retry(
    session: AsyncSession, *, message: MailMessage, worker: str, retry_at: datetime, error: str
) -> None:
    await session.execute(
        update(MailMessage)
        .where(still_leased(QUEUE, key=message.pk, worker=worker, attempts=message.attempts))
        .values(next_attempt_at=retry_at, locked_until=None, locked_by=None, last_error=error[:300])
        .execution_options(synchronize_session=False)
    )


async def pending_count(session: AsyncSession) -> int:
    query = select(func.count()).where(MailMessage.status == "pending")
    return int((await session.execute(query)).scalar_one())


async def recent(session: AsyncSession, *, limit: int) -> list[MailMessage]:
    query = select(MailMessage).order_by(MailMessage.pk.desc()).limit(limit)
    return list((await session.execute(query)).scalars())


async def prune_sent(session: AsyncSession, *, before: datetime) -> int:
    result = await session.execute(
        delete(MailMessage).where(MailMessage.status == "sent", MailMessage.sent_at < before)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]  # CursorResult of a DML statement
