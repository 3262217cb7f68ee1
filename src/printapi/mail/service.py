"""Mails are written to the outbox in the transaction of what caused them; the worker sends them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from printapi.kit.logging import get_logger
from printapi.kit.wakeup import announce
from printapi.mail import repository
from printapi.models import MailMessage

CHANNEL = "mail"

log = get_logger("printapi.mail")


@dataclass(frozen=True)
class Draft:
    to: str
    subject: str
    body: str
    topic: str


async def enqueue(
    session: AsyncSession, *, to: str, subject: str, body: str, topic: str, now: datetime
) -> MailMessage:
    (message,) = await enqueue_all(session, [Draft(to, subject, body, topic)], now=now)
    return message


async def enqueue_all(session: AsyncSession, drafts: Sequence[Draft], *, now: datetime) -> list[MailMessage]:
    """Several mails into the outbox in one flush."""
    if not drafts:
        return []
    messages = [
        MailMessage(
            to_address=draft.to,
            subject=draft.subject[:200],
            body=draft.body,
            topic=draft.topic,
            status="pending",
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
        for draft in drafts
    ]
    await repository.add_all(session, messages)
    for draft in drafts:
        log.info("mail queued", to=draft.to, subject=draft.subject, topic=draft.topic)
    await announce(session, CHANNEL)
    return messages


async def pending_count(session: AsyncSession) -> int:
    return await repository.pending_count(session)


async def outbox(session: AsyncSession, *, limit: int = 100) -> list[MailMessage]:
    return await repository.recent(session, limit=limit)
