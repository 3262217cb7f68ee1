"""An order request checked and priced, before anything is written: what placing it stores and
what an estimate answers (``POST /orders/estimate``), from one computation.

``price_order`` reads only (the account, the catalogue, the coupon, the consumer prices): it
runs the order's rules (one 400 with every problem), picks the shipping method, prices each item,
and with the payment screen on works out the customer's amount and the coupon's discount without
using the coupon. ``service.store_order`` then takes the coupon's use and writes the rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from printapi.accounts import service as accounts
from printapi.auth.principal import Principal
from printapi.kit.problems import Sent
from printapi.orders import checkout, rules
from printapi.orders.pricing import Invoice, Line, invoice, item_cost
from printapi.orders.rules import ItemPlan
from printapi.orders.schemas import OrderIn, ShippingIn
from printapi.orders.states import InvoicingState
from printapi.shipping import service as shipping
from printapi.shipping.service import Quote, Shipment

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class PricedOrder:
    """A checked and priced order request: everything placing it needs to read first."""

    request: OrderIn
    ship: ShippingIn
    plans: list[ItemPlan]
    quote: Quote
    costs: list[Decimal]
    express_surcharge: Decimal  # what the costs were priced with
    checkout: checkout.Checkout | None  # with the payment screen: what the customer pays

    @property
    def production_cost(self) -> Decimal:
        return sum(self.costs, ZERO)

    @property
    def discount(self) -> Decimal:
        """Excl. VAT, on the invoice: the coupon's, with the payment screen (else none)."""
        return self.checkout.discount_excl_vat if self.checkout is not None else ZERO

    @property
    def invoicing_state(self) -> InvoicingState:
        return InvoicingState.INCLUDED if self.checkout is None else InvoicingState.NOT_INCLUDED

    def invoice(self) -> Invoice:
        """The invoice the order will have (``service.invoice_of`` of the stored order)."""
        return invoice(
            [Line(cost, plan.spec.tax_rate) for plan, cost in zip(self.plans, self.costs, strict=True)],
            shipping=self.quote.rate.shipping,
            handling=self.quote.rate.handling,
            discount=self.discount,
        )


async def price_order(
    session: AsyncSession,
    *,
    principal: Principal,
    request: Sent[OrderIn],
    express_surcharge: Decimal,
    now: datetime,
) -> PricedOrder:
    """Check and price an order request, reading only; one 400 with every problem of it."""
    account = await accounts.account(session, account_id=principal.account_id)
    request_in, ship, plans = await rules.checked_order(session, request, account=account, now=now)
    quote = shipping.rate_for(
        [Shipment(plan.spec, plan.page_count, plan.item.quantity) for plan in plans],
        country=ship.address.country,
        preference=ship.preference,
    )
    costs = [
        item_cost(
            plan.spec,
            page_count=plan.page_count,
            quantity=plan.item.quantity,
            choices=plan.choices,
            speed=request_in.production_speed,
            express_surcharge=express_surcharge,
        )
        for plan in plans
    ]
    terms = None
    if account.payment_screen:
        terms = await checkout.quote(
            session,
            account=account,
            lines=[
                checkout.Line(p.spec, p.page_count, p.item.quantity, {o: c.value for o, c in p.sent})
                for p in plans
            ],
            rate=quote.rate,
            tax_rate=quote.tax_rate,
            purchase_total=sum(costs, ZERO) + quote.rate.shipping + quote.rate.handling,
            coupon=request_in.coupon,
            speed=request_in.production_speed,
            surcharge=express_surcharge,
        )
    return PricedOrder(request_in, ship, plans, quote, costs, express_surcharge, terms)
