"""Shipments and webhooks: every parcel of an order is a change its shop hears of, on a loopback
receiver, the parcel that leaves items behind as well as the one that ships the order."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

import httpx

from printapi.runtime import Runtime
from printapi.webhooks.delivery import Dispatcher
from tests.conftest import bearer, book_item, make_credentials, order_body
from tests.webhooks.conftest import Receiver, Shop, add_endpoint, move, turn

THREE_ITEMS = (
    book_item(id="a", quantity=2),
    {"id": "b", "productId": "mok", "quantity": 1},
    book_item(id="c", quantity=3),
)


async def ship(
    client: httpx.AsyncClient, operator: dict[str, str], shop: Shop, order_id: str, **body: Any
) -> dict[str, Any]:
    response = await client.post(
        f"/v2/operator/accounts/{shop.credentials.account_id}/orders/{order_id}/shipments",
        json=body,
        headers=operator,
    )
    assert response.status_code == 201, response.text
    answer: dict[str, Any] = response.json()
    return answer


class TestEveryParcelNotifies:
    async def test_two_parcels_of_three_items_are_two_webhooks_after_the_one_of_production(
        self,
        runtime: Runtime,
        client: httpx.AsyncClient,
        merchant: Shop,
        receiver: Receiver,
        dispatcher: Dispatcher,
    ) -> None:
        operator = await bearer(client, await make_credentials(runtime, role="operator"))
        await add_endpoint(client, merchant, receiver.url("/hook"))
        placed = await client.post(
            "/v2/orders", json=order_body(*THREE_ITEMS, id="ship-1"), headers=merchant.headers
        )
        assert placed.status_code == 201, placed.text
        await move(client, merchant, "ship-1", "Processing")
        await turn(dispatcher)

        first = await ship(
            client,
            operator,
            merchant,
            "ship-1",
            items=[{"itemId": "a", "quantity": 2}, {"itemId": "c", "quantity": 1}],
        )
        await turn(dispatcher)
        after_first = len(receiver.to("/hook"))
        second = await ship(client, operator, merchant, "ship-1")
        await turn(dispatcher)

        calls = receiver.to("/hook")
        assert (first["status"], second["status"]) == ("Processing", "Shipped")
        assert after_first == 2
        assert [parse_qs(call.body.decode()) for call in calls] == [{"orderId": ["ship-1"]}] * 3
        assert len({call.headers["webhook-id"] for call in calls}) == 3
        log = (await client.get("/v2/orders/ship-1/notifications", headers=merchant.headers)).json()
        assert [entry["status"] for entry in log["results"]] == ["delivered"] * 3

    async def test_a_refused_parcel_queues_nothing(
        self,
        runtime: Runtime,
        client: httpx.AsyncClient,
        merchant: Shop,
        receiver: Receiver,
        dispatcher: Dispatcher,
    ) -> None:
        operator = await bearer(client, await make_credentials(runtime, role="operator"))
        await add_endpoint(client, merchant, receiver.url("/hook"))
        await client.post("/v2/orders", json=order_body(*THREE_ITEMS, id="ship-2"), headers=merchant.headers)
        await move(client, merchant, "ship-2", "Processing")
        await turn(dispatcher)

        refused = await client.post(
            f"/v2/operator/accounts/{merchant.credentials.account_id}/orders/ship-2/shipments",
            json={"items": [{"itemId": "b", "quantity": 2}]},
            headers=operator,
        )
        await turn(dispatcher)

        assert refused.status_code == 400, refused.text
        assert len(receiver.to("/hook")) == 1  # production's only
        log = (await client.get("/v2/orders/ship-2/notifications", headers=merchant.headers)).json()
        assert len(log["results"]) == 1
