"""``printapi orders ship``: the operator records the parcels an order leaves in (shipments)."""

from __future__ import annotations

import secrets

from tests.cli.test_cli import Cli, Shop, cli, prepared_folder, shop
from tests.conftest import book_item, order_body

__all__ = ["cli", "prepared_folder", "shop"]  # the fixtures of test_cli.py, used here too

URL = "https://jouw.postnl.nl/track-and-trace/3SABC111"


async def in_production(cli: Cli, shop: Shop) -> str:
    """An order of 2 × "a" and 1 × "b", in Processing."""
    order_id = f"cli-{secrets.token_hex(6)}"
    items = (book_item(id="a", quantity=2), {"id": "b", "productId": "mok", "quantity": 1})
    response = await shop.http.post("/v2/orders", json=order_body(*items, id=order_id), headers=shop.headers)
    assert response.status_code == 201, response.text
    await cli.ok("orders", "set-status", order_id, "Processing")
    return order_id


class TestOrdersShip:
    async def test_two_parcels_ship_the_order(self, cli: Cli, shop: Shop) -> None:
        order_id = await in_production(cli, shop)

        first = await cli.ok(
            "orders", "ship", order_id, "--item", "a=1", "--carrier", "PostNL", "--tracking-code", "3SABC111",
            "--tracking-url", URL,
        )  # fmt: skip
        between = await shop.order(order_id)
        second = await cli.ok("orders", "ship", order_id, "--carrier", "DHL")
        after = await shop.order(order_id)

        assert first == f"order {order_id}: shipment 1 (1 x a); Processing, left to ship: 1 x a, 1 x b\n"
        assert (between["status"], between["trackingUrl"]) == ("Processing", URL)
        assert second == f"order {order_id}: shipment 2 (1 x a, 1 x b); Shipped\n"
        assert (after["status"], after["trackingUrl"]) == ("Shipped", URL)
        shipments = after["shipments"]
        assert isinstance(shipments, list)
        assert [{k: v for k, v in s.items() if k != "dateTime"} for s in shipments] == [
            {
                "number": 1,
                "carrier": "PostNL",
                "trackingCode": "3SABC111",
                "trackingUrl": URL,
                "items": [{"itemId": "a", "quantity": 1}],
            },
            {
                "number": 2,
                "carrier": "DHL",
                "items": [{"itemId": "a", "quantity": 1}, {"itemId": "b", "quantity": 1}],
            },
        ]

    async def test_more_than_is_left_exits_1_naming_the_item_and_changes_nothing(
        self, cli: Cli, shop: Shop
    ) -> None:
        order_id = await in_production(cli, shop)
        before = await shop.order(order_id)

        result = await cli.run("orders", "ship", order_id, "--item", "a=3")

        assert result.returncode == 1
        assert "items[0].quantity: item 'a' has 2 left to ship (2 ordered, 0 shipped)" in result.stderr
        assert await shop.order(order_id) == before

    async def test_an_item_that_is_not_id_equals_quantity_exits_1(self, cli: Cli, shop: Shop) -> None:
        order_id = await in_production(cli, shop)
        before = await shop.order(order_id)

        result = await cli.run("orders", "ship", order_id, "--item", "a")

        assert result.returncode == 1
        assert "expected ITEM_ID=QUANTITY" in result.stderr
        assert await shop.order(order_id) == before

    async def test_an_order_not_in_processing_exits_1(self, cli: Cli, shop: Shop) -> None:
        order_id = await shop.place()

        result = await cli.run("orders", "ship", order_id)

        assert result.returncode == 1
        assert "only an order in Processing can get shipments" in result.stderr
        assert "hint: Start production first" in result.stderr
        assert "shipments" not in await shop.order(order_id)
