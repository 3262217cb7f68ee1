"""What the end customer pays when the account has the payment screen on (spec §3.3 ``checkout``).

Consumer prices (incl. VAT) per product and option choice come from the account (or the
defaults), shipping from the account's rule, and a coupon takes its discount off. The invoice to
the shop then shows the coupon's discount (excl. VAT) and ``invoicingState`` NotIncluded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from printapi.accounts import service as accounts
from printapi.catalogue.consumer import ZERO, ProductPrices, excluding_vat, line_amount
from printapi.catalogue.spec import ProductionSpeed, ProductSpec
from printapi.coupons import service as coupons
from printapi.kit.wire import round_money
from printapi.models import Account
from printapi.shipping.rates import Rate


@dataclass(frozen=True)
class Line:
    spec: ProductSpec
    page_count: int
    quantity: int
    chosen: dict[str, str]  # option id → value, as sent (others take the product's default)


@dataclass(frozen=True)
class Checkout:
    """What the customer would pay: worked out while reading (an estimate, or an order before it
    is stored); placing the order takes the coupon's use (``coupons.use``) and a code."""

    amount: Decimal
    discount_excl_vat: Decimal
    products: Decimal  # what the amount was made of, before the coupon
    shipping: Decimal


def item_amount(line: Line, prices: ProductPrices, *, speed: ProductionSpeed, surcharge: Decimal) -> Decimal:
    extra = line.spec.extra_pages(line.page_count)
    amount = line_amount(prices.product, extra_pages=extra, quantity=line.quantity)
    for option in line.spec.options:
        value = line.chosen.get(option.id, option.default)
        amount += line_amount(prices.option(option.id, value), extra_pages=extra, quantity=line.quantity)
    if speed is ProductionSpeed.EXPRESS and line.spec.production_time(ProductionSpeed.EXPRESS) is not None:
        rate = line.spec.express_surcharge if line.spec.express_surcharge is not None else surcharge
        amount = round_money(amount * (1 + rate))
    return amount


async def quote(
    session: AsyncSession,
    *,
    account: Account,
    lines: Sequence[Line],
    rate: Rate,
    tax_rate: Decimal,
    purchase_total: Decimal,
    coupon: str | None,
    speed: ProductionSpeed,
    surcharge: Decimal,
) -> Checkout:
    """The customer's amount and the coupon's discount; reads only (the coupon's use is counted
    when the order is stored; ``rules`` checked that it can be used)."""
    prices = await accounts.consumer_prices(
        session, account_id=account.id, specs=[line.spec for line in lines]
    )
    products = sum(
        (item_amount(line, prices[line.spec.id], speed=speed, surcharge=surcharge) for line in lines), ZERO
    )
    shipping = accounts.consumer_shipping(account, rate.consumer)
    discount = ZERO
    if coupon:
        discount = await coupons.discount_of(session, code=coupon, products=products, shipping=shipping)
    return Checkout(
        amount=products + shipping - discount,
        discount_excl_vat=min(excluding_vat(discount, tax_rate), purchase_total),
        products=products,
        shipping=shipping,
    )


@dataclass(frozen=True)
class Discounted:
    amount: Decimal
    discount_excl_vat: Decimal


async def with_coupon(
    session: AsyncSession,
    *,
    products: Decimal,
    shipping: Decimal,
    tax_rate: Decimal,
    purchase_total: Decimal,
    coupon: str,
    now: datetime,
) -> Discounted:
    """A coupon on an order placed without one (entered on the payment page): the same rules and
    the same use counting as ``coupon`` on placing, on the amounts the order was placed with."""
    discount = await coupons.redeem(session, code=coupon, products=products, shipping=shipping, now=now)
    return Discounted(
        amount=products + shipping - discount,
        discount_excl_vat=min(excluding_vat(discount, tax_rate), purchase_total),
    )
