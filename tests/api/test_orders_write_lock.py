"""Placing an order holds the write transaction for its inserts only (SQLite has one writer).

The checks and prices are read in a read transaction first (``orders.service.prepare_order``),
and the write transaction (``store_order``) runs no SELECT; a seed that changes a product is
seen by the next order, although parsed specs are cached.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import event, update

from printapi.catalogue import service as catalogue
from printapi.models import Product
from printapi.runtime import Runtime
from tests.conftest import order_body


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)  # PostgreSQL reads and writes on one engine
async def test_the_write_transaction_of_a_new_order_only_inserts(
    runtime: Runtime, client: httpx.AsyncClient, auth_headers: dict[str, str]
) -> None:
    written: list[str] = []

    def capture(_conn: object, _cursor: object, statement: str, *_rest: Any) -> None:
        written.append(statement.split(None, 1)[0].upper())

    engine = runtime.db.write_engine.sync_engine
    event.listen(engine, "before_cursor_execute", capture)
    try:
        response = await client.post("/v2/orders", json=order_body(), headers=auth_headers)
    finally:
        event.remove(engine, "before_cursor_execute", capture)

    assert response.status_code == 201, response.text
    assert "INSERT" in written
    assert set(written) - {"BEGIN", "INSERT"} == set(), written


async def test_a_changed_product_is_priced_anew_by_the_next_order(
    runtime: Runtime, client: httpx.AsyncClient, auth_headers: dict[str, str]
) -> None:
    first = await client.post("/v2/orders", json=order_body(), headers=auth_headers)
    async with runtime.db.write() as session:
        (spec,) = (await catalogue.find_products(session, product_ids=["boek_hc_a5_sta"])).values()
    original = spec.model_dump(mode="json")
    changed = spec.model_dump(mode="json")
    changed["cost"]["base"] = "99.00"
    await put_spec(runtime, spec.id, changed)
    try:
        second = await client.post("/v2/orders", json=order_body(), headers=auth_headers)
    finally:
        await put_spec(runtime, spec.id, original)  # the catalogue is shared by the whole test session

    assert first.status_code == second.status_code == 201
    assert first.json()["invoice"]["production"]["cost"] == 10.69
    assert second.json()["invoice"]["production"]["cost"] > 99


async def put_spec(runtime: Runtime, product_id: str, document: dict[str, Any]) -> None:
    async with runtime.db.write() as session:
        await session.execute(update(Product).where(Product.id == product_id).values(spec=document))
