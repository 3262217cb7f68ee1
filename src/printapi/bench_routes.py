"""The benchmark baseline: the cheapest endpoint the app can serve that reads one row by key.

Mounted only with ``PRINTAPI_BENCH_ROUTES=1``; bench/ reports every endpoint as a ratio of it, so
figures from this shared, noisy machine compare like with like.
"""

from __future__ import annotations

from fastapi import APIRouter

from printapi.api import ReadSession, RuntimeDep
from printapi.kit.errors import NotFound
from printapi.kit.schema import WireOut
from printapi.kit.wire import WireResponse
from printapi.orders import repository

router = APIRouter(prefix="/_bench", include_in_schema=False)


class RowOut(WireOut):
    id: str
    status: str


@router.get("/orders/{pk}")
async def one_row(pk: int, session: ReadSession, runtime: RuntimeDep) -> WireResponse:
    row = await repository.id_and_status(session, order_pk=pk)
    if row is None:
        raise NotFound(message="no such row")
    return WireResponse(RowOut(id=row[0], status=row[1]), zone=runtime.zone)
