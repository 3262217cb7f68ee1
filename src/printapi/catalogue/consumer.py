"""Consumer prices (incl. VAT) on the payment screen: pure.

A shop sets what its customers pay per product and per option choice; where it has set nothing,
the default is the purchase price with VAT and a 60 % margin, rounded up to a friendly 5 cents.
The shop's own prices are its account's (``accounts``); the rules are the products'.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from printapi.catalogue.spec import Price

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


@dataclass(frozen=True)
class ProductPrices:
    """The consumer prices of one product for one account: set by the shop, or the defaults."""

    product: ConsumerPrice
    options: dict[tuple[str, str], ConsumerPrice] = field(default_factory=dict)
    custom: bool = False

    def option(self, option_id: str, choice: str) -> ConsumerPrice:
        return self.options[(option_id, choice)]


def line_amount(price: ConsumerPrice, *, extra_pages: int, quantity: int) -> Decimal:
    return ((price.base + price.per_extra_page * extra_pages) * quantity).quantize(CENT)


def excluding_vat(amount: Decimal, rate: Decimal) -> Decimal:
    return (amount / (1 + rate)).quantize(CENT, rounding=ROUND_HALF_UP)
