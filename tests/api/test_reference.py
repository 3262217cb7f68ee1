"""The recorded data points of the spec ([R]/[D]) as end-to-end cases through the HTTP API."""

from __future__ import annotations

import httpx

from tests.conftest import book_item, order_body


class TestReferenceOrder:
    async def test_one_a5_hardcover_of_32_pages_to_nl_prices_as_the_real_service(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        response = await client.post("/v2/orders", json=order_body(book_item()), headers=auth_headers)

        assert response.status_code == 201, response.text
        body = response.json()
        assert response.headers["location"] == f"http://testserver/v2/orders/{body['id']}"
        assert body["shipping"]["method"] == {"name": "Brievenbuspakje", "isTrackable": True}
        text = response.text
        for section in (
            '"production":{"cost":10.69,"taxes":[{"rate":0.09,"amount":0.96,"calculatedOver":10.69}]}',
            '"shipping":{"cost":2.95,"taxes":[{"rate":0.09,"amount":0.27,"calculatedOver":2.95}]}',
            '"handling":{"cost":0.87,"taxes":[{"rate":0.09,"amount":0.08,"calculatedOver":0.87}]}',
            '"discount":{"cost":0.0,"taxes":[]}',
            '"total":{"cost":14.51,"taxes":[{"rate":0.09,"amount":1.31,"calculatedOver":14.51}]}',
        ):
            assert section in text
        assert body["invoicingState"] == "Included"
        assert body["status"] == "Created"
