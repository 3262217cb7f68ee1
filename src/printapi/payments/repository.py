"""SQL for payments: the checkout of an order, its status, its provider payment and refund, the
expiry queue, and the queue of provider calls (``payment_tasks``)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from printapi.kit.claim import Queue, claim_due, still_leased
from printapi.models import Order, Payment, PaymentTask
from printapi.payments.states import (
    PaymentStatus,
    RefundStatus,
    TaskKind,
    TaskStatus,
    refund_sources,
    sources,
)

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
    method: str | None = None,
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
    if method is not None:
        values["method"] = method[:32]
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


async def by_provider_ref(session: AsyncSession, *, provider: str, ref: str) -> tuple[Payment, Order] | None:
    row = (
        await session.execute(
            select(Payment, Order)
            .join(Order, Order.pk == Payment.order_pk)
            .where(Payment.provider == provider, Payment.provider_ref == ref)
        )
    ).one_or_none()
    return (row[0], row[1]) if row else None


async def by_refund_ref(session: AsyncSession, *, provider: str, ref: str) -> Payment | None:
    query = select(Payment).where(Payment.provider == provider, Payment.refund_ref == ref)
    return (await session.execute(query)).scalar_one_or_none()


async def by_pk(session: AsyncSession, *, payment_pk: int) -> Payment | None:
    return await session.get(Payment, payment_pk, populate_existing=True)


async def set_provider_payment(
    session: AsyncSession, *, payment_pk: int, amount: Any, ref: str, checkout_url: str | None, now: datetime
) -> bool:
    """The provider payment of an Open payment that has none yet (for this amount); False when
    another request stored one first or the payment moved on."""
    result = await session.execute(
        update(Payment)
        .where(
            Payment.pk == payment_pk,
            Payment.status == PaymentStatus.OPEN,
            Payment.provider_ref.is_(None),
            Payment.amount == amount,
        )
        .values(provider_ref=ref, checkout_url=checkout_url, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]  # CursorResult of a DML statement


async def forget_provider_payment(
    session: AsyncSession, *, payment_pk: int, amount: Any, now: datetime
) -> None:
    """An Open payment gets a new amount (a coupon): the provider payment made for the old one is
    no longer its own (a task ends it at the provider)."""
    await session.execute(
        update(Payment)
        .where(Payment.pk == payment_pk, Payment.status == PaymentStatus.OPEN)
        .values(amount=amount, provider_ref=None, checkout_url=None, updated_at=now)
        .execution_options(synchronize_session="fetch")
    )


async def set_method(session: AsyncSession, *, payment_pk: int, method: str) -> None:
    await session.execute(
        update(Payment)
        .where(Payment.pk == payment_pk)
        .values(method=method[:32])
        .execution_options(synchronize_session="fetch")
    )


async def start_refund(
    session: AsyncSession, *, payment_pk: int, status: RefundStatus, amount: Any, now: datetime
) -> bool:
    """A payment without a refund gets one (of ``amount``); False when it has one already."""
    result = await session.execute(
        update(Payment)
        .where(Payment.pk == payment_pk, Payment.refund_status.is_(None))
        .values(refund_status=status, refund_amount=amount, refund_at=now, updated_at=now)
        .execution_options(synchronize_session="fetch")
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]  # CursorResult of a DML statement


async def record_refund(
    session: AsyncSession, *, payment_pk: int, ref: str | None, status: RefundStatus, now: datetime
) -> bool:
    """The refund's provider id and its news, moved by the table (Pending → Refunded | Failed)."""
    values: dict[str, Any] = {"refund_status": status, "refund_at": now, "updated_at": now}
    if ref is not None:
        values["refund_ref"] = ref
    allowed = sorted(
        refund_sources(status) | ({RefundStatus.PENDING} if status is RefundStatus.PENDING else set())
    )
    result = await session.execute(
        update(Payment)
        .where(Payment.pk == payment_pk, Payment.refund_status.in_(allowed))
        .values(**values)
        .execution_options(synchronize_session="fetch")
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]  # CursorResult of a DML statement


async def bring_expiry_forward(session: AsyncSession, *, payment_pk: int, by: timedelta) -> None:
    """The test clock: an Open payment's link ends ``by`` sooner (worked out here: SQLite keeps
    datetimes as text, so the database cannot subtract)."""
    payment = await by_pk(session, payment_pk=payment_pk)
    if payment is not None and payment.status == PaymentStatus.OPEN and payment.next_attempt_at is not None:
        await session.execute(
            update(Payment)
            .where(Payment.pk == payment_pk, Payment.status == PaymentStatus.OPEN)
            .values(next_attempt_at=payment.next_attempt_at - by)
            .execution_options(synchronize_session="fetch")
        )


# -- the provider calls that must happen (payment_tasks) ---------------------------------------

TASKS = Queue(PaymentTask, pending=(TaskStatus.PENDING.value,))


async def add_task(
    session: AsyncSession, *, payment_pk: int, kind: TaskKind, ref: str, due: datetime, now: datetime
) -> None:
    """Queue a provider call, unless the same one is waiting already."""
    waiting = await session.execute(
        select(PaymentTask.pk).where(
            PaymentTask.payment_pk == payment_pk,
            PaymentTask.kind == kind,
            PaymentTask.provider_ref == ref,
            PaymentTask.status == TaskStatus.PENDING,
        )
    )
    if waiting.first() is not None:
        return
    session.add(
        PaymentTask(
            payment_pk=payment_pk,
            kind=kind,
            provider_ref=ref,
            status=TaskStatus.PENDING,
            attempts=0,
            next_attempt_at=due,
            created_at=now,
        )
    )
    await session.flush()


async def claim_tasks(
    session: AsyncSession, *, now: datetime, worker: str, lease: timedelta, limit: int
) -> list[PaymentTask]:
    keys = await claim_due(session, TASKS, now=now, worker=worker, lease=lease, limit=limit)
    if not keys:
        return []
    query = select(PaymentTask).where(PaymentTask.pk.in_(keys)).order_by(PaymentTask.pk)
    return list((await session.execute(query)).scalars())


async def finish_task(session: AsyncSession, *, task: PaymentTask, worker: str, now: datetime) -> None:
    await session.execute(
        update(PaymentTask)
        .where(still_leased(TASKS, key=task.pk, worker=worker, attempts=task.attempts))
        .values(status=TaskStatus.DONE, finished_at=now, locked_until=None, locked_by=None, last_error=None)
        .execution_options(synchronize_session=False)
    )


async def retry_task(
    session: AsyncSession, *, task: PaymentTask, worker: str, at: datetime, error: str | None
) -> None:
    await session.execute(
        update(PaymentTask)
        .where(still_leased(TASKS, key=task.pk, worker=worker, attempts=task.attempts))
        .values(
            next_attempt_at=at, locked_until=None, locked_by=None, last_error=error[:300] if error else None
        )
        .execution_options(synchronize_session=False)
    )


async def pending_tasks_of(session: AsyncSession, *, payment_pk: int) -> list[PaymentTask]:
    query = (
        select(PaymentTask)
        .where(PaymentTask.payment_pk == payment_pk, PaymentTask.status == TaskStatus.PENDING)
        .order_by(PaymentTask.pk)
    )
    return list((await session.execute(query)).scalars())


async def bring_tasks_forward(session: AsyncSession, *, payment_pk: int, by: timedelta) -> None:
    """The test clock: the payment's waiting provider calls fall due ``by`` sooner."""
    for task in await pending_tasks_of(session, payment_pk=payment_pk):
        if task.next_attempt_at is not None:
            await session.execute(
                update(PaymentTask)
                .where(PaymentTask.pk == task.pk, PaymentTask.status == TaskStatus.PENDING)
                .values(next_attempt_at=task.next_attempt_at - by)
                .execution_options(synchronize_session=False)
            )
