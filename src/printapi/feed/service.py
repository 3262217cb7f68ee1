"""The event feed: what each change of an order or its payment adds, and reading it by cursor.

A cursor is opaque to clients: the place ``(txid, pk)`` of the last event read
(``repository.py``), base64url-encoded with a version. Every event's ``id`` is the cursor that
continues after it, so a client that stored either resumes in the same place.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from printapi.auth.principal import Principal
from printapi.feed import repository
from printapi.feed.repository import Place
from printapi.kit.errors import InvalidInput
from printapi.models import FeedEvent, Order

START: Place = (0, 0)
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
_MAX_PLACE = 2**63 - 1
_CURSOR = re.compile(r"^1\.([0-9]{1,19})\.([0-9]{1,19})$", re.ASCII)


class EventType(StrEnum):
    ORDER_CREATED = "order.created"
    ORDER_STATUS_CHANGED = "order.status_changed"
    PAYMENT_STATUS_CHANGED = "payment.status_changed"
    SHIPMENT_CREATED = "shipment.created"  # a parcel that leaves items behind (the last one: Shipped)


def cursor_of(place: Place) -> str:
    txid, pk = place
    return base64.urlsafe_b64encode(f"1.{txid}.{pk}".encode()).decode().rstrip("=")


def place_of(cursor: str) -> Place:
    """The place a cursor names; a 400 on ``after`` for anything this feed did not hand out."""
    problem = InvalidInput.on(
        "after",
        "is not a cursor of this feed",
        hint="Pass the cursor of the last answer (or an event's id); leave after out to start over.",
    )
    if not 1 <= len(cursor) <= 60 or not cursor.isascii():
        raise problem
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, ValueError) as exc:
        raise problem from exc
    match = _CURSOR.match(text)
    if match is None or cursor_of((int(match[1]), int(match[2]))) != cursor:
        raise problem
    txid, pk = int(match[1]), int(match[2])
    if txid > _MAX_PLACE or pk > _MAX_PLACE:
        raise problem
    return txid, pk


def checked_limit(limit: int | None) -> int:
    if limit is None:
        return DEFAULT_LIMIT
    if limit < 1:
        raise InvalidInput.on("limit", "must be 1 or more")
    if limit > MAX_LIMIT:
        raise InvalidInput.on(
            "limit", f"must be {MAX_LIMIT} or less", hint=f"Read on with limit={MAX_LIMIT} and the cursor."
        )
    return limit


# -- writing (effects.py calls these in the change's transaction) --------------------------------


def _row(order: Order, kind: EventType, now: datetime, **changes: str | None) -> dict[str, object]:
    return {
        "account_id": order.account_id,
        "environment": order.environment,
        "type": kind,
        "order_pk": order.pk,
        "order_id": order.id,
        "status": order.status,
        "previous_status": changes.get("previous_status"),
        "payment_status": changes.get("payment_status"),
        "occurred_at": now,
    }


async def order_created(session: AsyncSession, *, order: Order, now: datetime) -> None:
    await repository.add(session, [_row(order, EventType.ORDER_CREATED, now)])


async def order_status_changed(session: AsyncSession, *, order: Order, previous: str, now: datetime) -> None:
    await repository.add(
        session, [_row(order, EventType.ORDER_STATUS_CHANGED, now, previous_status=previous)]
    )


async def shipment_created(session: AsyncSession, *, order: Order, now: datetime) -> None:
    await repository.add(session, [_row(order, EventType.SHIPMENT_CREATED, now)])


async def payment_status_changed(
    session: AsyncSession, *, order: Order, payment_status: str, now: datetime
) -> None:
    row = _row(order, EventType.PAYMENT_STATUS_CHANGED, now, payment_status=payment_status)
    await repository.add(session, [row])


# -- reading -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedPage:
    events: list[tuple[str, FeedEvent]]  # (the event's id, which is the cursor after it; the row)
    cursor: str  # where to read on
    has_more: bool  # more events could be read at once


async def read(
    session: AsyncSession, *, principal: Principal, after: str | None, limit: int | None
) -> FeedPage:
    """Up to ``limit`` events of the caller's account and environment after the cursor ``after``
    (from the oldest one kept when None), oldest first."""
    place = START if after is None else place_of(after)
    size = checked_limit(limit)
    rows = await repository.after(
        session,
        account_id=principal.account_id,
        environment=principal.environment.value,
        place=place,
        limit=size + 1,
    )
    has_more = len(rows) > size
    events = [(cursor_of((row.txid, row.pk)), row) for row in rows[:size]]
    cursor = events[-1][0] if events else cursor_of(place)
    return FeedPage(events=events, cursor=cursor, has_more=has_more)


async def prune(session: AsyncSession, *, before: datetime) -> int:
    """Events of changes older than ``before`` (``PRINTAPI_RETENTION_DAYS``); how many."""
    return await repository.prune(session, before=before)
