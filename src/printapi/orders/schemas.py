"""Order requests as the wire has them (spec §3.2), and the response shapes for the OpenAPI document.

Responses are built by ``presenters`` in the real service's member order; the ``*Out`` models
here document them (and schemathesis checks that the two agree).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, field_validator

from printapi.catalogue.spec import ProductionSpeed
from printapi.kit import outbound
from printapi.kit.schema import Number, WireModel
from printapi.orders.states import FileStatus, InvoicingState, OrderStatus
from printapi.shipping.rates import ShippingPreference

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


# -- response documentation --------------------------------------------------------------------


class _Out(BaseModel):
    model_config = ConfigDict(populate_by_name=True)


class ItemOptionOut(_Out):
    id: str
    value: str
    name: str


class FileOut(_Out):
    status: FileStatus
    downloadUrl: str | None = None  # noqa: N815 - wire names
    uploadUrl: str | None = None  # noqa: N815


class FilesOut(_Out):
    content: FileOut
    cover: FileOut | None = None


class ItemOut(_Out):
    id: str
    productId: str  # noqa: N815
    pageCount: int  # noqa: N815
    quantity: int
    files: FilesOut
    options: list[ItemOptionOut]
    title: str | None = None
    metadata: str | None = None


class AddressOut(_Out):
    name: str
    company: str | None = None
    line1: str
    line2: str | None = None
    postCode: str  # noqa: N815
    city: str
    state: str | None = None
    country: str


class MethodOut(_Out):
    name: str
    isTrackable: bool  # noqa: N815


class ShippingOut(_Out):
    method: MethodOut
    address: AddressOut


class TaxOut(_Out):
    rate: Number
    amount: Number
    calculatedOver: Number  # noqa: N815


class SectionOut(_Out):
    cost: Number
    taxes: list[TaxOut]


class InvoiceOut(_Out):
    production: SectionOut
    shipping: SectionOut
    handling: SectionOut
    discount: SectionOut
    total: SectionOut


class OrderOut(_Out):
    """An order: costs are purchase prices excl. VAT; dates are local time without offset."""

    id: str
    dateTime: str  # noqa: N815
    status: OrderStatus
    trackingUrl: str | None = None  # noqa: N815
    email: str | None = None
    username: str | None = None
    productionSpeed: ProductionSpeed  # noqa: N815
    items: list[ItemOut]
    metadata: str | None = None
    shipping: ShippingOut
    invoice: InvoiceOut
    invoicingState: InvoicingState  # noqa: N815


class OrderSummaryOut(_Out):
    id: str
    dateTime: str  # noqa: N815
    email: str | None = None
    username: str | None = None
    status: OrderStatus
    url: str


class OrderListOut(_Out):
    count: int
    offset: int
    limit: int
    results: list[OrderSummaryOut]


class OrderStatusOut(_Out):
    id: str
    order: OrderStatus
    payment: str | None = None


class StatusEventOut(_Out):
    id: str
    status: OrderStatus
    dateTime: str  # noqa: N815


class SyncStatusesOut(_Out):
    since: str
    results: list[StatusEventOut]
