"""Shipping quotes: which method carries these items to that country, and what it costs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from printapi.accounts import service as accounts
from printapi.catalogue import service as catalogue
from printapi.catalogue.spec import ProductSpec
from printapi.kit import countries
from printapi.kit.errors import FieldError
from printapi.kit.problems import Problems, Sent
from printapi.shipping.rates import Parcel, Rate, ShippingPreference, choose, combine
from printapi.shipping.schemas import QuoteItemIn, ShippingQuoteIn


@dataclass(frozen=True)
class Shipment:
    """One line of a shipment: a product, its pages and how many copies."""

    spec: ProductSpec
    page_count: int
    quantity: int


@dataclass(frozen=True)
class Quote:
    rate: Rate
    tax_rate: Decimal


def destination_errors(country: str, state: str | None, *, prefix: str) -> list[FieldError]:
    errors = []
    if not countries.is_country(country):
        errors.append(
            FieldError(f"{prefix}country", f"'{country}' is not an ISO 3166-1 alpha-2 country code")
        )
    elif state and not countries.is_subdivision(country, state):
        errors.append(FieldError(f"{prefix}state", f"'{state}' is not a subdivision code of {country}"))
    return errors


def check_destination(problems: Problems, *, country: str | None, state: str | None, prefix: str) -> None:
    """The destination rules over what the schema accepted: the country, then its subdivision."""
    if country is None or not problems.usable(f"{prefix}country"):
        return  # refused by the schema (or its address was): nothing to check a state against
    state = state if problems.usable(f"{prefix}state") else None
    problems.extend(destination_errors(country, state, prefix=prefix))


def rate_for(lines: Sequence[Shipment], *, country: str, preference: ShippingPreference) -> Quote:
    parcel = combine(
        [
            Parcel(line.spec.shipping_class, line.spec.weight(line.page_count) * line.quantity)
            for line in lines
        ]
    )
    return Quote(
        rate=choose(parcel, country=country, preference=preference),
        tax_rate=max(line.spec.tax_rate for line in lines),
    )


async def consumer_price(session: AsyncSession, *, account_id: int, quote: Quote) -> Decimal:
    """The quote's ``payment``: what the account's customers pay for shipping on the payment screen."""
    account = await accounts.account(session, account_id=account_id)
    return accounts.consumer_shipping(account, quote.rate.consumer)


async def quote(session: AsyncSession, *, request: Sent[ShippingQuoteIn]) -> Quote:
    """The quote, or one 400 with every problem: the schema's, the destination's, each item's."""
    problems = Problems.of(request)
    lines: list[Shipment] = []
    if (body := request.body) is not None:
        check_destination(problems, country=body.country, state=body.state, prefix="")
        lines = await _shipments(session, body.items or [], problems)
    problems.raise_if_any()
    body = request.valid()
    return rate_for(lines, country=body.country, preference=body.preference)


async def _shipments(
    session: AsyncSession, items: Sequence[QuoteItemIn | None], problems: Problems
) -> list[Shipment]:
    """The lines of the items the rules accept; the others' problems go to ``problems``."""
    wanted = [item.product_id for item in items if item is not None and item.product_id is not None]
    specs = await catalogue.find_products(session, product_ids=wanted)
    lines = []
    for index, item in enumerate(items):
        where = f"items[{index}]"
        if item is None or not problems.usable(f"{where}.productId"):
            continue  # refused by the schema: its problem is listed
        spec = specs.get(item.product_id)
        if spec is None:
            problems.add(f"{where}.productId", f"unknown product '{item.product_id}'")
            continue
        before = len(problems.errors)
        page_count = problems.check(f"{where}.pageCount", spec.page_count_for, item.page_count)
        problems.check(f"{where}.quantity", spec.check_quantity, item.quantity)
        if page_count is not None and len(problems.errors) == before:
            lines.append(Shipment(spec=spec, page_count=page_count, quantity=item.quantity))
    return lines
