"""Orders on the wire: the requests (spec §3.2) and the responses (spec §3.3–3.6), each response
model in the real service's member order and built from the domain by its ``of``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Self

from pydantic import Field, StrictInt, StrictStr, field_validator
from pydantic.json_schema import SkipJsonSchema

from printapi.catalogue.spec import ProductionSpeed
from printapi.kit import outbound
from printapi.kit.schema import LocalDateTime, Members, Number, PageOut, WireModel, WireOut
from printapi.kit.urls import Urls
from printapi.models import ItemFile, Order, OrderItem, OrderStatusChange, Payment
from printapi.orders.pricing import Invoice, Section
from printapi.orders.repository import OrderSummary
from printapi.orders.shipments.schemas import ShipmentOut, shipments_of
from printapi.orders.states import FileStatus, InvoicingState, OrderStatus
from printapi.shipping.rates import ShippingPreference
from printapi.shipping.schemas import MethodOut

if TYPE_CHECKING:  # priced.py and rules.py read the request models of this module
    from printapi.orders.priced import PricedOrder
    from printapi.orders.rules import ItemPlan

ORDER_METADATA_MAX = 4092
ITEM_METADATA_MAX = 1024
URL_MAX = 2048


class AddressIn(WireModel):
    name: Annotated[StrictStr, Field(min_length=1, max_length=100)]
    company: Annotated[StrictStr, Field(max_length=100)] | None = None
    line1: Annotated[StrictStr, Field(min_length=1, max_length=100)]
    line2: Annotated[StrictStr, Field(max_length=100)] | None = None
    post_code: Annotated[StrictStr, Field(min_length=1, max_length=16)]
    city: Annotated[StrictStr, Field(min_length=1, max_length=64)]
    state: Annotated[StrictStr, Field(max_length=3)] | None = None
    country: Annotated[StrictStr, Field(min_length=2, max_length=2)]

    @field_validator("name", "line1", "post_code", "city")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value


class ShippingIn(WireModel):
    address: AddressIn
    preference: ShippingPreference = ShippingPreference.AUTO


class OptionIn(WireModel):
    id: Annotated[StrictStr, Field(min_length=1, max_length=64)]
    value: Annotated[StrictStr, Field(min_length=1, max_length=64)]


class FilesIn(WireModel):
    content: Annotated[StrictStr, Field(max_length=URL_MAX)] | None = None
    cover: Annotated[StrictStr, Field(max_length=URL_MAX)] | None = None

    @field_validator("content", "cover")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        # The spelling check of the download guard (a BadUrl is a ValueError); whether the
        # address may be called is decided when the worker downloads (docs/files.md).
        if value is not None:
            outbound.parse_url(value)
        return value


class ItemIn(WireModel):
    id: Annotated[StrictStr, Field(max_length=36)] | None = None
    product_id: Annotated[StrictStr, Field(min_length=1, max_length=200)]
    title: Annotated[StrictStr, Field(max_length=64)] | None = None
    page_count: StrictInt | None = None
    quantity: StrictInt
    files: FilesIn | None = None
    options: Annotated[list[OptionIn], Field(max_length=50)] | None = None
    retail: Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)] | None = None
    metadata: Annotated[StrictStr, Field(max_length=ITEM_METADATA_MAX)] | None = None

    @field_validator("retail", mode="before")
    @classmethod
    def _retail_is_a_number(cls, value: object) -> object:
        if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal | None):
            raise ValueError("must be a number")
        return value


class OrderIn(WireModel):
    id: Annotated[StrictStr, Field(max_length=36)] | None = None
    email: Annotated[StrictStr, Field(max_length=254)] | None = None
    username: Annotated[StrictStr, Field(max_length=64)] | None = None
    production_speed: ProductionSpeed = ProductionSpeed.STANDARD
    items: Annotated[list[ItemIn], Field(min_length=1, max_length=100)]
    shipping: ShippingIn | None = None
    # v1 name of the address; accepted on both versions, the v2 `shipping` wins.
    shipping_address: AddressIn | None = None
    coupon: Annotated[StrictStr, Field(max_length=64)] | None = None
    metadata: Annotated[StrictStr, Field(max_length=ORDER_METADATA_MAX)] | None = None


class StatusChangeIn(WireModel):
    status: OrderStatus
    tracking_url: Annotated[StrictStr, Field(max_length=512)] | None = None
    reason: Annotated[StrictStr, Field(max_length=500)] | None = None


# -- responses: each built by ``of``, its nested members as dicts (kit.schema.WireOut) ------------

# The real service writes a zero discount as 0.0 (a .NET decimal with scale 1).
_ZERO_DISCOUNT = Decimal("0.0")
# Where an upload is (still) possible: a slot without URL, or a download that failed for good.
_UPLOADABLE = {FileStatus.AWAITING_UPLOAD, FileStatus.UPLOAD_IN_PROGRESS, FileStatus.DOWNLOAD_FAILED}


class ItemOptionOut(WireOut):
    id: str
    value: str
    name: str


class FindingOut(WireOut):
    """What preflight found in a print file (extension), worded for the person who made it."""

    severity: str
    code: str
    message: str
    page: int | None = None
    measured_mm: list[float] | None = None
    expected_mm: list[float] | None = None
    dpi: float | None = None


class FileOut(WireOut):
    status: FileStatus
    download_url: str | None = None
    upload_url: str | None = None
    # Extension: the errors of a refused file, the warnings of an accepted one.
    findings: list[FindingOut] | None = None


class FilesOut(WireOut):
    content: FileOut
    cover: FileOut | None = None


class ItemOut(WireOut):
    id: str
    product_id: str
    page_count: int
    quantity: int
    files: FilesOut
    options: list[ItemOptionOut]
    title: str | None = None
    metadata: str | None = None


class AddressOut(WireOut):
    name: str
    company: str | None = None
    line1: str
    line2: str | None = None
    post_code: str
    city: str
    state: str | None = None
    country: str


class ShippingOut(WireOut):
    method: MethodOut
    address: AddressOut


class TaxOut(WireOut):
    rate: Number
    amount: Number
    calculated_over: Number


class SectionOut(WireOut):
    cost: Number
    taxes: list[TaxOut]


class InvoiceOut(WireOut):
    production: SectionOut
    shipping: SectionOut
    handling: SectionOut
    discount: SectionOut
    total: SectionOut


class RefundOut(WireOut):
    """Extension: a paid payment of a cancelled order, paid back through its provider."""

    amount: Number
    status: str  # Pending | Refunded | Failed
    date_time: LocalDateTime


def refund_of(payment: Payment) -> Members | None:
    """A paid payment of a cancelled order, paid back: how much, how far, since when (the checkout's
    ``refund`` on the order and on the checkout itself)."""
    if payment.refund_status is None:
        return None
    return {"amount": payment.refund_amount, "status": payment.refund_status, "date_time": payment.refund_at}


class CheckoutInfoOut(WireOut):
    """The payment screen's checkout of an order: what the customer pays (incl. VAT) and where it
    is set up; once it is, the payment's status and page too, and (extension) its refund."""

    status: str | None = None
    amount: Number
    payment_url: str | None = None
    setup_url: str
    refund: RefundOut | None = None


class OrderOut(WireOut):
    """An order: costs are purchase prices excl. VAT; dates are local time without offset."""

    id: str
    date_time: LocalDateTime
    status: OrderStatus
    tracking_url: str | None = None
    email: str | None = None
    username: str | None = None
    production_speed: ProductionSpeed
    checkout: CheckoutInfoOut | None = None
    items: list[ItemOut]
    metadata: str | None = None
    # Under /v1 the address is here, under this name, instead of in `shipping` (architecture §7).
    shipping_address: SkipJsonSchema[AddressOut | None] = None
    shipping: ShippingOut | SkipJsonSchema[None]
    invoice: InvoiceOut
    invoicing_state: InvoicingState
    # Extension: the parcels it left in, once it has any (orders/shipments/); trackingUrl stays
    # the first one's.
    shipments: list[ShipmentOut] | None = None
    # Extension: what the shop may do with the order now (cancel, setupCheckout, uploadFiles).
    allowed_actions: list[str]

    @classmethod
    def of(cls, order: Order, invoice: Invoice, urls: Urls, *, actions: Sequence[str]) -> Self:
        address = _address(order)
        method = {"name": order.shipping_method, "is_trackable": order.shipping_trackable}
        v1 = urls.version == "v1"
        return cls(
            id=order.id,
            date_time=order.created_at,
            status=order.status,
            tracking_url=order.tracking_url,
            email=order.email,
            username=order.username,
            production_speed=order.production_speed,
            checkout=_checkout(order, urls),
            items=[_item(item, urls) for item in order.items],
            metadata=order.meta,
            shipping_address=address if v1 else None,
            shipping=None if v1 else {"method": method, "address": address},
            invoice=_invoice(invoice),
            invoicing_state=order.invoicing_state,
            shipments=shipments_of(order) or None,
            allowed_actions=list(actions),
        )


def _checkout(order: Order, urls: Urls) -> Members | None:
    """Only with the payment screen: ``{amount, setupUrl}``, and once set up the payment too."""
    if order.checkout_code is None:
        return None
    payment = order.payment
    return {
        "status": payment.status if payment else None,
        "amount": order.checkout_amount,
        "payment_url": urls.payment(payment.code) if payment else None,
        "setup_url": urls.checkout(order.checkout_code),
        # Extension: a paid order cancelled afterwards is paid back (payments.md).
        "refund": refund_of(payment) if payment else None,
    }


def _item(item: OrderItem, urls: Urls) -> Members:
    return {
        "id": item.id,
        "product_id": item.product_id,
        "page_count": item.page_count,
        "quantity": item.quantity,
        "files": {file.kind: _file(file, urls) for file in item.files},
        "options": item.options,  # stored as the wire has them: {id, value, name}
        "title": item.title,
        "metadata": item.meta,
    }


def _file(file: ItemFile, urls: Urls) -> Members:
    uploadable = file.upload_code and (file.download_url is None or file.status in _UPLOADABLE)
    return {
        "status": file.status,
        "download_url": file.download_url,
        "upload_url": urls.upload(file.upload_code) if uploadable and file.upload_code else None,
        "findings": file.findings or None,  # stored as the wire has them
    }


def _address(order: Order) -> Members:
    return {
        "name": order.ship_name,
        "company": order.ship_company,
        "line1": order.ship_line1,
        "line2": order.ship_line2,
        "post_code": order.ship_post_code,
        "city": order.ship_city,
        "state": order.ship_state,
        "country": order.ship_country,
    }


def _invoice(invoice: Invoice) -> Members:
    discount = invoice.discount
    if discount.cost == 0:
        discount = replace(discount, cost=_ZERO_DISCOUNT)
    return {
        "production": _section(invoice.production),
        "shipping": _section(invoice.shipping),
        "handling": _section(invoice.handling),
        "discount": _section(discount),
        "total": _section(invoice.total),
    }


def _section(section: Section) -> Members:
    taxes = [
        {"rate": t.rate, "amount": t.amount, "calculated_over": t.calculated_over} for t in section.taxes
    ]
    return {"cost": section.cost, "taxes": taxes}


# -- the estimate (extension): the order that placing the same body would make -------------------


class EstimateItemOut(WireOut):
    """An item as the order would have it: its id only when the request gave one."""

    id: str | None = None
    product_id: str
    page_count: int
    quantity: int
    options: list[ItemOptionOut]
    title: str | None = None
    metadata: str | None = None


class CheckoutEstimateOut(WireOut):
    """With the payment screen: what the customer would pay (incl. VAT, after the coupon)."""

    amount: Number


class OrderEstimateOut(WireOut):
    """``POST /orders/estimate``: the order's members that placing would fix (no id unless sent,
    no dates, statuses or files), with the same invoice and checkout amount to the cent."""

    id: str | None = None
    production_speed: ProductionSpeed
    checkout: CheckoutEstimateOut | None = None
    items: list[EstimateItemOut]
    metadata: str | None = None
    shipping_address: SkipJsonSchema[AddressOut | None] = None
    shipping: ShippingOut | SkipJsonSchema[None]
    invoice: InvoiceOut
    invoicing_state: InvoicingState

    @classmethod
    def of(cls, priced: PricedOrder, urls: Urls) -> Self:
        request, quote = priced.request, priced.quote
        address = _address_in(priced.ship.address)
        method = {"name": quote.rate.method.name, "is_trackable": quote.rate.method.is_trackable}
        v1 = urls.version == "v1"
        items = [
            {
                "id": plan.item.id or None,
                "product_id": plan.spec.id,
                "page_count": plan.page_count,
                "quantity": plan.item.quantity,
                "options": echoed_options(plan),
                "title": plan.item.title or None,
                "metadata": plan.item.metadata,
            }
            for plan in priced.plans
        ]
        terms = priced.checkout
        return cls(
            id=request.id or None,
            production_speed=request.production_speed,
            checkout={"amount": terms.amount} if terms is not None else None,
            items=items,
            metadata=request.metadata,
            shipping_address=address if v1 else None,
            shipping=None if v1 else {"method": method, "address": address},
            invoice=_invoice(priced.invoice()),
            invoicing_state=priced.invoicing_state,
        )


def echoed_options(plan: ItemPlan) -> list[Members]:
    """The options the client chose, as the order echoes them: ``{id, value, name}``."""
    return [{"id": option_id, "value": c.value, "name": c.name} for option_id, c in plan.sent]


def _address_in(address: AddressIn) -> Members:
    """A sent address as the order stores it (``service._build_order``): blanks left out."""
    return {
        "name": address.name,
        "company": address.company or None,
        "line1": address.line1,
        "line2": address.line2 or None,
        "post_code": address.post_code,
        "city": address.city,
        "state": address.state or None,
        "country": address.country,
    }


class OrderSummaryOut(WireOut):
    id: str
    date_time: LocalDateTime
    email: str | None = None
    username: str | None = None
    status: OrderStatus
    url: str

    @classmethod
    def of(cls, order: OrderSummary, urls: Urls) -> Self:
        return cls(
            id=order.id,
            date_time=order.created_at,
            email=order.email,
            username=order.username,
            status=order.status,
            url=urls.order(order.id),
        )


class OrderListOut(PageOut):
    results: list[OrderSummaryOut]


class OrderStatusOut(WireOut):
    id: str
    order: OrderStatus
    payment: str | None = None

    @classmethod
    def of(cls, order: Order) -> Self:
        return cls(id=order.id, order=order.status, payment=order.payment.status if order.payment else None)


class StatusEventOut(WireOut):
    id: str
    status: OrderStatus
    date_time: LocalDateTime


class SyncStatusesOut(WireOut):
    since: LocalDateTime
    results: list[StatusEventOut]

    @classmethod
    def of(cls, since: datetime, changes: list[OrderStatusChange]) -> Self:
        events = [{"id": c.order_id, "status": c.status, "date_time": c.changed_at} for c in changes]
        return cls(since=since, results=events)
