"""Shipments (extension): the operator records the parcels an order leaves in, over
``POST /v2/operator/accounts/{accountId}/orders/{orderId}/shipments``; the order shows them."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from printapi.auth.principal import Environment
from printapi.models import Shipment, ShipmentItem
from printapi.runtime import Runtime
from tests.api.helpers import assert_error, changes, move, place, status_of
from tests.conftest import Credentials, bearer, book_item, make_credentials, order_body

FIRST_URL = "https://jouw.postnl.nl/track-and-trace/3SABC111"
SECOND_URL = "https://jouw.postnl.nl/track-and-trace/3SABC222"
# An order of three items: 2 books "a", 1 mug "b", 3 books "c".
THREE_ITEMS = (
    book_item(id="a", quantity=2),
    {"id": "b", "productId": "mok", "quantity": 1},
    book_item(id="c", quantity=3),
)


@pytest.fixture
async def operator_headers(client: httpx.AsyncClient, runtime: Runtime) -> dict[str, str]:
    return await bearer(client, await make_credentials(runtime, role="operator"))


@pytest.fixture
async def live_headers(client: httpx.AsyncClient, runtime: Runtime, shop: Credentials) -> dict[str, str]:
    return await bearer(
        client, await make_credentials(runtime, email=shop.email, environment=Environment.LIVE)
    )


@pytest.fixture
async def operating(
    client: httpx.AsyncClient, shop: Credentials, operator_headers: dict[str, str]
) -> Operating:
    return Operating(client, operator_headers, shop.account_id)


class Operating:
    """The operator API on one shop's orders."""

    def __init__(self, client: httpx.AsyncClient, headers: dict[str, str], account_id: int) -> None:
        self.client, self.headers, self.account_id = client, headers, account_id

    async def ship(self, order_id: str, **body: Any) -> httpx.Response:
        return await self.client.post(
            f"/v2/operator/accounts/{self.account_id}/orders/{order_id}/shipments",
            json=body,
            headers=self.headers,
        )

    async def move(self, order_id: str, status: str, **body: Any) -> httpx.Response:
        response = await self.client.post(
            f"/v2/operator/accounts/{self.account_id}/orders/{order_id}/status",
            json={"status": status, **body},
            headers=self.headers,
        )
        assert response.status_code == 200, response.text
        return response


async def in_production(client: httpx.AsyncClient, headers: dict[str, str], operating: Operating) -> str:
    order_id: str = (await place(client, headers, order_body(*THREE_ITEMS)))["id"]
    await operating.move(order_id, "Processing")
    return order_id


async def read(client: httpx.AsyncClient, headers: dict[str, str], order_id: str) -> dict[str, Any]:
    response = await client.get(f"/v2/orders/{order_id}", headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def shipment_rows(runtime: Runtime) -> tuple[int, int]:
    async with runtime.db.read() as session:
        shipments = (await session.execute(select(func.count()).select_from(Shipment))).scalar_one()
        lines = (await session.execute(select(func.count()).select_from(ShipmentItem))).scalar_one()
    return shipments, lines


class TestAnOrderInTwoParcels:
    async def test_three_items_leave_in_two_parcels_and_the_second_ships_the_order(
        self, client: httpx.AsyncClient, live_headers: dict[str, str], operating: Operating
    ) -> None:
        order_id = await in_production(client, live_headers, operating)

        first = await operating.ship(
            order_id,
            carrier="PostNL",
            trackingCode="3SABC111",
            trackingUrl=FIRST_URL,
            items=[{"itemId": "a", "quantity": 2}, {"itemId": "c", "quantity": 1}],
        )
        between = await read(client, live_headers, order_id)
        second = await operating.ship(
            order_id,
            carrier="PostNL",
            trackingCode="3SABC222",
            trackingUrl=SECOND_URL,
            items=[{"itemId": "b", "quantity": 1}, {"itemId": "c", "quantity": 2}],
        )
        after = await read(client, live_headers, order_id)

        assert first.status_code == 201, first.text
        assert first.json() == {
            "id": order_id,
            "status": "Processing",
            "shipment": {
                "number": 1,
                "carrier": "PostNL",
                "trackingCode": "3SABC111",
                "trackingUrl": FIRST_URL,
                "items": [{"itemId": "a", "quantity": 2}, {"itemId": "c", "quantity": 1}],
                "dateTime": first.json()["shipment"]["dateTime"],
            },
            "left": [{"itemId": "b", "quantity": 1}, {"itemId": "c", "quantity": 2}],
        }
        assert (between["status"], between["trackingUrl"]) == ("Processing", FIRST_URL)
        assert [s["number"] for s in between["shipments"]] == [1]
        assert second.status_code == 201, second.text
        assert (second.json()["status"], second.json()["left"]) == ("Shipped", [])
        assert after["status"] == "Shipped"
        assert after["trackingUrl"] == FIRST_URL  # the first parcel's, as existing clients know it
        assert [(s["number"], s["trackingUrl"], s["items"]) for s in after["shipments"]] == [
            (1, FIRST_URL, [{"itemId": "a", "quantity": 2}, {"itemId": "c", "quantity": 1}]),
            (2, SECOND_URL, [{"itemId": "b", "quantity": 1}, {"itemId": "c", "quantity": 2}]),
        ]

    async def test_sync_statuses_shows_each_parcel_and_then_shipped(
        self, client: httpx.AsyncClient, live_headers: dict[str, str], operating: Operating
    ) -> None:
        order_id = await in_production(client, live_headers, operating)

        await operating.ship(order_id, items=[{"itemId": "a", "quantity": 2}, {"itemId": "c", "quantity": 1}])
        partial = await changes(client, live_headers)
        await operating.ship(order_id, items=[{"itemId": "b", "quantity": 1}, {"itemId": "c", "quantity": 2}])
        shipped = await changes(client, live_headers)

        assert [row["status"] for row in partial] == ["Created", "Processing", "Processing"]
        assert [row["status"] for row in shipped] == ["Created", "Processing", "Processing", "Shipped"]
        assert {row["id"] for row in shipped} == {order_id}

    async def test_the_event_feed_lists_each_parcel_and_then_shipped(
        self, client: httpx.AsyncClient, live_headers: dict[str, str], operating: Operating
    ) -> None:
        order_id = await in_production(client, live_headers, operating)

        await operating.ship(order_id, items=[{"itemId": "a", "quantity": 2}, {"itemId": "c", "quantity": 1}])
        await operating.ship(order_id, items=[{"itemId": "b", "quantity": 1}, {"itemId": "c", "quantity": 2}])
        feed = await client.get("/v2/events", headers=live_headers)

        assert feed.status_code == 200, feed.text
        assert [(event["type"], event["status"]) for event in feed.json()["results"]] == [
            ("order.created", "Created"),
            ("order.status_changed", "Processing"),
            ("shipment.created", "Processing"),
            ("order.status_changed", "Shipped"),
        ]

    async def test_without_items_a_parcel_carries_everything_left(
        self, client: httpx.AsyncClient, live_headers: dict[str, str], operating: Operating
    ) -> None:
        order_id = await in_production(client, live_headers, operating)
        await operating.ship(order_id, items=[{"itemId": "c", "quantity": 1}])

        rest = await operating.ship(order_id, carrier="DHL")

        assert rest.status_code == 201, rest.text
        assert rest.json()["status"] == "Shipped"
        assert rest.json()["shipment"]["items"] == [
            {"itemId": "a", "quantity": 2},
            {"itemId": "b", "quantity": 1},
            {"itemId": "c", "quantity": 2},
        ]
        assert "trackingUrl" not in await read(client, live_headers, order_id)


class TestTheStatusChangeStillShips:
    async def test_shipped_with_a_tracking_url_records_one_parcel_of_everything(
        self, client: httpx.AsyncClient, live_headers: dict[str, str], operating: Operating
    ) -> None:
        order_id = await in_production(client, live_headers, operating)

        await operating.move(order_id, "Shipped", trackingUrl=FIRST_URL)

        order = await read(client, live_headers, order_id)
        assert (order["status"], order["trackingUrl"]) == ("Shipped", FIRST_URL)
        assert [(s["number"], s["trackingUrl"], s["items"]) for s in order["shipments"]] == [
            (
                1,
                FIRST_URL,
                [
                    {"itemId": "a", "quantity": 2},
                    {"itemId": "b", "quantity": 1},
                    {"itemId": "c", "quantity": 3},
                ],
            )
        ]

    async def test_after_a_parcel_it_ships_the_rest_and_keeps_the_first_tracking_url(
        self, client: httpx.AsyncClient, live_headers: dict[str, str], operating: Operating
    ) -> None:
        order_id = await in_production(client, live_headers, operating)
        await operating.ship(order_id, trackingUrl=FIRST_URL, items=[{"itemId": "a", "quantity": 2}])

        await operating.move(order_id, "Shipped", trackingUrl=SECOND_URL)

        order = await read(client, live_headers, order_id)
        assert (order["status"], order["trackingUrl"]) == ("Shipped", FIRST_URL)
        assert [(s["trackingUrl"], s["items"]) for s in order["shipments"]] == [
            (FIRST_URL, [{"itemId": "a", "quantity": 2}]),
            (SECOND_URL, [{"itemId": "b", "quantity": 1}, {"itemId": "c", "quantity": 3}]),
        ]

    async def test_the_simulator_ships_a_test_order_in_one_parcel(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        order_id = (await place(client, auth_headers, order_body(*THREE_ITEMS)))["id"]
        await move(client, auth_headers, order_id, "Processing")

        shipped = await move(client, auth_headers, order_id, "Shipped")

        assert shipped.status_code == 200, shipped.text
        order = await read(client, auth_headers, order_id)
        assert [len(s["items"]) for s in order["shipments"]] == [3]

    async def test_a_new_order_has_no_shipments_member(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        placed = await place(client, auth_headers, order_body())

        assert "shipments" not in placed
        assert "shipments" not in await read(client, auth_headers, placed["id"])


class TestRefusedShipmentsWriteNothing:
    async def test_more_than_is_left_is_a_400_naming_the_item(
        self,
        runtime: Runtime,
        client: httpx.AsyncClient,
        live_headers: dict[str, str],
        operating: Operating,
    ) -> None:
        order_id = await in_production(client, live_headers, operating)
        await operating.ship(order_id, items=[{"itemId": "c", "quantity": 2}])
        before = await read(client, live_headers, order_id)
        history = await changes(client, live_headers)

        response = await operating.ship(
            order_id,
            trackingUrl=SECOND_URL,
            items=[{"itemId": "a", "quantity": 1}, {"itemId": "c", "quantity": 2}],
        )

        body = assert_error(response, 400, field="items[1].quantity")
        assert body["errors"] == [
            {"field": "items[1].quantity", "message": "item 'c' has 1 left to ship (3 ordered, 2 shipped)"}
        ]
        assert await read(client, live_headers, order_id) == before
        assert await changes(client, live_headers) == history
        assert await shipment_rows(runtime) == (1, 1)

    async def test_every_problem_is_listed_at_once(
        self,
        runtime: Runtime,
        client: httpx.AsyncClient,
        live_headers: dict[str, str],
        operating: Operating,
    ) -> None:
        order_id = await in_production(client, live_headers, operating)

        response = await operating.ship(
            order_id,
            carrier="x" * 65,
            trackingUrl="ftp://example.nl/1",
            items=[
                {"itemId": "a", "quantity": 0},
                {"itemId": "b", "quantity": 1},
                {"itemId": "b", "quantity": 1},
            ],
        )

        body = assert_error(response, 400)
        assert [e["field"] for e in body["errors"]] == [
            "carrier",
            "trackingUrl",
            "items[0].quantity",
            "items[2].itemId",
        ]
        assert await shipment_rows(runtime) == (0, 0)

    async def test_an_unknown_item_is_a_400_naming_it(
        self,
        runtime: Runtime,
        client: httpx.AsyncClient,
        live_headers: dict[str, str],
        operating: Operating,
    ) -> None:
        order_id = await in_production(client, live_headers, operating)

        response = await operating.ship(order_id, items=[{"itemId": "z", "quantity": 1}])

        body = assert_error(response, 400, field="items[0].itemId")
        assert "'z'" in body["errors"][0]["message"]
        assert await shipment_rows(runtime) == (0, 0)
        assert await status_of(client, live_headers, order_id) == "Processing"

    @pytest.mark.parametrize("moves", [(), ("Processing", "Shipped"), ("Cancelled",)], ids=str)
    async def test_an_order_not_in_processing_is_a_403(
        self,
        runtime: Runtime,
        client: httpx.AsyncClient,
        live_headers: dict[str, str],
        operating: Operating,
        moves: tuple[str, ...],
    ) -> None:
        order_id = (await place(client, live_headers, order_body(*THREE_ITEMS)))["id"]
        for status in moves:
            await operating.move(order_id, status)
        before = await shipment_rows(runtime)
        history = await changes(client, live_headers)

        response = await operating.ship(order_id, items=[{"itemId": "a", "quantity": 1}])

        body = assert_error(response, 403)
        assert "only an order in Processing can get shipments" in body["message"]
        assert await shipment_rows(runtime) == before
        assert await changes(client, live_headers) == history

    async def test_an_unknown_order_is_a_404(self, operating: Operating) -> None:
        assert_error(await operating.ship("no-such-order"), 404)

    async def test_a_shop_token_is_forbidden(
        self,
        runtime: Runtime,
        client: httpx.AsyncClient,
        shop: Credentials,
        live_headers: dict[str, str],
        operating: Operating,
    ) -> None:
        order_id = await in_production(client, live_headers, operating)

        response = await client.post(
            f"/v2/operator/accounts/{shop.account_id}/orders/{order_id}/shipments",
            json={},
            headers=live_headers,
        )

        assert_error(response, 403)
        assert await shipment_rows(runtime) == (0, 0)
