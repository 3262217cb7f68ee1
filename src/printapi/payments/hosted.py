"""The hosted providers' flow (Mollie, Stripe): to the provider's checkout and back, and what the
provider tells us.

A provider call is network I/O, made outside any transaction (SQLite has one writer, and a
transaction must not wait on a stranger's server): each function here reads, calls the provider,
and writes in short transactions of its own through ``db``, handing what it changed to
``effects`` in the writing one. Only a verified provider answer settles a payment (a fetch from
the provider's API by the id a notification or our own record names), through the
compare-and-set of ``service.settle``: whatever order and however often answers come, a payment
settles once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from printapi.kit.db import Database
from printapi.kit.errors import Forbidden
from printapi.kit.events import Effects
from printapi.kit.logging import get_logger
from printapi.kit.urls import Urls
from printapi.models import Order, Payment
from printapi.payments import queue, repository, service
from printapi.payments.events import PaymentSettled
from printapi.payments.provider import CheckoutRequest, HostedProvider, Notice, ProviderError, ProviderPayment
from printapi.payments.states import PaymentStatus, RefundStatus, TaskKind

log = get_logger("printapi.payments")


def payable(payment: Payment, order: Order, now: datetime) -> None:
    """403 unless the customer may still pay: the payment Open and its link alive."""
    if payment.status != PaymentStatus.OPEN:
        raise Forbidden(message=f"The payment of order '{order.id}' is {payment.status} already.")
    if service.expired(payment, now):
        raise Forbidden(message=f"The payment link of order '{order.id}' expired; it cannot be paid.")


async def checkout_url(
    db: Database,
    provider: HostedProvider,
    *,
    code: str,
    urls: Urls,
    first_poll: timedelta,
    now: datetime,
) -> str:
    """The provider's checkout for this payment: made now, or the one made before for the same
    amount. A double click makes one provider payment (the same idempotency key)."""
    async with db.read() as session:
        payment, order = await service.by_payment_code(session, code=code)
    payable(payment, order, now)
    if payment.provider_ref is not None and payment.checkout_url is not None:
        return payment.checkout_url
    assert payment.next_attempt_at is not None, "an Open payment has its link's end"
    answer = await provider.create(
        CheckoutRequest(
            code=code,
            order_id=order.id,
            amount=payment.amount,
            description=f"Order {order.id}",
            return_url=urls.payment_page(code, "return"),
            notify_url=urls.payment_page(code, "callback"),
            expires_at=payment.next_attempt_at,
            email=payment.billing_email,
            idempotency_key=f"printapi-{code}-{payment.amount}",
            now=now,
        )
    )
    if answer.checkout_url is None:
        raise ProviderError(f"{provider.name}: the new payment has no checkout URL")
    async with db.write() as session:
        if await repository.set_provider_payment(
            session,
            payment_pk=payment.pk,
            amount=payment.amount,
            ref=answer.ref,
            checkout_url=answer.checkout_url,
            now=now,
        ):
            # Asked about later, in case its notification never comes.
            await queue.add(
                session,
                payment_pk=payment.pk,
                kind=TaskKind.POLL,
                ref=answer.ref,
                now=now,
                due=now + first_poll,
            )
            return answer.checkout_url
        current = await repository.by_pk(session, payment_pk=payment.pk)
        if current is None or current.provider_ref != answer.ref:
            # Another request's provider payment won (or the payment moved on): ours is not wanted.
            await queue.add(session, payment_pk=payment.pk, kind=TaskKind.CANCEL, ref=answer.ref, now=now)
        if current is None or current.status != PaymentStatus.OPEN or current.checkout_url is None:
            raise Forbidden(message=f"The payment of order '{order.id}' can no longer be paid here.")
        return current.checkout_url


async def settle_from(
    session: AsyncSession, *, payment: Payment, answer: ProviderPayment, now: datetime
) -> PaymentSettled | None:
    """Apply a verified answer about the payment's own provider payment: its method, a refund the
    provider completed, and its outcome once it has one (at most once)."""
    if answer.ref != payment.provider_ref:
        return None  # a provider payment this payment no longer uses: its task ends it
    if answer.method and answer.method != payment.method:
        await repository.set_method(session, payment_pk=payment.pk, method=answer.method)
    if answer.refunded and payment.refund_status == RefundStatus.PENDING:
        await repository.record_refund(
            session, payment_pk=payment.pk, ref=None, status=RefundStatus.REFUNDED, now=now
        )
    if answer.outcome is PaymentStatus.OPEN or payment.status != PaymentStatus.OPEN:
        return None
    return await service.settle(
        session,
        payment=payment,
        outcome=answer.outcome,
        source="expiry" if answer.expired else "payment",
        now=now,
        ref=answer.ref,
        method=answer.method,
        at_provider=True,
    )


async def apply(
    db: Database, effects: Effects, *, provider: str, answer: ProviderPayment, now: datetime
) -> PaymentSettled | None:
    """Write a verified answer, and what its outcome causes, in one transaction."""
    async with db.write() as session:
        found = await repository.by_provider_ref(session, provider=provider, ref=answer.ref)
        if found is None:
            return None  # not ours, or no longer the payment's own (a task ends it)
        settled = await settle_from(session, payment=found[0], answer=answer, now=now)
        await effects(session, settled)
        return settled


async def notified(
    db: Database, effects: Effects, provider: HostedProvider, *, notice: Notice, now: datetime
) -> None:
    """A verified notification: fetch the payment it names and apply the provider's answer, or
    record a refund's news. A ``ProviderError`` goes to the caller (the provider retries; so does
    the poll task)."""
    if notice.refund_ref is not None and notice.refund_status is not None:
        async with db.write() as session:
            payment = await repository.by_refund_ref(session, provider=provider.name, ref=notice.refund_ref)
            if payment is not None:
                await repository.record_refund(
                    session, payment_pk=payment.pk, ref=None, status=notice.refund_status, now=now
                )
    if notice.payment_ref is not None:
        answer = await provider.fetch(notice.payment_ref)
        await apply(db, effects, provider=provider.name, answer=answer, now=now)


async def came_back(
    db: Database, effects: Effects, provider: HostedProvider, *, code: str, now: datetime
) -> str:
    """The customer is back from the provider's checkout: ask the provider (the return itself
    proves nothing), apply its answer, and send the customer on to the shop's returnUrl. When the
    provider cannot be asked now, its notification or the poll task settles the payment later."""
    async with db.read() as session:
        payment, _ = await service.by_payment_code(session, code=code)
    if payment.status == PaymentStatus.OPEN and payment.provider_ref is not None:
        try:
            answer = await provider.fetch(payment.provider_ref)
        except ProviderError as exc:
            log.warning("payment provider not reachable on return", provider=provider.name, error=str(exc))
        else:
            await apply(db, effects, provider=provider.name, answer=answer, now=now)
    return payment.return_url
