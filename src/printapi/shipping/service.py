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
from printapi.kit.errors import FieldError, InvalidInput
from printapi.kit.problems import Problems
from printapi.shipping.rates import Parcel, Rate, ShippingPreference, choose, combine
from printapi.shipping.schemas import QuoteIn


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


async def quote(session: AsyncSession, *, request: QuoteIn) -> Quote:
    errors = destination_errors(request.country, request.state, prefix="")
    specs = await catalogue.find_products(session, product_ids=[item.product_id for item in request.items])
    lines = []
    for index, item in enumerate(request.items):
        spec = specs.get(item.product_id)
        where = f"items[{index}]"
        if spec is None:
            errors.append(FieldError(f"{where}.productId", f"unknown product '{item.product_id}'"))
            continue
        try:
            page_count = spec.page_count_for(item.page_count)
        except ValueError as exc:
            errors.append(FieldError(f"{where}.pageCount", str(exc)))
            continue
        try:
            spec.check_quantity(item.quantity)
        except ValueError as exc:
            errors.append(FieldError(f"{where}.quantity", str(exc)))
            continue
        lines.append(Shipment(spec=spec, page_count=page_count, quantity=item.quantity))
    if errors:
        raise InvalidInput.of(errors)
    return rate_for(lines, country=request.country, preference=request.preference)
