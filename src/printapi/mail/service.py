"""Mails are written to the outbox in the transaction of what caused them; the worker sends them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from printapi.kit.logging import get_logger
from printapi.kit.wakeup import announce
from printapi.mail import repository
from printapi.models import MailMessage

CHANNEL = "mail"

log = get_logger("printapi.mail")


async def enqueue(
    session: AsyncSession, *, to: str, subject: str, body: str, topic: str, now: datetime
) -> MailMessage:
    message = await repository.add(
        session,
        MailMessage(
            to_address=to,
            subject=subject[:200],
            body=body,
            topic=topic,
            status="pending",
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        ),
    )
    log.info("mail queued", to=to, subject=subject, topic=topic)
    await announce(session, CHANNEL)
    return message


async def pending_count(session: AsyncSession) -> int:
    return await repository.pending_count(session)


async def outbox(session: AsyncSession, *, limit: int = 100) -> list[MailMessage]:
    return await repository.recent(session, limit=limit)
