"""What an order request must be: the rules of an order and of its status changes.

They run over the parts of the request that its schema accepted (``kit.problems``), so that one
400 lists every problem: the schema's and these. An order's rules ask the catalogue about each
item (product, page count, quantity, options, a cover) and, with the payment screen on, whether
its coupon can be used; they read, and change nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from printapi.catalogue import service as catalogue
from printapi.catalogue.spec import Choice, ProductionSpeed, ProductSpec
from printapi.coupons import service as coupons
from printapi.kit.errors import FieldError
from printapi.kit.problems import Problems, Sent
from printapi.models import Account
from printapi.orders.schemas import ItemIn, OrderIn, ShippingIn, StatusChangeIn
from printapi.orders.states import OrderStatus
from printapi.shipping import service as shipping

# Printable ASCII without the characters that would break the order's URL.
_ORDER_ID = re.compile(r"^[!-~]+$")
_ID_FORBIDDEN = set("/\\?#%")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def is_email(value: str) -> bool:
    """The e-mail rule of an order's customer (and of a billing address)."""
    return bool(_EMAIL.match(value))


@dataclass(frozen=True)
class ItemPlan:
    """One checked item: its product, page count, chosen options and price."""

    item: ItemIn
    spec: ProductSpec
    page_count: int
    sent: list[tuple[str, Choice]]  # options the client chose, echoed on the order
    choices: list[Choice]  # sent choices plus the defaults of the options not sent


def _id_errors(value: str | None, field: str) -> list[FieldError]:
    if value is None or value == "":
        return []
    if not _ORDER_ID.match(value) or _ID_FORBIDDEN & set(value):
        return [FieldError(field, "may hold printable ASCII except spaces and / \\ ? # %")]
    return []


def _shipping_of(request: OrderIn, problems: Problems) -> ShippingIn | None:
    """The v2 ``shipping``, else the v1 ``shippingAddress``; None when neither can be read."""
    if request.shipping is not None or not problems.usable("shipping"):
        return request.shipping  # None when the schema refused it: that problem is listed
    if request.shipping_address is not None:
        return ShippingIn.model_construct(address=request.shipping_address)
    if problems.usable("shippingAddress"):
        problems.add("shipping", "is required", hint="Send shipping: {address: {...}, preference}.")
    return None


def _options(item: ItemIn, spec: ProductSpec, where: str, problems: Problems) -> list[tuple[str, Choice]]:
    sent: list[tuple[str, Choice]] = []
    for index, option_in in enumerate(item.options or []):
        here = f"{where}.options[{index}]"
        if option_in is None or not problems.usable(f"{here}.id"):
            continue
        option = spec.option(option_in.id)
        if option is None:
            known = ", ".join(o.id for o in spec.options) or "none"
            problems.add(f"{here}.id", f"unknown option '{option_in.id}' (options: {known})")
        elif any(option_id == option.id for option_id, _ in sent):
            problems.add(f"{here}.id", f"option '{option.id}' is given twice")
        elif not problems.usable(f"{here}.value"):
            continue
        elif (choice := option.choice(option_in.value)) is None:
            values = ", ".join(c.value for c in option.choices)
            problems.add(f"{here}.value", f"'{option_in.value}' is not a choice ({values})")
        else:
            sent.append((option.id, choice))
    return sent


def _plan_item(item: ItemIn, spec: ProductSpec, where: str, problems: Problems) -> ItemPlan | None:
    """The item's rules on its product; a plan when they (and the schema) found nothing wrong."""
    before = len(problems.errors)
    page_count = problems.check(f"{where}.pageCount", spec.page_count_for, item.page_count)
    problems.check(f"{where}.quantity", spec.check_quantity, item.quantity)
    cover = item.files.cover if item.files is not None else None
    if cover is not None and problems.usable(f"{where}.files.cover") and spec.file("cover") is None:
        problems.add(f"{where}.files.cover", f"{spec.id} has no cover file")
    sent = _options(item, spec, where, problems)
    if page_count is None or len(problems.errors) > before:
        return None
    chosen = dict(sent)
    choices = [chosen.get(o.id) or o.choice(o.default) for o in spec.options]
    return ItemPlan(item, spec, page_count, sent, [c for c in choices if c is not None])


def _plan_items(
    items: Sequence[ItemIn | None], specs: dict[str, ProductSpec], problems: Problems
) -> list[ItemPlan]:
    """A plan per item that breaks no rule; the others' problems go to ``problems``."""
    plans = []
    seen_ids: set[str] = set()
    for index, item in enumerate(items):
        where = f"items[{index}]"
        if item is None:
            continue  # refused by the schema: its problem is listed
        if item.id and problems.usable(f"{where}.id"):
            if item.id in seen_ids:
                problems.add(f"{where}.id", f"item id '{item.id}' is used twice in this order")
            seen_ids.add(item.id)
            problems.extend(_id_errors(item.id, f"{where}.id"))
        if not problems.usable(f"{where}.productId"):
            continue
        spec = specs.get(item.product_id)
        if spec is None:
            problems.add(f"{where}.productId", f"unknown product '{item.product_id}'")
        elif plan := _plan_item(item, spec, where, problems):
            plans.append(plan)
    return plans


def _check_order(request: OrderIn, ship: ShippingIn | None, problems: Problems) -> None:
    if problems.usable("id"):
        problems.extend(_id_errors(request.id, "id"))
    if request.email and problems.usable("email") and not _EMAIL.match(request.email):
        problems.add("email", "is not an e-mail address")
    if ship is not None and ship.address is not None:
        prefix = "shipping.address." if request.shipping is not None else "shippingAddress."
        address = ship.address
        shipping.check_destination(problems, country=address.country, state=address.state, prefix=prefix)


def _check_speed(
    speed: ProductionSpeed, items: Sequence[ItemIn | None], specs: dict[str, ProductSpec], problems: Problems
) -> None:
    """At least one item must offer the speed; asked only when every item's product is known."""
    products = [specs.get(item.product_id) if item is not None else None for item in items]
    known = [spec for spec in products if spec is not None]
    if not known or len(known) < len(products) or not problems.usable("productionSpeed"):
        return
    if not any(spec.production_time(speed) for spec in known):
        problems.add("productionSpeed", f"no item of this order can be produced at {speed} speed")


async def _rules(
    session: AsyncSession, order: OrderIn, problems: Problems, *, account: Account, now: datetime
) -> tuple[ShippingIn | None, list[ItemPlan]]:
    """Every rule over the parts of the order its schema accepted (the others are None)."""
    ship = _shipping_of(order, problems)
    _check_order(order, ship, problems)
    items: Sequence[ItemIn | None] = order.items or []
    wanted = [item.product_id for item in items if item is not None and item.product_id is not None]
    specs = await catalogue.find_products(session, product_ids=wanted)
    plans = _plan_items(items, specs, problems)
    _check_speed(order.production_speed, items, specs, problems)
    if account.payment_screen and order.coupon and problems.usable("coupon"):
        refused = await coupons.problem_with(session, code=order.coupon, now=now)
        if refused is not None:
            problems.add("coupon", refused)
    return ship, plans


async def checked_order(
    session: AsyncSession, request: Sent[OrderIn], *, account: Account, now: datetime
) -> tuple[OrderIn, ShippingIn, list[ItemPlan]]:
    """The order as the rules accept it, or one 400 with every problem: the schema's and theirs."""
    problems = Problems.of(request)
    ship: ShippingIn | None = None
    plans: list[ItemPlan] = []
    if request.body is not None:
        ship, plans = await _rules(session, request.body, problems, account=account, now=now)
    problems.raise_if_any(hint="Every problem of the request is listed in errors.")
    assert ship is not None, "an order the rules accept has a shipping address"
    return request.valid(), ship, plans


def check_change(change: StatusChangeIn, problems: Problems) -> None:
    """A status change's rules over what its schema accepted: a tracking URL goes with Shipped."""
    url = change.tracking_url
    if url is None or not problems.usable("trackingUrl"):
        return
    if problems.usable("status") and change.status is not OrderStatus.SHIPPED:
        problems.add("trackingUrl", "can only be given when the order is Shipped")
    elif not url.lower().startswith(("http://", "https://")):
        problems.add("trackingUrl", "must be an http:// or https:// URL")
