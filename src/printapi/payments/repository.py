"""SQL for payments: the checkout of an order, its status, and the expiry queue."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from printapi.kit.claim import Queue, claim_due, still_leased
from printapi.models import Order, Payment
from printapi.payments.states import PaymentStatus, sources

# Unpaid links that expire are cancelled: the payments that may move to Cancelled.
EXPIRY = Queue(Payment, pending=tuple(sorted(sources(PaymentStatus.CANCELLED))))


async def of_order(session: AsyncSession, *, order_pk: int) -> Payment | None:
    return (await session.execute(select(Payment).where(Payment.order_pk == order_pk))).scalar_one_or_none()


async def status_of_order(session: AsyncSession, *, order_pk: int) -> str | None:
    """The status as the database has it now (a ``Payment`` this session loaded may be older)."""
    query = select(Payment.status).where(Payment.order_pk == order_pk)
    return (await session.execute(query)).scalar_one_or_none()


async def by_code(session: AsyncSession, *, code: str) -> tuple[Payment, Order] | None:
    row = (
        await session.execute(
            select(Payment, Order).join(Order, Order.pk == Payment.order_pk).where(Payment.code == code)
        )
    ).one_or_none()
    return (row[0], row[1]) if row else None


async def add(session: AsyncSession, payment: Payment) -> Payment:
    session.add(payment)
    await session.flush()
    return payment


async def settle_if_open(
    session: AsyncSession,
    *,
    payment_pk: int,
    status: PaymentStatus,
    now: datetime,
    guard: Any = None,
    ref: str | None,
) -> bool:
    """Compare-and-set: the payment moves to ``status`` from one of its ``sources`` (Open), or, for the
    expiry job, under the job's lease (``guard``); False when someone (the customer, the expiry)
    was first."""
    condition = Payment.status.in_(sorted(sources(status))) if guard is None else guard
    values: dict[str, Any] = {
        "status": status,
        "settled_at": now,
        "updated_at": now,
        "locked_until": None,
        "locked_by": None,
    }
    if ref is not None:
        values["provider_ref"] = ref
    result = await session.execute(
        update(Payment)
        .where(Payment.pk == payment_pk, condition)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]  # CursorResult of a DML statement


async def cancel_of_order(session: AsyncSession, *, order_pk: int, now: datetime) -> bool:
    """The order's payment, if it may still be cancelled (Open), moves to Cancelled."""
    result = await session.execute(
        update(Payment)
        .where(Payment.order_pk == order_pk, Payment.status.in_(sorted(sources(PaymentStatus.CANCELLED))))
        .values(
            status=PaymentStatus.CANCELLED, settled_at=now, updated_at=now, locked_until=None, locked_by=None
        )
        # fetch: a Payment already loaded in this session (the order's answer) shows it Cancelled.
        .execution_options(synchronize_session="fetch")
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]  # CursorResult of a DML statement


async def claim_expired(
    session: AsyncSession, *, now: datetime, worker: str, lease: timedelta, limit: int
) -> list[Payment]:
    keys = await claim_due(session, EXPIRY, now=now, worker=worker, lease=lease, limit=limit)
    if not keys:
        return []
    return list((await session.execute(select(Payment).where(Payment.pk.in_(keys)))).scalars())


def leased_by(payment: Payment, worker: str) -> Any:
    return still_leased(EXPIRY, key=payment.pk, worker=worker, attempts=payment.attempts)
