"""The Print API wire format (spec §1.2).

- members are camelCase and appear in the order the presenter builds them;
- ``None`` members are left out, empty lists are kept;
- ``Decimal`` is written as a JSON number with its scale (``0.40``, ``216.00``);
- datetimes are local time in the configured zone without an offset, the fraction trimmed of
  trailing zeros (``2025-03-29T21:40:20.0044919`` style; Python has six digits at most).

The encoder is ours because no JSON library writes a ``Decimal`` as a number with its scale.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum
from typing import Any
from zoneinfo import ZoneInfo

from fastapi.responses import Response

_encode_str = json.encoder.encode_basestring  # C-accelerated

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


def _decimal_text(value: Decimal) -> str:
    if not value.is_finite():
        raise ValueError("non-finite decimal on the wire")
    return format(value, "f")


def _encode(value: Any, out: list[str], zone: ZoneInfo) -> None:  # noqa: PLR0912 - one branch per JSON type
    if value is None:
        out.append("null")
    elif isinstance(value, str):  # includes StrEnum
        out.append(_encode_str(str(value)))
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        out.append(str(int(value)))
    elif isinstance(value, Decimal):
        out.append(_decimal_text(value))
    elif isinstance(value, Mapping):
        out.append("{")
        first = True
        for key, item in value.items():
            if item is None:
                continue
            if not first:
                out.append(",")
            first = False
            out.append(_encode_str(key))
            out.append(":")
            _encode(item, out, zone)
        out.append("}")
    elif isinstance(value, Sequence):
        out.append("[")
        for index, item in enumerate(value):
            if index:
                out.append(",")
            _encode(item, out, zone)
        out.append("]")
    elif isinstance(value, datetime):
        out.append(_encode_str(local_iso(value, zone)))
    elif isinstance(value, date):
        out.append(_encode_str(value.isoformat()))
    elif isinstance(value, Enum):
        _encode(value.value, out, zone)
    elif isinstance(value, float):
        out.append(json.dumps(value))
    else:
        raise TypeError(f"cannot put {type(value).__name__} on the wire")


def dumps(value: Any, zone: ZoneInfo) -> bytes:
    out: list[str] = []
    _encode(value, out, zone)
    return "".join(out).encode()


class WireResponse(Response):
    """A JSON response in the Print API wire format."""

    media_type = "application/json; charset=utf-8"

    def __init__(
        self,
        content: Any,
        *,
        zone: ZoneInfo,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self._zone = zone
        super().__init__(content=content, status_code=status_code, headers=headers)

    def render(self, content: Any) -> bytes:
        return dumps(content, self._zone)
