"""The worker's provider calls (``payment_tasks``): each claimed under a lease, made outside any
transaction, and its outcome written in a short one; a failed call (timeout, 5xx, a provider no
longer configured) is made again on ``PRINTAPI_PAYMENT_POLL_SCHEDULE`` (its last step repeats),
never dropped.

- ``poll``: an open provider payment whose notification may have been lost is fetched; its
  answer settles the payment like a notification would (at most once).
- ``cancel``: a provider payment we no longer want (the link expired, the order was cancelled,
  a coupon changed the amount, a double click's spare) is ended; if the customer paid it after
  all, it is paid back.
- ``refund``: a paid payment of a cancelled order is paid back, and asked about until the
  provider says it is done.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from printapi.kit.db import Database
from printapi.kit.events import Effects
from printapi.kit.logging import get_logger
from printapi.models import Payment, PaymentTask
from printapi.payments import hosted, queue, repository
from printapi.payments.provider import HostedProvider, PaymentProviders, ProviderError
from printapi.payments.states import PaymentStatus, RefundStatus, TaskKind

log = get_logger("printapi.payments")

LEASE = timedelta(minutes=2)  # well above two provider calls with their timeouts


@dataclass(frozen=True)
class Done:
    """The task needs no further call."""


@dataclass(frozen=True)
class Again:
    """Call again at the next step of the schedule."""

    error: str | None = None


Result = Done | Again


@dataclass
class TaskRunner:
    db: Database
    providers: PaymentProviders
    effects: Effects
    schedule: tuple[timedelta, ...]
    worker: str

    async def run_due(self, *, now: datetime, limit: int = 20) -> int:
        """Claim the due tasks (committed before any call), run each, record each outcome."""
        async with self.db.write() as session:
            due = await repository.claim_tasks(session, now=now, worker=self.worker, lease=LEASE, limit=limit)
        for task in due:
            try:
                result = await self._run(task, now=now)
            except ProviderError as exc:
                log.warning(
                    "payment provider call failed",
                    task=task.kind,
                    provider_ref=task.provider_ref,
                    error=str(exc),
                )
                result = Again(str(exc))
            await self._record(task, result, now=now)
        return len(due)

    async def _record(self, task: PaymentTask, result: Result, *, now: datetime) -> None:
        async with self.db.write() as session:
            if isinstance(result, Done):
                await repository.finish_task(session, task=task, worker=self.worker, now=now)
            else:
                step = self.schedule[min(max(task.attempts - 1, 0), len(self.schedule) - 1)]
                await repository.retry_task(
                    session, task=task, worker=self.worker, at=now + step, error=result.error
                )

    async def _run(self, task: PaymentTask, *, now: datetime) -> Result:
        async with self.db.read() as session:
            payment = await repository.by_pk(session, payment_pk=task.payment_pk)
        if payment is None:
            return Done()
        provider = self.providers.hosted(payment.provider)
        if provider is None:
            return Again(f"payment provider {payment.provider!r} is not configured")
        if task.kind == TaskKind.POLL:
            return await self._poll(task, payment, provider, now=now)
        if task.kind == TaskKind.CANCEL:
            return await self._cancel(task, payment, provider, now=now)
        return await self._refund(task, payment, provider, now=now)

    async def _poll(
        self, task: PaymentTask, payment: Payment, provider: HostedProvider, *, now: datetime
    ) -> Result:
        if payment.status != PaymentStatus.OPEN or payment.provider_ref != task.provider_ref:
            return Done()
        answer = await provider.fetch(task.provider_ref)
        await hosted.apply(self.db, self.effects, provider=provider.name, answer=answer, now=now)
        return Again() if answer.outcome is PaymentStatus.OPEN else Done()

    async def _cancel(
        self, task: PaymentTask, payment: Payment, provider: HostedProvider, *, now: datetime
    ) -> Result:
        answer = await provider.cancel(task.provider_ref)
        if answer.outcome is PaymentStatus.OPEN:
            return Again("the provider cannot end the payment yet")
        if answer.outcome is not PaymentStatus.SUCCESSFUL:
            return Done()
        if payment.status == PaymentStatus.SUCCESSFUL and payment.provider_ref == task.provider_ref:
            return Done()  # it is the payment's own, paid: nothing to pay back
        # Paid after we gave it up (the link expired, the order was cancelled): pay it back.
        async with self.db.write() as session:
            if await repository.start_refund(
                session,
                payment_pk=payment.pk,
                status=RefundStatus.PENDING,
                amount=answer.amount if answer.amount is not None else payment.amount,
                now=now,
            ):
                await queue.add(
                    session, payment_pk=payment.pk, kind=TaskKind.REFUND, ref=task.provider_ref, now=now
                )
        return Done()

    async def _refund(
        self, task: PaymentTask, payment: Payment, provider: HostedProvider, *, now: datetime
    ) -> Result:
        if payment.refund_status != RefundStatus.PENDING:
            return Done()
        if payment.refund_ref is None:
            amount = payment.refund_amount if payment.refund_amount is not None else payment.amount
            refund = await provider.refund(
                task.provider_ref, amount=amount, key=f"printapi-refund-{payment.code}"
            )
            async with self.db.write() as session:
                await repository.record_refund(
                    session, payment_pk=payment.pk, ref=refund.ref, status=refund.status, now=now
                )
            return Again() if refund.status is RefundStatus.PENDING else Done()
        answer = await provider.fetch(task.provider_ref)
        if not answer.refunded:
            return Again()
        async with self.db.write() as session:
            await repository.record_refund(
                session, payment_pk=payment.pk, ref=None, status=RefundStatus.REFUNDED, now=now
            )
        return Done()
