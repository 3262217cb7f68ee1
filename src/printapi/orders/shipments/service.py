"""Recording the parcels an order leaves in, and moving it to Shipped with the last one.

``record`` locks the order's row first (as every path that changes an order does, ``effects.py``),
so two parcels recorded at once see each other: the second one is checked against what the
first left. It returns the events of what it changed; the caller hands them to
``effects.handle`` in the same transaction (a partial parcel's history row and webhooks, or
everything a move to Shipped causes).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from printapi.kit.errors import Forbidden
from printapi.kit.events import Event
from printapi.kit.problems import Problems, Sent
from printapi.models import Order, OrderItem, Shipment, ShipmentItem
from printapi.orders import service as orders
from printapi.orders.schemas import StatusChangeIn
from printapi.orders.shipments import repository
from printapi.orders.shipments.events import ShipmentRecorded
from printapi.orders.shipments.schemas import ShipmentIn
from printapi.orders.states import OrderStatus, can_transition

_HINT = "Every problem of the request is listed in errors."


def checked_shipment(request: Sent[ShipmentIn]) -> ShipmentIn:
    """A shipment from the API, or one 400 with every problem of the body: the schema's and the
    rules that need no order (a tracking URL is http(s), an item is named once)."""
    problems = Problems.of(request)
    if request.body is not None:
        check_body(request.body, problems)
    problems.raise_if_any(hint=_HINT)
    return request.valid()


def check_body(body: ShipmentIn, problems: Problems) -> None:
    url = body.tracking_url
    if (
        url is not None
        and problems.usable("trackingUrl")
        and not url.lower().startswith(("http://", "https://"))
    ):
        problems.add("trackingUrl", "must be an http:// or https:// URL")
    seen: set[str] = set()
    for index, line in enumerate(body.items or []):
        field = f"items[{index}].itemId"
        if line is None or not problems.usable(field):
            continue
        if line.item_id in seen:
            problems.add(field, f"item '{line.item_id}' is named twice in this shipment")
        seen.add(line.item_id)


def left_to_ship(items: Sequence[OrderItem], shipped: dict[int, int]) -> dict[str, int]:
    """How many of each item (by its id) no shipment carries yet, in the order's item order."""
    return {item.id: item.quantity - shipped.get(item.pk, 0) for item in items}


def left_of(order: Order) -> dict[str, int]:
    """``left_to_ship`` of an order read with its items and shipments (the dashboard's form)."""
    shipped: dict[int, int] = {}
    for shipment in order.shipments:
        for line in shipment.items:
            shipped[line.item_pk] = shipped.get(line.item_pk, 0) + line.quantity
    return left_to_ship(order.items, shipped)


def _lines(request: ShipmentIn, items: Sequence[OrderItem], shipped: dict[int, int]) -> list[ShipmentItem]:
    """The parcel's lines: the items it names (every one known and with that many left), or
    without ``items`` everything that is left. One 400 names every item that breaks a rule."""
    by_id = {item.id: item for item in items}
    left = left_to_ship(items, shipped)
    if request.items is None:
        return [
            ShipmentItem(item_pk=by_id[item_id].pk, item_id=item_id, quantity=quantity)
            for item_id, quantity in left.items()
            if quantity > 0
        ]
    problems = Problems()
    lines = []
    for index, wanted in enumerate(request.items):
        item = by_id.get(wanted.item_id)
        if item is None:
            problems.add(f"items[{index}].itemId", f"the order has no item '{wanted.item_id}'")
        elif wanted.quantity > left[item.id]:
            problems.add(
                f"items[{index}].quantity",
                f"item '{item.id}' has {left[item.id]} left to ship "
                f"({item.quantity} ordered, {item.quantity - left[item.id]} shipped)",
            )
        else:
            lines.append(ShipmentItem(item_pk=item.pk, item_id=item.id, quantity=wanted.quantity))
    problems.raise_if_any(hint="A shipment carries at most what is left to ship of each item.")
    return lines


def _note(shipment: Shipment) -> str:
    """The parcel in the status history: ``shipment 1: 2 × a, 1 × b (PostNL 3SABC)``."""
    carried = ", ".join(f"{line.quantity} × {line.item_id}" for line in shipment.items)
    tracking = " ".join(part for part in (shipment.carrier, shipment.tracking_code) if part)
    text = f"shipment {shipment.number}: {carried}" + (f" ({tracking})" if tracking else "")
    return text if len(text) <= 500 else text[:499] + "…"


@dataclass(frozen=True)
class Recorded:
    """A recorded parcel, the order after it, what is left to ship, and the events to handle."""

    order: Order
    shipment: Shipment
    left: dict[str, int]
    events: list[Event]


async def record(
    session: AsyncSession, *, order: Order, request: ShipmentIn, source: str, now: datetime
) -> Recorded:
    """Record a parcel of a Processing order; the last one moves the order to Shipped.

    403 when the order is not Processing (a Created order is started first; Shipped and
    Cancelled are final), 400 naming each item it names wrongly or more of than is left.
    """
    problems = Problems()
    check_body(request, problems)
    problems.raise_if_any(hint=_HINT)
    order = await orders.lock(session, order_pk=order.pk)
    current = OrderStatus(order.status)
    if not can_transition(current, OrderStatus.SHIPPED):
        raise Forbidden(
            message=f"Order '{order.id}' is {current}: only an order in Processing can get shipments.",
            hints=["Start production first (status Processing)."]
            if current is OrderStatus.CREATED
            else [f"{current} is final."],
        )
    items = await repository.items_of(session, order_pk=order.pk)
    shipped = await repository.shipped_per_item(session, order_pk=order.pk)
    lines = _lines(request, items, shipped)
    shipment = await _store(session, order=order, request=request, lines=lines, source=source, now=now)
    for line in lines:
        shipped[line.item_pk] = shipped.get(line.item_pk, 0) + line.quantity
    left = left_to_ship(items, shipped)
    if any(left.values()):
        event: Event = ShipmentRecorded(order, shipment, source=source, note=_note(shipment), now=now)
    else:
        change = StatusChangeIn(status=OrderStatus.SHIPPED, reason=_note(shipment))
        event = await orders.change_status(session, order=order, change=change, source=source, now=now)
    return Recorded(order, shipment, left, [event])


async def _store(
    session: AsyncSession,
    *,
    order: Order,
    request: ShipmentIn,
    lines: list[ShipmentItem],
    source: str,
    now: datetime,
) -> Shipment:
    shipment = await repository.add(
        session,
        Shipment(
            order_pk=order.pk,
            number=await repository.last_number(session, order_pk=order.pk) + 1,
            carrier=request.carrier or None,
            tracking_code=request.tracking_code or None,
            tracking_url=request.tracking_url or None,
            shipped_at=now,
            source=source,
            items=lines,
        ),
    )
    if shipment.tracking_url and await repository.set_first_tracking_url(
        session, order_pk=order.pk, tracking_url=shipment.tracking_url
    ):
        set_committed_value(order, "tracking_url", shipment.tracking_url)
    return shipment


async def ship_the_rest(
    session: AsyncSession, *, order: Order, tracking_url: str | None, source: str, now: datetime
) -> Shipment | None:
    """An order moved to Shipped without a parcel for everything (the operator's status change,
    the test simulator): what was left leaves as one shipment with the move's tracking URL."""
    items = await repository.items_of(session, order_pk=order.pk)
    shipped = await repository.shipped_per_item(session, order_pk=order.pk)
    lines = _lines(ShipmentIn(), items, shipped)
    if not lines:
        return None
    return await _store(
        session,
        order=order,
        request=ShipmentIn(tracking_url=tracking_url),
        lines=lines,
        source=source,
        now=now,
    )


async def operator_record(
    session: AsyncSession,
    *,
    order_id: str,
    account_id: int | None,
    environment: str | None = None,
    request: ShipmentIn,
    now: datetime,
) -> Recorded:
    """The print shop records a parcel of any order (console, CLI, operator API)."""
    order = await orders.find_for_operator(
        session, order_id=order_id, account_id=account_id, environment=environment
    )
    return await record(session, order=order, request=request, source="operator", now=now)
