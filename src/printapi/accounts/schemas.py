"""Account settings requests and responses (extension API)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal, Self

from pydantic import Field, StrictBool, StrictStr

from printapi.kit.schema import Number, WireModel, WireOut
from printapi.models import Account

Euros = Annotated[Decimal, Field(ge=0, max_digits=9, decimal_places=2)]


class ConsumerShippingIn(WireModel):
    rule: Literal["method", "flat", "free"]
    flat: Euros | None = None


class SettingsIn(WireModel):
    payment_screen: StrictBool | None = None
    notification_email: Annotated[StrictStr, Field(max_length=254)] | None = None
    consumer_shipping: ConsumerShippingIn | None = None


class ConsumerShippingOut(WireOut):
    rule: str
    flat: Number | None = None


class SettingsOut(WireOut):
    email: str
    payment_screen: bool
    notification_email: str | None = None
    consumer_shipping: ConsumerShippingOut

    @classmethod
    def of(cls, account: Account) -> Self:
        return cls(
            email=account.email,
            payment_screen=account.payment_screen,
            notification_email=account.notification_email,
            consumer_shipping={"rule": account.consumer_shipping, "flat": account.consumer_shipping_flat},
        )


class PriceIn(WireModel):
    base: Euros
    per_extra_page: Euros = Decimal("0.00")


class OptionPriceIn(WireModel):
    id: Annotated[StrictStr, Field(min_length=1, max_length=64)]
    value: Annotated[StrictStr, Field(min_length=1, max_length=64)]
    checkout: PriceIn


class ProductPriceIn(WireModel):
    checkout: PriceIn
    options: Annotated[list[OptionPriceIn], Field(max_length=100, default_factory=list)]
