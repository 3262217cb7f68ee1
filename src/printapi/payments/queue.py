"""Queueing a provider call (``payment_tasks``) in the transaction of the change that needs it; the
worker's ``payment-tasks`` job (``tasks.py``) makes the call after the commit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from printapi.kit.wakeup import announce
from printapi.payments import repository
from printapi.payments.states import TaskKind

CHANNEL = "payment-tasks"


async def add(
    session: AsyncSession,
    *,
    payment_pk: int,
    kind: TaskKind,
    ref: str,
    now: datetime,
    due: datetime | None = None,
) -> None:
    """A call of ``kind`` about provider payment ``ref``, due at ``due`` (now: the worker wakes)."""
    await repository.add_task(session, payment_pk=payment_pk, kind=kind, ref=ref, due=due or now, now=now)
    if due is None or due <= now:
        await announce(session, CHANNEL)
