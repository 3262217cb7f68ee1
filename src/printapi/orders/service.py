"""Placing, reading and moving orders (spec §3.2–3.6, §4.1).

A status change is the compare-and-set update of the order's row; it returns an
``OrderStatusChanged`` and the caller hands that to ``effects.handle`` in the same transaction,
which writes what the change causes (the status-history row that feeds ``sync/statuses``, the
webhooks, the order's payment and files). Nothing here commits; the edge does.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from printapi.auth.principal import Environment, Principal
from printapi.coupons import service as coupons
from printapi.kit import ids
from printapi.kit.errors import (
    ConcurrentChange,
    Conflict,
    FieldError,
    Forbidden,
    NotFound,
)
from printapi.kit.pagination import Page, PageRequest
from printapi.kit.problems import Problems, Sent
from printapi.kit.wakeup import announce
from printapi.models import Account, ItemFile, Order, OrderItem, OrderStatusChange
from printapi.orders import actions, checkout, repository, rules
from printapi.orders.events import OrderPlaced, OrderStatusChanged
from printapi.orders.priced import PricedOrder, price_order
from printapi.orders.pricing import Invoice, Line, invoice
from printapi.orders.rules import ItemPlan
from printapi.orders.schemas import OrderIn, StatusChangeIn, echoed_options
from printapi.orders.states import FileStatus, OrderStatus, transition

DOWNLOADS_CHANNEL = "downloads"  # the worker loop of files/downloads.py listens here

SYNC_LIMIT = 1000


async def _new_order_id(session: AsyncSession, principal: Principal, wanted: str | None) -> str:
    """The shop's own id, checked now for an early 409; or a random one, which storing draws
    again in the rare case that it is taken (``repository.add`` says so, having written nothing)."""
    if not wanted:
        return ids.random_order_id()
    if await repository.id_taken(
        session, account_id=principal.account_id, environment=principal.environment, order_id=wanted
    ):
        raise _duplicate(wanted)
    return wanted


def _duplicate(order_id: str) -> Conflict:
    return Conflict(
        message=f"An order with id '{order_id}' already exists.",
        hints=["Order ids are unique per account; leave id out to get a generated one."],
        errors=[FieldError("id", "is already used by another order")],
    )


def _item_ids(plans: list[ItemPlan]) -> list[str]:
    taken = {plan.item.id for plan in plans if plan.item.id}
    result = []
    for plan in plans:
        if plan.item.id:
            result.append(plan.item.id)
            continue
        while (candidate := ids.item_id(secrets.randbelow(100_000))) in taken:
            pass
        taken.add(candidate)
        result.append(candidate)
    return result


def _files(plan: ItemPlan, now: datetime) -> list[ItemFile]:
    files = []
    for spec_file in plan.spec.files:
        url = getattr(plan.item.files, spec_file.id) if plan.item.files else None
        files.append(
            ItemFile.built(
                kind=spec_file.id,
                status=FileStatus.DOWNLOAD_PENDING if url else FileStatus.AWAITING_UPLOAD,
                download_url=url,
                # Downloads get a code too: a failed download can be replaced by an upload.
                upload_code=ids.random_code(20),
                next_attempt_at=now if url else None,
                attempts=0,
                created_at=now,
                updated_at=now,
            )
        )
    return files


def _build_items(plans: list[ItemPlan], costs: list[Decimal], now: datetime) -> list[OrderItem]:
    items = []
    for position, (plan, cost, item_id) in enumerate(zip(plans, costs, _item_ids(plans), strict=True)):
        items.append(
            OrderItem.built(
                position=position,
                id=item_id,
                product_id=plan.spec.id,
                title=plan.item.title or None,
                page_count=plan.page_count,
                quantity=plan.item.quantity,
                meta=plan.item.metadata,
                options=echoed_options(plan),
                retail=plan.item.retail,
                production_cost=cost,
                tax_rate=plan.spec.tax_rate,
                files=_files(plan, now),
            )
        )
    return items


def _build_order(
    *, principal: Principal, order_id: str, priced: PricedOrder, production_delay: timedelta, now: datetime
) -> Order:
    """The new order whole, its items and files with it, built once (``Base.built``): each
    attribute set after building would fire its change events (bench/hot_path.py)."""
    request, ship, quote, terms = priced.request, priced.ship, priced.quote, priced.checkout
    address = ship.address
    checkout = (
        {}
        if terms is None
        else {
            "checkout_amount": terms.amount,
            "checkout_code": ids.random_code(20),
            "checkout_products": terms.products,
            "checkout_shipping": terms.shipping,
        }
    )
    return Order.built(
        account_id=principal.account_id,
        environment=principal.environment.value,
        id=order_id,
        status=OrderStatus.CREATED,
        email=request.email or None,
        username=request.username or None,
        production_speed=request.production_speed,
        meta=request.metadata,
        coupon=request.coupon or None,
        ship_name=address.name,
        ship_company=address.company or None,
        ship_line1=address.line1,
        ship_line2=address.line2 or None,
        ship_post_code=address.post_code,
        ship_city=address.city,
        ship_state=address.state or None,
        ship_country=address.country,
        shipping_preference=ship.preference,
        shipping_method=quote.rate.method.name,
        shipping_trackable=quote.rate.method.is_trackable,
        production_cost=priced.production_cost,
        shipping_cost=quote.rate.shipping,
        handling_cost=quote.rate.handling,
        discount=priced.discount,
        shipping_tax_rate=quote.tax_rate,
        invoicing_state=priced.invoicing_state,
        created_at=now,
        status_changed_at=now,
        # Kept with the order: its production starts that long after it becomes Processing.
        production_delay_seconds=round(production_delay.total_seconds()),
        **checkout,
        items=_build_items(priced.plans, priced.costs, now),
        payment=None,  # a new order has no payment yet
        shipments=[],  # nor shipments
    )


@dataclass(frozen=True)
class Draft:
    """A checked and priced order request with the id it will have: everything placing it needs
    to read first."""

    priced: PricedOrder
    order_id: str


async def prepare_order(
    session: AsyncSession,
    *,
    principal: Principal,
    request: Sent[OrderIn],
    express_surcharge: Decimal,
    now: datetime,
) -> Draft:
    """Check and price an order request, reading only (the catalogue, the account, a coupon, the id).

    The API runs this, on SQLite, in a read transaction, so that the write transaction of
    ``store_order`` holds SQLite's one write lock for the inserts alone (``Database.read_before``;
    on PostgreSQL in the write transaction). A custom id taken in between still
    ends in 409: the unique index decides; a coupon's last use taken in between, in 400.
    """
    priced = await price_order(
        session, principal=principal, request=request, express_surcharge=express_surcharge, now=now
    )
    order_id = await _new_order_id(session, principal, priced.request.id)
    return Draft(priced, order_id)


async def estimate_order(
    session: AsyncSession,
    *,
    principal: Principal,
    request: Sent[OrderIn],
    express_surcharge: Decimal,
    now: datetime,
) -> PricedOrder:
    """What placing this request would make (extension ``POST /orders/estimate``): the same checks
    and prices as ``prepare_order``, a custom id already taken included (409), reading only."""
    priced = await price_order(
        session, principal=principal, request=request, express_surcharge=express_surcharge, now=now
    )
    if priced.request.id and await repository.id_taken(
        session,
        account_id=principal.account_id,
        environment=principal.environment,
        order_id=priced.request.id,
    ):
        raise _duplicate(priced.request.id)
    return priced


async def store_order(
    session: AsyncSession, *, principal: Principal, draft: Draft, production_delay: timedelta, now: datetime
) -> OrderPlaced:
    """Store a prepared order (status Created). Creating an order notifies nobody; what it causes
    (the event feed's ``order.created``) is ``effects.handle``'s, given the event returned.

    ``production_delay`` (``PRINTAPI_PRODUCTION_DELAY``) is kept with the order: its production
    starts that long after it becomes Processing, and until then the shop may cancel it.
    """
    priced = draft.priced
    request = priced.request
    if priced.checkout is not None and request.coupon:
        await coupons.use(session, code=request.coupon, now=now)  # counted in the write transaction
    order = _build_order(
        principal=principal,
        order_id=draft.order_id,
        priced=priced,
        production_delay=production_delay,
        now=now,
    )
    while not await repository.add(session, order, created=_change(order, None, "api", None, now)):
        if request.id:
            raise _duplicate(request.id)  # the same custom id, placed concurrently
        order.id = ids.random_order_id()
    if any(file.download_url for item in order.items for file in item.files):
        await announce(session, DOWNLOADS_CHANNEL)
    return OrderPlaced(order, now=now)


async def place_order(
    session: AsyncSession,
    *,
    principal: Principal,
    request: OrderIn,
    express_surcharge: Decimal,
    now: datetime,
    production_delay: timedelta = timedelta(0),
) -> Order:
    """Check, price and store a new order in one transaction (tests and benchmarks place many
    orders this way; the API reads first, on SQLite in a transaction of its own). What placing
    causes is not written: the event is dropped (the route hands it to ``effects.handle``)."""
    draft = await prepare_order(
        session, principal=principal, request=Sent.of(request), express_surcharge=express_surcharge, now=now
    )
    placed = await store_order(
        session, principal=principal, draft=draft, production_delay=production_delay, now=now
    )
    return placed.order


def invoice_of(order: Order) -> Invoice:
    return invoice(
        [Line(item.production_cost, item.tax_rate) for item in order.items],
        shipping=order.shipping_cost,
        handling=order.handling_cost,
        discount=order.discount,
    )


async def record_change(
    session: AsyncSession,
    *,
    order: Order,
    previous: OrderStatus | None,
    source: str,
    note: str | None,
    now: datetime,
) -> None:
    """One row of the order's status history: a move, or a change of its payment (its creation
    is written with the order, by ``repository.add``)."""
    await repository.add_history(
        session, {"order_pk": order.pk, **_change(order, previous, source, note, now)}
    )


def _change(
    order: Order, previous: OrderStatus | None, source: str, note: str | None, now: datetime
) -> dict[str, Any]:
    """A row of the order's status history, but its ``order_pk``."""
    return {
        "account_id": order.account_id,
        "environment": order.environment,
        "order_id": order.id,
        "status": order.status,
        "previous_status": previous,
        "changed_at": now,
        "source": source,
        "note": note,
    }


# -- reading -----------------------------------------------------------------------------------


def _not_found(order_id: str) -> NotFound:
    return NotFound(
        message=f"Order '{order_id}' does not exist.", hints=["Check the order id and environment."]
    )


async def get_order(session: AsyncSession, *, principal: Principal, order_id: str) -> Order:
    order = await repository.get_for_account(
        session, account_id=principal.account_id, environment=principal.environment, order_id=order_id
    )
    if order is None:
        raise _not_found(order_id)
    return order


async def get_by_pk(session: AsyncSession, *, order_pk: int) -> Order:
    order = await repository.get_by_pk(session, order_pk=order_pk)
    if order is None:
        raise NotFound(message="No such order.")
    return order


async def by_checkout_code(session: AsyncSession, *, principal: Principal, code: str) -> Order | None:
    """The caller's order whose checkout (payment screen) has this code."""
    return await repository.get_by_checkout_code(
        session, code=code, account_id=principal.account_id, environment=principal.environment
    )


async def get_order_head(session: AsyncSession, *, principal: Principal, order_id: str) -> Order:
    order = await repository.get_head_for_account(
        session, account_id=principal.account_id, environment=principal.environment, order_id=order_id
    )
    if order is None:
        raise _not_found(order_id)
    return order


async def list_orders(
    session: AsyncSession, *, principal: Principal, page: PageRequest
) -> Page[repository.OrderSummary]:
    account_id, environment = principal.account_id, principal.environment.value
    return Page(
        count=await repository.count_for_account(session, account_id=account_id, environment=environment),
        offset=page.offset,
        limit=page.limit,
        results=await repository.page_for_account(
            session, account_id=account_id, environment=environment, offset=page.offset, limit=page.limit
        ),
    )


async def statuses_since(
    session: AsyncSession, *, principal: Principal, since: datetime
) -> list[OrderStatusChange]:
    return await repository.history_since(
        session,
        account_id=principal.account_id,
        environment=principal.environment.value,
        since=since,
        limit=SYNC_LIMIT,
    )


# -- moving ------------------------------------------------------------------------------------


def checked_change(request: Sent[StatusChangeIn]) -> StatusChangeIn:
    """A status change from the API, or one 400 with every problem: the schema's and the rules'."""
    problems = Problems.of(request)
    if request.body is not None:
        rules.check_change(request.body, problems)
    problems.raise_if_any()
    return request.valid()


async def change_status(
    session: AsyncSession,
    *,
    order: Order,
    change: StatusChangeIn,
    source: str,
    now: datetime,
) -> OrderStatusChanged:
    """Move ``order`` to ``change.status`` if the state machine allows it and nobody was first.

    What the move causes is the caller's to hand to ``effects.handle``, in this transaction.
    """
    problems = Problems()
    rules.check_change(change, problems)
    problems.raise_if_any()
    current = OrderStatus(order.status)
    target = transition(current, change.status)
    # The order's trackingUrl is its first parcel's: a move to Shipped sets it only if none has.
    tracking_url = change.tracking_url if order.tracking_url is None else None
    # Becoming Processing opens the production window: production starts after the order's delay.
    starts = (
        now + timedelta(seconds=order.production_delay_seconds) if target is OrderStatus.PROCESSING else None
    )
    moved = await repository.set_status_if(
        session,
        order_pk=order.pk,
        expected=current,
        status=target,
        changed_at=now,
        tracking_url=tracking_url,
        production_starts_at=starts,
    )
    if not moved:
        raise ConcurrentChange(
            message=f"Order '{order.id}' was changed by someone else; read it again and retry.",
        )
    # The row is updated; make the object say so without marking it dirty (no second UPDATE).
    set_committed_value(order, "status", target)
    set_committed_value(order, "status_changed_at", now)
    if starts is not None:
        set_committed_value(order, "production_starts_at", starts)
    if tracking_url is not None:
        set_committed_value(order, "tracking_url", tracking_url)
    note = change.tracking_url or change.reason
    return OrderStatusChanged(
        order,
        previous=current,
        current=target,
        source=source,
        note=note,
        now=now,
        tracking_url=change.tracking_url,
    )


async def add_coupon(session: AsyncSession, *, order: Order, coupon: str, now: datetime) -> Decimal:
    """A coupon entered on the payment page of a Created order placed without one: one use is
    counted, the discount is on the invoice and off the customer's amount; the new amount. A 400
    on ``coupon`` when it cannot be used, a 403 when the order cannot take one."""
    if order.coupon or order.checkout_products is None or order.checkout_shipping is None:
        raise Forbidden(message=f"Order '{order.id}' cannot take a coupon on its payment page.")
    discounted = await checkout.with_coupon(
        session,
        products=order.checkout_products,
        shipping=order.checkout_shipping,
        tax_rate=order.shipping_tax_rate,
        purchase_total=order.production_cost + order.shipping_cost + order.handling_cost,
        coupon=coupon,
        now=now,
    )
    order.coupon = coupon
    order.discount = discounted.discount_excl_vat
    order.checkout_amount = discounted.amount
    await session.flush()
    return discounted.amount


async def lock(session: AsyncSession, *, order_pk: int) -> Order:
    """The order, locked for the rest of the transaction: every path that changes an order and its
    payment or files takes the order's row first (``effects.py``)."""
    return await repository.lock(session, order_pk=order_pk)


async def record_payment(
    session: AsyncSession, *, order: Order, payment_status: str, source: str, now: datetime
) -> None:
    """A payment change is a change of the order for its history (and its webhooks: ``effects``)."""
    await record_change(
        session,
        order=order,
        previous=OrderStatus(order.status),
        source=source,
        note=f"payment {payment_status}",
        now=now,
    )


async def simulate_status(
    session: AsyncSession, *, principal: Principal, order_id: str, change: StatusChangeIn, now: datetime
) -> OrderStatusChanged:
    """The test environment's status simulator: the account owner moves a test order."""
    if principal.environment is not Environment.TEST:
        raise Forbidden(
            message="Live orders are moved by the print shop, not through the API.",
            hints=["Use test credentials to simulate status changes."],
        )
    order = await get_order_head(session, principal=principal, order_id=order_id)
    return await change_status(session, order=order, change=change, source="simulator", now=now)


# -- the shop's actions: allowedActions and cancelling (extensions) ------------------------------

# payments.states.PaymentStatus.OPEN (payments sits above orders): the one payment status that
# can still change, so the checkout can still be set up (tests/unit/test_order_actions.py).
PAYMENT_OPEN = "Open"


def stage_of(order: Order, *, now: datetime) -> actions.Stage:
    return actions.stage_of(OrderStatus(order.status), order.production_starts_at, now)


def allowed_actions(order: Order, *, now: datetime) -> list[actions.Action]:
    """What the shop may do with ``order`` at ``now`` (its items, files and payment loaded)."""
    if order.checkout_code is None:
        paying = actions.CheckoutState.NONE
    elif order.payment is None or order.payment.status == PAYMENT_OPEN:
        paying = actions.CheckoutState.OPEN
    else:
        paying = actions.CheckoutState.SETTLED
    uploads = any(file.status in actions.TAKES_UPLOAD for item in order.items for file in item.files)
    return actions.allowed(stage_of(order, now=now), actions.Facts(paying, uploads))


async def cancel_order(
    session: AsyncSession, *, principal: Principal, order_id: str, now: datetime
) -> OrderStatusChanged:
    """The shop cancels its order: while it is Created, or Processing before its production starts
    (``actions.STAGE_ACTIONS``); a 403 with the reason otherwise. The order's row is locked first
    (its payment follows in ``effects``); the move is the state machine's compare-and-set."""
    head = await get_order_head(session, principal=principal, order_id=order_id)
    order = await lock(session, order_pk=head.pk)
    refusal = actions.cancel_refusal(stage_of(order, now=now))
    if refusal is not None:
        raise Forbidden(
            message=f"Order '{order.id}' can no longer be cancelled: {refusal}.",
            hints=[
                "An order can be cancelled while it is Created, or Processing until its production "
                "starts (allowedActions lists cancel while it can)."
            ],
        )
    change = StatusChangeIn(status=OrderStatus.CANCELLED, reason="cancelled by the shop")
    return await change_status(session, order=order, change=change, source="api", now=now)


async def find_for_operator(
    session: AsyncSession, *, order_id: str, account_id: int | None, environment: str | None = None
) -> Order:
    """One order by id across accounts; ambiguous ids need the account (and the environment)."""
    found = await repository.find_by_id(
        session, order_id=order_id, account_id=account_id, environment=environment
    )
    if not found:
        raise _not_found(order_id)
    if len(found) > 1:
        raise Conflict(
            message=f"{len(found)} orders have id '{order_id}'.",
            hints=["Name the account and environment (--account E --environment test|live, or in the URL)."],
        )
    return found[0]


async def operator_set_status(
    session: AsyncSession,
    *,
    order_id: str,
    account_id: int | None,
    environment: str | None = None,
    change: StatusChangeIn,
    now: datetime,
) -> OrderStatusChanged:
    """The print shop moves any order (production console, CLI, operator API)."""
    order = await find_for_operator(
        session, order_id=order_id, account_id=account_id, environment=environment
    )
    return await change_status(session, order=order, change=change, source="operator", now=now)


# -- the dashboard -----------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderSearch:
    """The dashboard's order filters; ``None`` means any. ``text``: id prefix or part of the e-mail."""

    environment: Environment | None = None
    status: OrderStatus | None = None
    created_from: datetime | None = None
    created_before: datetime | None = None
    text: str | None = None


async def search_orders(
    session: AsyncSession, *, account_id: int, search: OrderSearch, page: PageRequest
) -> Page[Order]:
    count, results = await repository.search_for_account(
        session,
        account_id=account_id,
        environment=search.environment,
        status=search.status,
        created_from=search.created_from,
        created_before=search.created_before,
        text=search.text,
        offset=page.offset,
        limit=page.limit,
    )
    return Page(count=count, offset=page.offset, limit=page.limit, results=results)


async def history(session: AsyncSession, *, order_pk: int) -> list[OrderStatusChange]:
    """The order's timeline, oldest first: creation, every move and every payment change."""
    return await repository.history_of(session, order_pk=order_pk)


async def get_for_operator(
    session: AsyncSession, *, account_id: int, environment: str, order_id: str
) -> Order:
    """One order of any account with its items, files and payment (the production console)."""
    head = await find_for_operator(session, order_id=order_id, account_id=account_id, environment=environment)
    return await get_by_pk(session, order_pk=head.pk)


@dataclass(frozen=True)
class QueuedOrder:
    order: Order
    account_email: str


async def production_queue(session: AsyncSession, *, limit: int) -> tuple[int, list[QueuedOrder]]:
    """Live orders in Processing, the longest in production first, and how many there are."""
    count, rows = await repository.in_status(
        session, environment=Environment.LIVE, status=OrderStatus.PROCESSING, limit=limit
    )
    return count, [QueuedOrder(order, email) for order, email in rows]


@dataclass(frozen=True)
class AccountSummary:
    """One line of the operators' accounts overview."""

    account: Account
    live_orders: int
    test_orders: int
    in_production: int


async def accounts_overview(session: AsyncSession) -> list[AccountSummary]:
    return [AccountSummary(*row) for row in await repository.accounts_overview(session)]
