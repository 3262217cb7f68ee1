"""What a coupon gives: its type, what it covers, and the discount it makes (pure).

A coupon takes its discount from the products (scope Products) or from everything, shipping
included (Total): a percentage of that, or a fixed amount capped at it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

CENT = Decimal("0.01")


class CouponType(StrEnum):
    AMOUNT = "Amount"
    PERCENTAGE = "Percentage"


class CouponScope(StrEnum):
    PRODUCTS = "Products"
    TOTAL = "Total"


class CouponState(StrEnum):
    VALID = "Valid"
    EXPIRED = "Expired"
    USED_UP = "UsedUp"


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
