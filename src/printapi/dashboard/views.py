"""What the dashboard's pages show, gathered from the domain services (no SQL, no HTTP here).

The dashboard acts for a signed-in owner as that owner's API client would: ``as_owner`` makes
the ``Principal`` of the account in one environment, so every ownership check of the services
(another account's order or endpoint is "not found") applies to the dashboard unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from printapi.accounts import service as accounts
from printapi.auth import service as auth
from printapi.auth.principal import Environment, Principal
from printapi.auth.scopes import SHOP_SCOPES
from printapi.catalogue import service as catalogue
from printapi.catalogue.consumer import ProductPrices
from printapi.catalogue.spec import ProductionSpeed, ProductSpec
from printapi.dashboard import due
from printapi.dashboard.service import Person
from printapi.kit.pagination import Page, PageRequest
from printapi.models import Account, ApiClient, CheckoutPrice, Order, OrderStatusChange, WebhookEndpoint
from printapi.orders import service as orders
from printapi.orders.actions import Action, Stage
from printapi.orders.pricing import Invoice
from printapi.orders.shipments import service as shipments
from printapi.orders.states import TRANSITIONS, OrderStatus
from printapi.webhooks import service as webhooks
from printapi.webhooks.service import LogEntry
from printapi.webhooks.states import NotificationStatus

_MOVE_ORDER = (OrderStatus.PROCESSING, OrderStatus.SHIPPED, OrderStatus.CANCELLED)
ALL_PRODUCTS = PageRequest(offset=0, limit=5000)


def as_owner(account: Person, environment: str) -> Principal:
    return Principal(
        account_id=account.id,
        account_email=account.email,
        environment=Environment(environment),
        scopes=frozenset(SHOP_SCOPES),
        role="owner",
    )


# -- the owner ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Home:
    active_clients: int
    endpoints: int
    recent: Page[Order]


async def home(session: AsyncSession, *, account: Person) -> Home:
    clients = await auth.list_clients(session, account_id=account.id)
    endpoints = [
        endpoint
        for environment in Environment
        for endpoint in await webhooks.list_endpoints(session, account_id=account.id, environment=environment)
    ]
    recent = await orders.search_orders(
        session, account_id=account.id, search=orders.OrderSearch(), page=PageRequest(offset=0, limit=5)
    )
    return Home(sum(1 for c in clients if c.revoked_at is None), len(endpoints), recent)


async def credentials(session: AsyncSession, *, account: Person) -> list[ApiClient]:
    return await auth.list_clients(session, account_id=account.id)


async def endpoints(session: AsyncSession, *, account: Person) -> dict[str, list[WebhookEndpoint]]:
    return {
        environment.value: await webhooks.list_endpoints(
            session, account_id=account.id, environment=environment
        )
        for environment in Environment
    }


@dataclass(frozen=True)
class EndpointView:
    endpoint: WebhookEndpoint
    count: int
    entries: list[LogEntry]
    offset: int
    limit: int

    @property
    def waiting(self) -> bool:
        """Something in the log may still change: the page keeps it fresh."""
        return any(entry.notification.status == NotificationStatus.PENDING for entry in self.entries)


async def endpoint_view(
    session: AsyncSession, *, account: Person, endpoint_id: str, offset: int, limit: int
) -> EndpointView:
    endpoint = await webhooks.endpoint_of_account(session, account_id=account.id, endpoint_id=endpoint_id)
    count, entries = await webhooks.log_of_endpoint(
        session,
        principal=as_owner(account, endpoint.environment),
        endpoint_id=endpoint_id,
        offset=offset,
        limit=limit,
    )
    return EndpointView(endpoint, count, entries, offset, limit)


@dataclass(frozen=True)
class SettingsView:
    account: Account
    prices: list[CheckoutPrice]
    products: list[tuple[str, str]]


async def settings(session: AsyncSession, *, account: Person) -> SettingsView:
    prices = await accounts.custom_prices(session, account_id=account.id)
    products = await catalogue.list_products(session, page=ALL_PRODUCTS)
    return SettingsView(await accounts.account(session, account_id=account.id), prices, products.results)


@dataclass(frozen=True)
class PriceView:
    spec: ProductSpec
    prices: ProductPrices


async def price_view(session: AsyncSession, *, account: Person, product_id: str) -> PriceView:
    spec = await catalogue.get_product(session, product_id=product_id)
    prices = await accounts.consumer_prices(session, account_id=account.id, specs=[spec])
    return PriceView(spec, prices[spec.id])


# -- one order (owner and operator) ------------------------------------------------------------


@dataclass(frozen=True)
class OrderView:
    order: Order
    names: dict[str, str]
    history: list[OrderStatusChange]
    notifications: list[LogEntry]
    invoice: Invoice
    moves: list[OrderStatus]
    due: date | None
    account_email: str
    left: dict[str, int]  # how many of each item (by id) no shipment carries yet
    # The production window (extension): where the order stands and what its shop may do now.
    stage: Stage
    actions: list[Action]

    @property
    def delay(self) -> str:
        return delay_text(self.order.production_delay_seconds)


def delay_text(seconds: int) -> str:
    """The production delay for people: ``none``, ``45 min``, ``2 h``, ``1 h 30 min``, ``30 s``."""
    if seconds <= 0:
        return "none"
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{hours} h" if hours else "", f"{minutes} min" if minutes else "", f"{secs} s" if secs else ""]
    return " ".join(part for part in parts if part)


def _production_start(order: Order) -> datetime:
    """When the order's production starts (or started): due dates count from then."""
    return order.production_starts_at or order.status_changed_at


async def _order_view(session: AsyncSession, order: Order, zone: ZoneInfo, now: datetime) -> OrderView:
    specs = await catalogue.find_products(session, product_ids=[item.product_id for item in order.items])
    moves = [status for status in _MOVE_ORDER if status in TRANSITIONS[OrderStatus(order.status)]]
    due_day = None
    if order.status == OrderStatus.PROCESSING and specs:
        due_day = due.order_due(
            list(specs.values()), ProductionSpeed(order.production_speed), _production_start(order), zone
        )
    return OrderView(
        order=order,
        names={product_id: spec.name.strip() for product_id, spec in specs.items()},
        history=await orders.history(session, order_pk=order.pk),
        notifications=await webhooks.log_of_order(session, order=order),
        invoice=orders.invoice_of(order),
        moves=moves,
        due=due_day,
        account_email=(await accounts.account(session, account_id=order.account_id)).email,
        left=shipments.left_of(order),
        stage=orders.stage_of(order, now=now),
        actions=orders.allowed_actions(order, now=now),
    )


async def owner_order(
    session: AsyncSession,
    *,
    account: Person,
    environment: Environment,
    order_id: str,
    zone: ZoneInfo,
    now: datetime,
) -> OrderView:
    order = await orders.get_order(session, principal=as_owner(account, environment), order_id=order_id)
    return await _order_view(session, order, zone, now)


async def operator_order(
    session: AsyncSession,
    *,
    account_id: int,
    environment: Environment,
    order_id: str,
    zone: ZoneInfo,
    now: datetime,
) -> OrderView:
    order = await orders.get_for_operator(
        session, account_id=account_id, environment=environment, order_id=order_id
    )
    return await _order_view(session, order, zone, now)


# -- the operator ------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueRow:
    order: Order
    account_email: str
    started: datetime
    due: date
    state: str  # overdue | today | later
    starts: datetime | None = None  # production starts then (the shop may cancel until): extension


@dataclass(frozen=True)
class Queue:
    count: int
    rows: list[QueueRow]
    names: dict[str, str]  # product id → name


async def queue(session: AsyncSession, *, zone: ZoneInfo, now: datetime, limit: int) -> Queue:
    """The production queue, oldest first, each order with its due date and how it stands today."""
    count, queued = await orders.production_queue(session, limit=limit)
    specs = await catalogue.find_products(
        session, product_ids={item.product_id for q in queued for item in q.order.items}
    )
    today = now.astimezone(zone).date()
    rows = []
    for entry in queued:
        order = entry.order
        day = due.order_due(
            [specs[item.product_id] for item in order.items],
            ProductionSpeed(order.production_speed),
            _production_start(order),
            zone,
        )
        state = "overdue" if day < today else "today" if day == today else "later"
        waiting = orders.stage_of(order, now=now) is Stage.WAITING_FOR_PRODUCTION
        starts = order.production_starts_at if waiting else None
        rows.append(QueueRow(order, entry.account_email, order.status_changed_at, day, state, starts))
    return Queue(count, rows, {product_id: spec.name.strip() for product_id, spec in specs.items()})
