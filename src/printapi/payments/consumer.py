"""Consumer prices (incl. VAT) on the payment screen: pure.

A shop sets what its customers pay per product and per option choice; where it has set nothing,
the default is the purchase price with VAT and a 60 % margin, rounded up to a friendly 5 cents.
Coupons take their discount from the products (scope Products) or from everything (Total).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from printapi.catalogue.spec import Price
from printapi.payments.states import CouponScope, CouponType

MARGIN = Decimal("1.60")
FIVE_CENTS = Decimal("0.05")
CENT = Decimal("0.01")
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class ConsumerPrice:
    base: Decimal
    per_extra_page: Decimal


def default_price(cost: Price, tax_rate: Decimal) -> ConsumerPrice:
    def friendly(amount: Decimal, step: Decimal) -> Decimal:
        scaled = amount * (1 + tax_rate) * MARGIN
        return (scaled / step).to_integral_value(rounding=ROUND_CEILING) * step

    return ConsumerPrice(
        base=friendly(cost.base, FIVE_CENTS).quantize(CENT),
        per_extra_page=friendly(cost.per_extra_page, CENT),
    )


def line_amount(price: ConsumerPrice, *, extra_pages: int, quantity: int) -> Decimal:
    return ((price.base + price.per_extra_page * extra_pages) * quantity).quantize(CENT)


@dataclass(frozen=True)
class CouponTerms:
    type: CouponType
    scope: CouponScope
    amount: Decimal | None
    percentage: int | None


def discount(terms: CouponTerms, *, products: Decimal, shipping: Decimal) -> Decimal:
    """The discount in euros: a percentage of, or a fixed amount capped at, what the coupon covers."""
    base = products if terms.scope is CouponScope.PRODUCTS else products + shipping
    if terms.type is CouponType.PERCENTAGE:
        assert terms.percentage is not None
        return (base * terms.percentage / 100).quantize(CENT, rounding=ROUND_HALF_UP)
    assert terms.amount is not None
    return min(terms.amount, base).quantize(CENT)


def excluding_vat(amount: Decimal, rate: Decimal) -> Decimal:
    return (amount / (1 + rate)).quantize(CENT, rounding=ROUND_HALF_UP)
