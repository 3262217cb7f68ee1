"""``Idempotency-Key`` against the processes as shipped: a POST whose answer the shop never saw,
sent again with its key, places one order; on PostgreSQL the retries reach either API process.
"""

from __future__ import annotations

import asyncio

from tests.conftest import order_body
from tests.e2e.shop import Shop

REPLAYED = "idempotent-replayed"


class TestARetriedOrder:
    async def test_with_the_same_key_is_placed_once_and_answered_the_same(self, shop: Shop) -> None:
        headers = {**shop.headers, "Idempotency-Key": "e2e-order-1"}
        first = await shop.http.post("/v2/orders", json=order_body(), headers=headers)
        again = await shop.http.post("/v2/orders", json=order_body(), headers=headers)

        assert first.status_code == again.status_code == 201, (first.text, again.text)
        assert again.headers[REPLAYED] == "true"
        assert again.content == first.content
        orders = await shop.get_json("/v2/orders")
        assert orders["count"] == 1

    async def test_sent_eight_times_at_once_is_placed_once(self, shop: Shop) -> None:
        headers = {**shop.headers, "Idempotency-Key": "e2e-order-2"}
        answers = await asyncio.gather(
            *(shop.http.post("/v2/orders", json=order_body(), headers=headers) for _ in range(8))
        )

        statuses = sorted(answer.status_code for answer in answers)
        assert set(statuses) <= {201, 409}, [answer.text for answer in answers]
        placed = {answer.json()["id"] for answer in answers if answer.status_code == 201}
        assert len(placed) == 1
        assert sum(REPLAYED not in answer.headers for answer in answers if answer.status_code == 201) == 1
        orders = await shop.get_json("/v2/orders")
        assert orders["count"] == 1
