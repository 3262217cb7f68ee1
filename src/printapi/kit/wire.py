"""The Print API wire format (spec §1.2), written by one encoder.

- members are camelCase and appear in the order of the response model's fields (``kit.schema``);
- ``None`` members are left out, empty lists are kept;
- ``Decimal`` is written as a JSON number with its scale (``0.40``, ``216.00``, ``0.0``);
- datetimes are local time in the configured zone without an offset, the fraction trimmed of
  trailing zeros (``2025-03-29T21:40:20.0044919`` style; Python has six digits at most).

A response model is dumped by pydantic, which leaves out the None members, and the dump is
written by simplejson, whose ``use_decimal`` writes a Decimal's own digits (pydantic writes a
Decimal as a string, the standard library's ``json`` only as a float: ``0.4``). simplejson writes
them with ``str()``, which would use an exponent for ``Decimal("1E+2")``, so a model's numbers
are made ``plain_decimal`` when the model is built (``kit.schema.Number``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum
from functools import cache, partial
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import simplejson
from pydantic import BaseModel
from starlette.responses import Response

if TYPE_CHECKING:  # kit.schema builds its Number on plain_decimal
    from printapi.kit.schema import WireOut

CENT = Decimal("0.01")


def round_money(value: Decimal) -> Decimal:
    """Round to cents, half away from zero (what the real service does: 0.2655 -> 0.27)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def local_iso(moment: datetime, zone: ZoneInfo) -> str:
    """``2025-03-29T21:40:20.004491`` in ``zone``, no offset, trailing zeros of the fraction trimmed."""
    local = moment.astimezone(zone)
    text = local.strftime("%Y-%m-%dT%H:%M:%S")
    if local.microsecond:
        text += "." + f"{local.microsecond:06d}".rstrip("0")
    return text


_LOCAL_INPUT = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?"
    r"(Z|[+-]\d{2}:?\d{2})?$",
    re.ASCII,  # only 0-9 are digits here
)


def parse_local(text: str, zone: ZoneInfo) -> datetime:
    """Parse a wire date/time: local to ``zone`` unless it carries ``Z`` or an offset.

    Raises ``ValueError`` with a readable message when the text is not a date/time.
    """
    match = _LOCAL_INPUT.match(text.strip())
    if not match:
        raise ValueError("expected a date/time such as 2025-03-24T13:00:00")
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    try:
        naive = datetime(  # noqa: DTZ001 - the zone is attached below
            int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0), micro
        )
        if offset is None:
            return naive.replace(tzinfo=zone).astimezone(UTC)
        if offset == "Z":
            return naive.replace(tzinfo=UTC)
        return datetime.fromisoformat(naive.isoformat() + _normalise_offset(offset)).astimezone(UTC)
    except (ValueError, OverflowError) as exc:
        raise ValueError(f"not a valid date/time: {exc}") from exc


def _normalise_offset(offset: str) -> str:
    return offset if ":" in offset else f"{offset[:3]}:{offset[3:]}"


def plain_decimal(value: Decimal) -> Decimal:
    """``value``, finite and such that ``str()`` writes it without an exponent (``1E+2`` is
    ``100``). Below a millionth ``str()`` always writes one; no number of the API is that fine."""
    if not value.is_finite():
        raise ValueError("non-finite decimal on the wire")
    if "E" in str(value):
        value = Decimal(format(value, "f"))
        if "E" in str(value):
            raise ValueError(f"{value} has too many decimals for the wire")
    return value


def _written(value: object, zone: ZoneInfo) -> object:
    """What simplejson does not write itself: date/times, dates and enums other than str and int."""
    if isinstance(value, datetime):
        return local_iso(value, zone)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    raise TypeError(f"cannot put {type(value).__name__} on the wire")


@cache
def _encoder(zone: ZoneInfo) -> simplejson.JSONEncoder:
    return simplejson.JSONEncoder(
        default=partial(_written, zone=zone),
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
        use_decimal=True,
        namedtuple_as_object=False,
        check_circular=False,  # a model's dump has no cycles
    )


def _as_dumped(value: Any) -> Any:
    """A JSON value of dicts and lists as a model's dump would have it: no None members, and each
    Decimal written as it is (``format`` "f" never writes an exponent)."""
    if isinstance(value, dict):
        return {key: _as_dumped(item) for key, item in value.items() if item is not None}
    if isinstance(value, list | tuple):
        return [_as_dumped(item) for item in value]
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError("non-finite decimal on the wire")
        return simplejson.RawJSON(format(value, "f"))
    return value


def dumps(value: WireOut | Any, zone: ZoneInfo) -> bytes:
    """A response model (``kit.schema.WireOut``), or a JSON value of dicts and lists, on the wire."""
    document = value.model_dump(exclude_none=True) if isinstance(value, BaseModel) else _as_dumped(value)
    return _encoder(zone).encode(document).encode()


class WireResponse(Response):
    """A JSON response in the Print API wire format."""

    media_type = "application/json; charset=utf-8"

    def __init__(
        self,
        content: WireOut,
        *,
        zone: ZoneInfo,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self._zone = zone
        super().__init__(content=content, status_code=status_code, headers=headers)

    def render(self, content: Any) -> bytes:
        return dumps(content, self._zone)
