"""Item prices and the invoice (spec §3.3, §3.7). Pure: Decimal in, Decimal out.

- ``item cost = quantity × (base + extra pages × perExtraPage + Σ chosen options the same way)``,
  where extra pages are those above the product's minimum; Express adds the product's surcharge
  (default +25 %) to the items that offer Express.
- VAT: production is taxed per item rate; shipping and handling at the highest item rate; the
  total's taxes are worked out on the total per rate, not summed from the sections.
- Every rounding is to cents, half away from zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from printapi.catalogue.spec import Choice, ProductionSpeed, ProductSpec
from printapi.kit.wire import round_money

ZERO = Decimal("0.00")


def item_cost(
    spec: ProductSpec,
    *,
    page_count: int,
    quantity: int,
    choices: list[Choice],
    speed: ProductionSpeed,
    express_surcharge: Decimal,
) -> Decimal:
    extra = spec.extra_pages(page_count)
    unit = spec.cost.base + extra * spec.cost.per_extra_page
    for choice in choices:
        unit += choice.cost.base + extra * choice.cost.per_extra_page
    cost = unit * quantity
    if speed is ProductionSpeed.EXPRESS and spec.production_time(ProductionSpeed.EXPRESS) is not None:
        surcharge = spec.express_surcharge if spec.express_surcharge is not None else express_surcharge
        cost += cost * surcharge
    return round_money(cost)


@dataclass(frozen=True)
class Line:
    cost: Decimal
    tax_rate: Decimal


@dataclass(frozen=True)
class Tax:
    rate: Decimal
    amount: Decimal
    calculated_over: Decimal


@dataclass(frozen=True)
class Section:
    cost: Decimal
    taxes: list[Tax]


@dataclass(frozen=True)
class Invoice:
    production: Section
    shipping: Section
    handling: Section
    discount: Section
    total: Section


def _taxes(bases: dict[Decimal, Decimal]) -> list[Tax]:
    return [
        Tax(rate=rate, amount=round_money(base * rate), calculated_over=round_money(base))
        for rate, base in sorted(bases.items())
        if base != 0
    ]


def shipping_rate(lines: list[Line]) -> Decimal:
    """Shipping and handling are taxed at the highest rate among the items."""
    return max(line.tax_rate for line in lines)


def invoice(lines: list[Line], *, shipping: Decimal, handling: Decimal, discount: Decimal = ZERO) -> Invoice:
    if not lines:
        raise ValueError("an invoice needs at least one line")
    rate = shipping_rate(lines)
    production_bases: dict[Decimal, Decimal] = {}
    for line in lines:
        production_bases[line.tax_rate] = production_bases.get(line.tax_rate, ZERO) + line.cost
    production = sum((line.cost for line in lines), ZERO)
    total_bases = dict(production_bases)
    # Shipping and handling add to, and a discount takes from, the base of the shipping rate.
    total_bases[rate] = total_bases.get(rate, ZERO) + shipping + handling - discount
    return Invoice(
        production=Section(production, _taxes(production_bases)),
        shipping=Section(shipping, _taxes({rate: shipping})),
        handling=Section(handling, _taxes({rate: handling})),
        discount=Section(discount, _taxes({rate: discount})),
        total=Section(production + shipping + handling - discount, _taxes(total_bases)),
    )
