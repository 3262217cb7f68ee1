"""What a change causes, written in the change's transaction: one table from event to handlers.

The domains return events of what they changed (``orders.change_status`` an
``OrderStatusChanged``, ``payments.settle`` a ``PaymentSettled``, ``files.accept`` a
``FileAccepted``) and know nothing of each other's consequences. This module, above them all,
says what each event causes (``EFFECTS``) and writes it through each domain's service. Whoever
owns the transaction (a route, a CLI command, a worker job; an upload or a download, which open
their own) calls ``handle`` before the commit, so everything a change causes commits with it or
not at all. A handler may move an order in turn (a failed payment cancels it, the last accepted
file starts production): the events of that are handled at once, in the same transaction.

Locks: every path that changes an order together with its payment or files takes the order's
row first (a cancellation moves the order, then cancels its payment and files; a payment's
outcome and a file's acceptance lock the order before their own row), so none of them can
deadlock another on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from printapi.coupons import service as coupons
from printapi.feed import service as feed
from printapi.files import service as files
from printapi.files.events import FileAccepted
from printapi.kit.events import Event
from printapi.orders import service as orders
from printapi.orders.events import OrderPlaced, OrderStatusChanged
from printapi.orders.schemas import StatusChangeIn
from printapi.orders.shipments import service as shipments
from printapi.orders.shipments.events import ShipmentRecorded
from printapi.orders.states import OrderStatus
from printapi.payments import service as payments
from printapi.payments.events import PaymentSettled, TestClockAdvanced
from printapi.payments.states import PaymentStatus
from printapi.webhooks import service as webhooks

Events = Sequence[Event]
# A handler writes what an event causes and returns the events of the changes it made in turn.
Handler = Callable[[AsyncSession, Any], Awaitable[Events]]


async def stop_waiting_files(session: AsyncSession, event: OrderStatusChanged) -> Events:
    """A cancelled order's files that were still waiting become Cancelled."""
    if event.current is OrderStatus.CANCELLED:
        await files.cancel_waiting(session, order_pk=event.order.pk, now=event.now)
    return ()


async def cancel_open_payment(session: AsyncSession, event: OrderStatusChanged) -> Events:
    """A cancelled order takes its Open payment with it (the cause: no event of its own; the
    event feed records the payment's change)."""
    cancelled = event.current is OrderStatus.CANCELLED and await payments.cancel_for_order(
        session, order_pk=event.order.pk, now=event.now
    )
    if cancelled:
        await feed.payment_status_changed(
            session, order=event.order, payment_status=PaymentStatus.CANCELLED, now=event.now
        )
    return ()


async def refund_paid_payment(session: AsyncSession, event: OrderStatusChanged) -> Events:
    """A cancelled order's Successful payment is paid back through its provider (a task)."""
    if event.current is OrderStatus.CANCELLED:
        await payments.refund_for_order(session, order_pk=event.order.pk, now=event.now)
    return ()


async def give_back_coupon(session: AsyncSession, event: OrderStatusChanged) -> Events:
    """A cancelled order that used a coupon's use (on the payment screen) gives it back."""
    order = event.order
    if event.current is OrderStatus.CANCELLED and order.coupon and order.checkout_code is not None:
        await coupons.give_back(session, code=order.coupon)
    return ()


async def webhooks_follow_clock(session: AsyncSession, event: TestClockAdvanced) -> Events:
    """The test clock: the order's pending webhook retries fall due as much sooner."""
    await webhooks.bring_forward(session, order_pk=event.order_pk, by=event.by)
    return ()


async def record_history(session: AsyncSession, event: OrderStatusChanged) -> Events:
    """The status-history row that ``sync/statuses`` reads and the dashboard shows."""
    await orders.record_change(
        session,
        order=event.order,
        previous=event.previous,
        source=event.source,
        note=event.note,
        now=event.now,
    )
    return ()


async def feed_order_placed(session: AsyncSession, event: OrderPlaced) -> Events:
    """The event feed's ``order.created``."""
    await feed.order_created(session, order=event.order, now=event.now)
    return ()


async def feed_order_moved(session: AsyncSession, event: OrderStatusChanged) -> Events:
    """The event feed's ``order.status_changed``."""
    await feed.order_status_changed(session, order=event.order, previous=event.previous, now=event.now)
    return ()


async def feed_shipment_recorded(session: AsyncSession, event: ShipmentRecorded) -> Events:
    """The event feed's ``shipment.created``: a parcel left and the order stays Processing."""
    await feed.shipment_created(session, order=event.order, now=event.now)
    return ()


async def feed_payment_settled(session: AsyncSession, event: PaymentSettled) -> Events:
    """The event feed's ``payment.status_changed`` (before what the outcome does to the order)."""
    await feed.payment_status_changed(session, order=event.order, payment_status=event.outcome, now=event.now)
    return ()


async def notify_webhooks(session: AsyncSession, event: OrderStatusChanged) -> Events:
    """One notification per enabled endpoint of the owner (folded into a pending one)."""
    await webhooks.notify_order_changed(session, order=event.order, now=event.now)
    return ()


async def ship_the_rest(session: AsyncSession, event: OrderStatusChanged) -> Events:
    """An order moved to Shipped by a status change: what no parcel carried yet leaves as one
    shipment with the move's tracking URL (nothing, when its last parcel moved it)."""
    if event.current is OrderStatus.SHIPPED:
        await shipments.ship_the_rest(
            session, order=event.order, tracking_url=event.tracking_url, source=event.source, now=event.now
        )
    return ()


async def record_shipment(session: AsyncSession, event: ShipmentRecorded) -> Events:
    """A parcel that leaves items behind is a change of the order: a row of its history (which
    ``sync/statuses`` shows, the status unchanged) and its webhooks."""
    order = event.order
    await orders.record_change(
        session,
        order=order,
        previous=OrderStatus(order.status),
        source=event.source,
        note=event.note,
        now=event.now,
    )
    await webhooks.notify_order_changed(session, order=order, now=event.now)
    return ()


async def order_follows_payment(session: AsyncSession, event: PaymentSettled) -> Events:
    """A payment that failed or was cancelled cancels its Created order (which records and
    notifies the move); any other outcome is a change of the order for its history and its
    webhooks, and a successful one starts production when every file is in."""
    order = event.order
    if event.outcome is not PaymentStatus.SUCCESSFUL and order.status == OrderStatus.CREATED:
        change = StatusChangeIn(status=OrderStatus.CANCELLED, reason=f"payment {event.outcome.value.lower()}")
        moved = await orders.change_status(
            session, order=order, change=change, source=event.source, now=event.now
        )
        return [moved]
    await orders.record_payment(
        session, order=order, payment_status=event.outcome, source=event.source, now=event.now
    )
    await webhooks.notify_order_changed(session, order=order, now=event.now)
    if event.outcome is PaymentStatus.SUCCESSFUL:
        return await start_production_if_ready(session, order_pk=order.pk, now=event.now)
    return ()


async def production_follows_file(session: AsyncSession, event: FileAccepted) -> Events:
    """The last of an order's files to be accepted starts its production (if it is paid for)."""
    return await start_production_if_ready(session, order_pk=event.order_pk, now=event.now)


async def start_production_if_ready(session: AsyncSession, *, order_pk: int, now: datetime) -> Events:
    """When every file is accepted (and, with the payment screen, the payment succeeded), a
    Created order moves to Processing.

    The order's row is locked first, so of two files accepted at the same moment the second one
    sees the first, and exactly one of them moves the order.
    """
    order = await orders.lock(session, order_pk=order_pk)
    if order.status != OrderStatus.CREATED or not await files.all_accepted(session, order_pk=order_pk):
        return ()
    if order.checkout_code is not None and not await payments.succeeded(session, order_pk=order_pk):
        return ()
    change = StatusChangeIn(status=OrderStatus.PROCESSING)
    return [await orders.change_status(session, order=order, change=change, source="system", now=now)]


# What each event causes, in this order.
EFFECTS: Mapping[type[Event], tuple[Handler, ...]] = {
    OrderStatusChanged: (
        stop_waiting_files,
        cancel_open_payment,
        refund_paid_payment,
        give_back_coupon,
        record_history,
        feed_order_moved,
        notify_webhooks,
        ship_the_rest,
    ),
    OrderPlaced: (feed_order_placed,),
    PaymentSettled: (feed_payment_settled, order_follows_payment),
    FileAccepted: (production_follows_file,),
    TestClockAdvanced: (webhooks_follow_clock,),
    ShipmentRecorded: (record_shipment, feed_shipment_recorded),
}


async def handle(session: AsyncSession, /, *events: Event | None) -> None:
    """Write what ``events`` cause in ``session``'s transaction, and what that causes in turn,
    depth first (each event's consequences before the next event's). ``None`` stands for a change
    that did not happen (someone else was first): it causes nothing."""
    for event in events:
        if event is None:
            continue
        for effect in EFFECTS[type(event)]:
            await handle(session, *await effect(session, event))
