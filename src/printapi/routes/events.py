"""HTTP for the event feed (extension API, scope ``orders:track``): every order and payment
change of the caller's account and environment, oldest first, read on with a cursor."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from printapi.api import MAX_DB_INT, ReadSession, RuntimeDep, require
from printapi.auth.principal import Principal
from printapi.auth.scopes import Scope
from printapi.feed import service
from printapi.feed.schemas import EventListOut
from printapi.kit.wire import WireResponse

router = APIRouter(tags=["events"])

AFTER = "The cursor of the last answer, or an event's id; left out: from the oldest event kept."
LIMIT = f"Events per answer: {service.DEFAULT_LIMIT} unless given, {service.MAX_LIMIT} at most."

Tracker = Annotated[Principal, Depends(require(Scope.ORDERS_TRACK))]


@router.get(
    "/events",
    response_model=EventListOut,
    summary="Order and payment changes after a cursor, oldest first",
    description=(
        "Every change of an order or its payment in this account and environment, kept for the "
        "retention period. Leave `after` out to start at the oldest event kept; pass the answer's "
        "`cursor` to read on. Each event is listed once, in the same order on every read, even "
        "while changes are being made."
    ),
)
async def list_events(
    principal: Tracker,
    session: ReadSession,
    runtime: RuntimeDep,
    after: Annotated[str | None, Query(description=AFTER)] = None,
    limit: Annotated[int | None, Query(ge=1, le=MAX_DB_INT, description=LIMIT)] = None,
) -> WireResponse:
    page = await service.read(session, principal=principal, after=after, limit=limit)
    return WireResponse(EventListOut.of(page), zone=runtime.zone)
