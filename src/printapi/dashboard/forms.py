"""Reading form fields: text in, typed values out, or ``InvalidInput`` naming the field.

Forms are the dashboard's input; the services check the rules, these only check the shape.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import TypeVar
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from printapi.kit.errors import FieldError, InvalidInput
from printapi.kit.wire import parse_local
from printapi.orders.schemas import StatusChangeIn
from printapi.orders.shipments.schemas import ShipmentIn, ShipmentItemIn
from printapi.orders.states import OrderStatus

E = TypeVar("E", bound=StrEnum)
_MAX_TEXT = 2048


def text(form: dict[str, str], name: str, *, required: bool = False) -> str | None:
    value = form.get(name, "").strip()
    if len(value) > _MAX_TEXT or "\x00" in value:
        raise InvalidInput.on(name, f"must be at most {_MAX_TEXT} characters of text")
    if not value:
        if required:
            raise InvalidInput.on(name, "is required")
        return None
    return value


def required(form: dict[str, str], name: str) -> str:
    value = text(form, name, required=True)
    assert value is not None
    return value


def choice(form: dict[str, str], name: str, kind: type[E], *, default: E | None = None) -> E | None:
    value = text(form, name)
    if value is None:
        return default
    return _member(name, value, kind)


def required_choice(form: dict[str, str], name: str, kind: type[E]) -> E:
    return _member(name, required(form, name), kind)


def _member(name: str, value: str, kind: type[E]) -> E:
    try:
        return kind(value)
    except ValueError as exc:
        allowed = ", ".join(member.value for member in kind)
        raise InvalidInput.on(name, f"must be one of {allowed}") from exc


def euros(form: dict[str, str], name: str, *, required: bool = False) -> Decimal | None:
    """An amount like ``12.50`` or ``12,50`` (two decimals at most, not negative)."""
    value = text(form, name, required=required)
    if value is None:
        return None
    try:
        amount = Decimal(value.replace("€", "").strip().replace(",", "."))
    except InvalidOperation as exc:
        raise InvalidInput.on(name, "must be an amount such as 12.50") from exc
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(Decimal("0.01")) or amount >= 10**7:
        raise InvalidInput.on(name, "must be an amount such as 12.50")
    return amount.quantize(Decimal("0.01"))


def whole(form: dict[str, str], name: str) -> int | None:
    value = text(form, name)
    if value is None:
        return None
    if not value.isascii() or not value.isdigit() or len(value) > 9:
        raise InvalidInput.on(name, "must be a whole number")
    return int(value)


FIRST_YEAR, LAST_YEAR = 1970, 9998


def day(form: dict[str, str], name: str) -> date | None:
    value = text(form, name)
    if value is None:
        return None
    try:
        parsed = date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidInput.on(name, "must be a date such as 2026-03-31") from exc
    if not FIRST_YEAR <= parsed.year <= LAST_YEAR:  # day_start and UTC must not overflow
        raise InvalidInput.on(name, f"must be a date between {FIRST_YEAR} and {LAST_YEAR}")
    return parsed


def day_start(day_value: date | None, zone: ZoneInfo, *, next_day: bool = False) -> datetime | None:
    """Midnight at the start of ``day_value`` (or of the day after) in ``zone``."""
    if day_value is None:
        return None
    if next_day:
        day_value += timedelta(days=1)
    return datetime.combine(day_value, time(), tzinfo=zone)


def moment(form: dict[str, str], name: str, zone: ZoneInfo) -> datetime:
    """A required date and time (a ``datetime-local`` field: local to ``zone``), in UTC."""
    value = required(form, name)
    try:
        return parse_local(value, zone)
    except ValueError as exc:
        raise InvalidInput.on(name, "must be a date and time such as 2025-03-24T13:00") from exc


def switch(form: dict[str, str], name: str) -> bool:
    """A checkbox, or a hidden ``on``/``off`` field."""
    return form.get(name, "off").strip().lower() in ("on", "true", "1", "yes")


def status_change(form: dict[str, str]) -> StatusChangeIn:
    """An order move from a form (status, tracking_url, reason); too long a text is a 400, not a crash."""
    status = required_choice(form, "status", OrderStatus)
    tracking_url, reason = text(form, "tracking_url"), text(form, "reason")
    try:
        return StatusChangeIn(status=status, tracking_url=tracking_url, reason=reason)
    except ValidationError as exc:
        errors = [FieldError(".".join(str(p) for p in e["loc"]) or "status", e["msg"]) for e in exc.errors()]
        raise InvalidInput.of(errors) from exc


SHIPMENT_LINES = 100  # an order has at most 100 items


def shipment(form: dict[str, str]) -> ShipmentIn:
    """A parcel from the console's form: carrier, tracking_code, tracking_url, and per item of the
    order ``item_<n>`` (its id) with ``quantity_<n>`` (how many this parcel carries; 0 or empty:
    none). At least one item must be carried; the service checks what is left to ship."""
    wanted = [(text(form, f"item_{n}"), whole(form, f"quantity_{n}")) for n in range(SHIPMENT_LINES)]
    try:
        lines = [
            ShipmentItemIn(item_id=item_id, quantity=quantity)
            for item_id, quantity in wanted
            if item_id and quantity
        ]
        if not lines:
            raise InvalidInput.on("quantity_0", "choose how many of at least one item this parcel carries")
        return ShipmentIn(
            carrier=text(form, "carrier"),
            tracking_code=text(form, "tracking_code"),
            tracking_url=text(form, "tracking_url"),
            items=lines,
        )
    except ValidationError as exc:
        errors = [FieldError(".".join(str(p) for p in e["loc"]) or "body", e["msg"]) for e in exc.errors()]
        raise InvalidInput.of(errors) from exc
