"""The recorded data points of the spec ([R]/[D]) as end-to-end cases through the HTTP API."""

from __future__ import annotations

import json
from typing import Any

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


# Spec Appendix B.1: an order as the real service writes it (values illustrative, members real [R]).
B1 = """
{
  "id": "52719034", "dateTime": "2025-05-12T10:15:42.1234567", "status": "Created",
  "email": "klant@example.nl", "productionSpeed": "Standard",
  "checkout": { "amount": 61.95, "setupUrl": "https://test.printapi.nl/v2/checkout/Qm3xT8aLp0Zr5VbN2cYd" },
  "items": [
    { "id": "30518", "productId": "boek_hc_a5_sta", "pageCount": 40, "quantity": 1,
      "files": {
        "content": { "status": "DownloadPending", "downloadUrl": "https://files.example.nl/b1/content.pdf" },
        "cover":   { "status": "DownloadPending", "downloadUrl": "https://files.example.nl/b1/cover.pdf" } },
      "options": [ { "id": "cover_finish", "value": "laminate_matte", "name": "Mat laminaat" } ] },
    { "id": "77002", "productId": "poster_a3_sta", "pageCount": 1, "quantity": 2,
      "files": {
        "content": { "status": "AwaitingUpload",
                     "uploadUrl": "https://test.printapi.nl/v2/files/h7Kq2LmN9pRs4TvW1xYz" } },
      "options": [], "metadata": "{\\"sku\\":\\"P-A3\\"}" }
  ],
  "shipping": {
    "method":  { "name": "Pakket (M)", "isTrackable": true },
    "address": { "name": "J. Jansen", "line1": "Dorpsstraat 1", "postCode": "1234 AB", "city": "Utrecht",
                 "country": "NL" } },
  "invoice": {
    "production": { "cost": 24.44, "taxes": [ { "rate": 0.09, "amount": 1.39, "calculatedOver": 15.44 },
                                              { "rate": 0.21, "amount": 1.89, "calculatedOver": 9.00 } ] },
    "shipping":   { "cost": 6.95, "taxes": [ { "rate": 0.21, "amount": 1.46, "calculatedOver": 6.95 } ] },
    "handling":   { "cost": 1.10, "taxes": [ { "rate": 0.21, "amount": 0.23, "calculatedOver": 1.10 } ] },
    "discount":   { "cost": 0.0, "taxes": [] },
    "total":      { "cost": 32.49, "taxes": [ { "rate": 0.09, "amount": 1.39, "calculatedOver": 15.44 },
                                              { "rate": 0.21, "amount": 3.58, "calculatedOver": 17.05 } ] }
  },
  "invoicingState": "Included"
}
"""


def members(value: Any) -> Any:
    """The members of a JSON document in their order, down to the leaves (values left out)."""
    if isinstance(value, dict):
        return [(key, members(item)) for key, item in value.items()]
    if isinstance(value, list):
        return [members(item) for item in value]
    return type(value).__name__


class TestReferenceOrderOfMembers:
    async def test_an_order_of_b1_has_the_members_of_b1_in_their_order(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        switched = await client.patch("/v2/account", json={"paymentScreen": True}, headers=auth_headers)
        downloads = {
            "content": "https://files.example.nl/b1/content.pdf",
            "cover": "https://files.example.nl/b1/cover.pdf",
        }
        book = book_item(
            pageCount=40, options=[{"id": "cover_finish", "value": "laminate_matte"}], files=downloads
        )
        poster = {"productId": "poster_a3_sta", "quantity": 2, "metadata": '{"sku":"P-A3"}'}
        body = order_body(book, poster, email="klant@example.nl")

        response = await client.post("/v2/orders", json=body, headers=auth_headers)

        assert switched.status_code == 200, switched.text
        assert response.status_code == 201, response.text
        expected = json.loads(B1)
        order = response.json()
        # The real service's members in their order, then our extension (additive, at the end).
        assert order.pop("allowedActions") == ["cancel", "setupCheckout", "uploadFiles"]
        assert members(order) == members(expected)
        assert response.json()["invoice"]["discount"] == expected["invoice"]["discount"]
