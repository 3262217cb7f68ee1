"""Placing an order holds the write transaction for its inserts only (SQLite has one writer).

The checks and prices are read first (``orders.service.prepare_order``), on SQLite in a read
transaction, and the write transaction (``store_order``) runs no SELECT; a seed that changes a product is
seen by the next order, although parsed specs are cached.
"""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import event, update

from printapi.catalogue import service as catalogue
from printapi.models import Product
from printapi.runtime import Runtime
from tests.conftest import order_body


async def test_the_checks_read_where_the_database_wants_them(
    runtime: Runtime, client: httpx.AsyncClient, auth_headers: dict[str, str]
) -> None:
    """SQLite: in a read transaction, and the write transaction only inserts. PostgreSQL, whose
    writers lock rows, not the database: in the write transaction (``Database.read_before``)."""
    written: list[str] = []
    read: list[str] = []

    def capture(into: list[str]) -> Any:
        def statement_of(_conn: object, _cursor: object, statement: str, *_rest: Any) -> None:
            into.append(" ".join(statement.split()))

        return statement_of

    engines = (
        (runtime.db.write_engine.sync_engine, capture(written)),
        (runtime.db.read_engine.sync_engine, capture(read)),
    )
    for engine, listener in engines:
        event.listen(engine, "before_cursor_execute", listener)
    try:
        response = await client.post("/v2/orders", json=order_body(), headers=auth_headers)
    finally:
        for engine, listener in engines:
            event.remove(engine, "before_cursor_execute", listener)

    assert response.status_code == 201, response.text
    verbs = {statement.split(None, 1)[0].upper() for statement in written}
    reads_the_products = [statement for statement in written + read if " FROM products " in statement]
    assert reads_the_products, (written, read)
    if runtime.db.dialect == "sqlite":
        assert "INSERT" in verbs
        assert verbs - {"BEGIN", "INSERT"} == set(), written
        assert not set(reads_the_products) & set(written), written
    else:
        assert verbs == {"SELECT", "WITH", "INSERT"}, written  # the order's statement, the feed's row
        assert not set(reads_the_products) & set(read), read


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
