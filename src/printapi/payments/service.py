"""The payment screen (spec §3.9, §4.2): checkout setup, the payment's outcome, expiry.

Every payment change is a compare-and-set from the table of ``states.py`` and returns a
``PaymentSettled``; the caller hands it to ``effects.handle`` in the same transaction, which
writes the order's consequence: a history row (``sync/statuses``) and the webhook notifications;
Successful (with every file accepted) → Processing; Failed or Cancelled → the order is cancelled.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from printapi.auth.principal import Environment, Principal
from printapi.catalogue import service as catalogue
from printapi.kit import ids, schedule
from printapi.kit.errors import Forbidden, IllegalTransition, NotFound
from printapi.kit.events import Event
from printapi.kit.problems import Problems, Sent
from printapi.models import Order, Payment
from printapi.orders import rules
from printapi.orders import service as orders
from printapi.orders.schemas import AddressIn
from printapi.orders.states import OrderStatus
from printapi.payments import queue as tasks_queue
from printapi.payments import repository
from printapi.payments.events import PaymentSettled, TestClockAdvanced
from printapi.payments.schemas import BillingAddressIn, CheckoutIn
from printapi.payments.states import PaymentStatus, RefundStatus, TaskKind, sources
from printapi.shipping import service as shipping

TEST_PROVIDER = "test"


@dataclass(frozen=True)
class Billing:
    address: AddressIn
    email: str | None


@dataclass(frozen=True)
class Setup:
    """A checkout request the rules accept: where the customer returns to, and who pays."""

    return_url: str
    billing: Billing


def _billing_of(request: CheckoutIn, problems: Problems) -> tuple[BillingAddressIn, str] | None:
    """The v2 ``billing.address`` (else the v1 ``billingAddress``) and its fields' prefix on the wire."""
    if request.billing is not None or not problems.usable("billing"):
        address = request.billing.address if request.billing is not None else None
        return (address, "billing.address.") if address is not None else None
    if request.billing_address is not None:
        return request.billing_address, "billingAddress."
    if problems.usable("billingAddress"):
        problems.add(
            "billing", "is required", hint="Send billing: {address: {name, line1, postCode, city, country}}."
        )
    return None


def _check_billing(address: BillingAddressIn, prefix: str, problems: Problems) -> None:
    """The same rules as the order's shipping address: ISO country and subdivision, an e-mail."""
    shipping.check_destination(problems, country=address.country, state=address.state, prefix=prefix)
    if address.email and problems.usable(f"{prefix}email") and not rules.is_email(address.email):
        problems.add(f"{prefix}email", "is not an e-mail address")


def checked_setup(request: Sent[CheckoutIn]) -> Setup:
    """The checkout request, or one 400 with every problem of it: the schema's and the rules'."""
    problems = Problems.of(request)
    if request.body is not None and (billing := _billing_of(request.body, problems)) is not None:
        _check_billing(*billing, problems)
    problems.raise_if_any()
    body = request.valid()
    billing = _billing_of(body, problems)
    assert billing is not None, "a checkout request the rules accept has a billing address"
    address = billing[0]
    return Setup(return_url=body.return_url, billing=Billing(address=address, email=address.email))


def _billing_columns(billing: Billing) -> dict[str, Any]:
    address = billing.address
    return {
        "billing_name": address.name,
        "billing_company": address.company or None,
        "billing_line1": address.line1,
        "billing_line2": address.line2 or None,
        "billing_post_code": address.post_code,
        "billing_city": address.city,
        "billing_state": address.state or None,
        "billing_country": address.country,
        "billing_email": billing.email or None,
    }


async def _order_of_checkout(session: AsyncSession, *, principal: Principal, code: str) -> Order:
    order = await orders.by_checkout_code(session, principal=principal, code=code)
    if order is None:
        raise NotFound(
            message=f"There is no checkout '{code}'.",
            hints=["Use the setupUrl of an order placed with the payment screen switched on."],
        )
    return order


async def setup(
    session: AsyncSession,
    *,
    principal: Principal,
    code: str,
    request: Setup,
    provider: str,
    ttl: timedelta,
    now: datetime,
) -> tuple[Order, Payment]:
    """Open the payment of an order (or change its return URL and billing while it is Open)."""
    return_url, billing = request.return_url, request.billing
    order = await _order_of_checkout(session, principal=principal, code=code)
    if order.status != OrderStatus.CREATED:
        raise Forbidden(message=f"Order '{order.id}' is {order.status}: it can no longer be paid.")
    payment = await repository.of_order(session, order_pk=order.pk)
    if payment is not None:
        if payment.status != PaymentStatus.OPEN:
            raise Forbidden(message=f"The payment of order '{order.id}' is {payment.status} already.")
        if expired(payment, now):  # the expiry job cancels it (and the order) within moments
            raise Forbidden(message=f"The payment link of order '{order.id}' expired; it cannot be paid.")
        for name, value in _billing_columns(billing).items():
            setattr(payment, name, value)
        payment.return_url = return_url
        payment.updated_at = now
        await session.flush()
        return order, payment
    assert order.checkout_amount is not None
    payment = Payment(
        order_pk=order.pk,
        code=ids.random_code(20),
        status=PaymentStatus.OPEN,
        amount=order.checkout_amount,
        return_url=return_url,
        provider=provider,
        created_at=now,
        updated_at=now,
        attempts=0,
        next_attempt_at=now + ttl,
        **_billing_columns(billing),
    )
    return order, await repository.add(session, payment)


async def checkout(session: AsyncSession, *, principal: Principal, code: str) -> tuple[Order, Payment]:
    order = await _order_of_checkout(session, principal=principal, code=code)
    payment = await repository.of_order(session, order_pk=order.pk)
    if payment is None:
        raise NotFound(
            message=f"The checkout of order '{order.id}' has not been set up.",
            hints=["POST the billing address and returnUrl to the setupUrl first."],
        )
    return order, payment


async def by_payment_code(session: AsyncSession, *, code: str) -> tuple[Payment, Order]:
    found = await repository.by_code(session, code=code)
    if found is None:
        raise NotFound(message="This payment link does not exist.")
    return found


async def settle(
    session: AsyncSession,
    *,
    payment: Payment,
    outcome: PaymentStatus,
    source: str,
    now: datetime,
    guard: Any = None,
    ref: str | None = None,
    method: str | None = None,
    at_provider: bool = False,
) -> PaymentSettled | None:
    """Move the payment to its outcome from a status the table allows (Open), or under the expiry
    job's lease (``guard``); None when it had moved already (someone else was first). An outcome
    of ours (``at_provider`` False: the expiry, the test page) that cancels the payment ends the
    provider's payment too, if one was made.

    What the outcome causes (to the order) is the caller's to hand to ``effects.handle``.
    """
    if not sources(outcome):  # Open: nothing moves a payment back to it
        raise IllegalTransition(message=f"A payment cannot move to {outcome}.")
    # The order's row first, then the payment's: every path takes them in this order (an order's
    # cancellation moves the order, then cancels its payment), so none can deadlock another on
    # PostgreSQL.
    order = await orders.lock(session, order_pk=payment.order_pk)
    if not await repository.settle_if_open(
        session, payment_pk=payment.pk, status=outcome, now=now, guard=guard, ref=ref, method=method
    ):
        return None
    if outcome is PaymentStatus.CANCELLED and not at_provider:
        await _end_at_provider(session, payment=payment, now=now)
    return PaymentSettled(payment.pk, order=order, outcome=outcome, source=source, now=now)


def expired(payment: Payment, now: datetime) -> bool:
    """Past its link's lifetime (the expiry job may not have run yet)."""
    return (
        payment.status == PaymentStatus.OPEN
        and payment.next_attempt_at is not None
        and payment.next_attempt_at <= now
    )


async def confirm(
    session: AsyncSession, *, payment: Payment, outcome: PaymentStatus, ref: str, now: datetime
) -> PaymentSettled | None:
    """The customer's outcome on the test page; a link past its lifetime can only be cancelled."""
    if expired(payment, now):
        return await settle(
            session, payment=payment, outcome=PaymentStatus.CANCELLED, source="expiry", now=now
        )
    return await settle(session, payment=payment, outcome=outcome, source="payment", now=now, ref=ref)


async def claim_expired(
    session: AsyncSession, *, worker: str, now: datetime, limit: int = 50
) -> list[Payment]:
    """The unpaid payments whose link expired, leased to ``worker``: commit the claim, then
    ``expire`` each in a transaction of its own (the order's row is taken before the payment's)."""
    return await repository.claim_expired(
        session, now=now, worker=worker, lease=timedelta(minutes=5), limit=limit
    )


async def expire(
    session: AsyncSession, *, payment: Payment, worker: str, now: datetime
) -> PaymentSettled | None:
    """Cancel a payment ``worker`` claimed (and so, by its effects, the order); None when the
    customer's outcome came first or the lease passed to another worker."""
    return await settle(
        session,
        payment=payment,
        outcome=PaymentStatus.CANCELLED,
        source="expiry",
        now=now,
        guard=repository.leased_by(payment, worker),
    )


async def cancel_for_order(session: AsyncSession, *, order_pk: int, now: datetime) -> bool:
    """An order cancelled while its payment may still be cancelled (Open) takes the payment with it
    (and the provider's payment, if one was made)."""
    if not await repository.cancel_of_order(session, order_pk=order_pk, now=now):
        return False
    payment = await repository.of_order(session, order_pk=order_pk)
    if payment is not None:
        await _end_at_provider(session, payment=payment, now=now)
    return True


async def _end_at_provider(session: AsyncSession, *, payment: Payment, now: datetime) -> None:
    """A payment we cancelled (expiry, the order's cancellation) ends at its provider too: a task,
    retried until the provider has ended it (or paid it back, if the customer paid after all)."""
    if payment.provider_ref is not None and payment.provider != TEST_PROVIDER:
        await tasks_queue.add(
            session, payment_pk=payment.pk, kind=TaskKind.CANCEL, ref=payment.provider_ref, now=now
        )


async def refund_for_order(session: AsyncSession, *, order_pk: int, now: datetime) -> bool:
    """A cancelled order's Successful payment is paid back in full: at once on the test provider
    (no money moved), else through a task that asks the provider. False when there is nothing to
    pay back or a refund exists already."""
    payment = await repository.of_order(session, order_pk=order_pk)
    if payment is None or payment.status != PaymentStatus.SUCCESSFUL:
        return False
    if payment.provider == TEST_PROVIDER or payment.provider_ref is None:
        return await repository.start_refund(
            session, payment_pk=payment.pk, status=RefundStatus.REFUNDED, amount=payment.amount, now=now
        )
    if not await repository.start_refund(
        session, payment_pk=payment.pk, status=RefundStatus.PENDING, amount=payment.amount, now=now
    ):
        return False
    await tasks_queue.add(
        session, payment_pk=payment.pk, kind=TaskKind.REFUND, ref=payment.provider_ref, now=now
    )
    return True


async def succeeded(session: AsyncSession, *, order_pk: int) -> bool:
    """Whether the order's payment is Successful (as the database has it now)."""
    return await repository.status_of_order(session, order_pk=order_pk) == PaymentStatus.SUCCESSFUL


@dataclass(frozen=True)
class PageLine:
    quantity: int
    name: str
    pages: int | None


@dataclass(frozen=True)
class PageView:
    payment: Payment
    order: Order
    lines: list[PageLine]


async def page(session: AsyncSession, *, code: str) -> PageView:
    """What the payment page shows: the order's lines by product name, and the amount."""
    payment, head = await by_payment_code(session, code=code)
    order = await orders.get_by_pk(session, order_pk=head.pk)
    names = await catalogue.find_products(session, product_ids=[item.product_id for item in order.items])
    lines = [
        PageLine(
            quantity=item.quantity,
            name=names[item.product_id].name.strip() if item.product_id in names else item.product_id,
            pages=item.page_count if item.page_count > 1 else None,
        )
        for item in order.items
    ]
    return PageView(payment, order, lines)


def amount_text(amount: Decimal) -> str:
    """Euros as people read them here: € 22,49."""
    return "€ " + f"{amount:.2f}".replace(".", ",")


async def add_coupon(session: AsyncSession, *, code: str, coupon: str, now: datetime) -> Payment:
    """The customer's coupon, entered on the payment page of an Open payment: the order takes it
    (``orders.add_coupon``: the rules of ``coupon`` on placing) and the payment its new amount. A
    provider payment made for the old amount is no longer the payment's; a task ends it."""
    payment, head = await by_payment_code(session, code=code)
    order = await orders.lock(session, order_pk=head.pk)  # the order's row first, as every path
    if payment.status != PaymentStatus.OPEN or expired(payment, now):
        raise Forbidden(message=f"The payment of order '{order.id}' can no longer change.")
    amount = await orders.add_coupon(session, order=order, coupon=coupon, now=now)
    old = payment.provider_ref
    await repository.forget_provider_payment(session, payment_pk=payment.pk, amount=amount, now=now)
    if old is not None and payment.provider != TEST_PROVIDER:
        await tasks_queue.add(session, payment_pk=payment.pk, kind=TaskKind.CANCEL, ref=old, now=now)
    return payment


# The test clock moves at most this far at once.
CLOCK_LIMIT = timedelta(days=30)


def clock_step(advance: str) -> timedelta:
    """``"24h"``, ``"90m"``, ``"30s"``: one positive step of at most 30 days; ``ValueError`` otherwise."""
    steps = schedule.parse(advance)
    if len(steps) != 1 or not timedelta(0) < steps[0] <= CLOCK_LIMIT:
        raise ValueError("must be one wait such as 24h, 90m or 30s, more than 0 and at most 720h")
    return steps[0]


async def advance_clock(
    session: AsyncSession, *, principal: Principal, order_id: str, by: timedelta, now: datetime
) -> tuple[Order, list[Event]]:
    """The test clock: for one of the shop's test orders, time moves ``by`` forward. Its payment's
    link and its provider calls come that much closer, and a link that has run out is cancelled
    at once, as the expiry job would (with the order); its pending webhook retries come closer by
    the ``TestClockAdvanced`` event's effect. Live orders are refused (403)."""
    if principal.environment is not Environment.TEST:
        raise Forbidden(
            message="The test clock moves test orders only.",
            hints=["Use test credentials; live orders keep real time."],
        )
    head = await orders.get_order_head(session, principal=principal, order_id=order_id)
    events: list[Event] = []
    payment = await repository.of_order(session, order_pk=head.pk)
    if payment is not None:
        await repository.bring_expiry_forward(session, payment_pk=payment.pk, by=by)
        await repository.bring_tasks_forward(session, payment_pk=payment.pk, by=by)
        if expired(payment, now):
            settled = await settle(
                session, payment=payment, outcome=PaymentStatus.CANCELLED, source="expiry", now=now
            )
            if settled is not None:
                events.append(settled)
    events.append(TestClockAdvanced(order_pk=head.pk, by=by, now=now))
    if payment is not None:
        await repository.by_pk(session, payment_pk=payment.pk)  # the answer shows the payment as it is now
    order = await orders.get_order_head(session, principal=principal, order_id=order_id)
    return order, events
