"""``/v1`` as an alias of ``/v2`` with the v1 field names (spec §1.1, architecture §7)."""

from __future__ import annotations

import re
from typing import Any

import httpx

from tests.api.helpers import assert_error, order_count
from tests.conftest import Credentials, address, book_item


def v1_order(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"items": [book_item()], "shippingAddress": address()}
    body.update(overrides)
    return body


class TestV1Token:
    async def test_the_v1_token_endpoint_answers_like_v2(
        self, client: httpx.AsyncClient, shop: Credentials
    ) -> None:
        response = await client.post(
            "/v1/oauth",
            data={
                "grant_type": "client_credentials",
                "client_id": shop.client_id,
                "client_secret": shop.client_secret,
            },
        )

        assert response.status_code == 200, response.text
        body = response.json()
        assert list(body) == ["access_token", "token_type", "expires_in", "scope"]
        assert (body["token_type"], body["expires_in"]) == ("bearer", 14399)
        v2_headers = {"Authorization": f"Bearer {body['access_token']}"}
        assert await order_count(client, v2_headers) == 0


class TestV1Orders:
    async def test_a_v1_order_with_a_flat_shipping_address_is_created_under_v1(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        response = await client.post("/v1/orders", json=v1_order(), headers=auth_headers)

        assert response.status_code == 201, response.text
        order = response.json()
        assert response.headers["location"] == f"http://testserver/v1/orders/{order['id']}"
        assert order["shippingAddress"] == address()
        assert "shipping" not in order
        assert list(order)[-4:] == ["shippingAddress", "invoice", "invoicingState", "allowedActions"]
        for file in order["items"][0]["files"].values():
            assert re.fullmatch(r"http://testserver/v1/files/[A-Za-z0-9]{20}", file["uploadUrl"])
        assert '"shipping":{"cost":2.95,' in response.text

    async def test_a_v1_order_reads_back_under_v1_and_v2(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        placed = await client.post("/v1/orders", json=v1_order(), headers=auth_headers)
        order_id = placed.json()["id"]

        v1 = await client.get(f"/v1/orders/{order_id}", headers=auth_headers)
        v2 = await client.get(f"/v2/orders/{order_id}", headers=auth_headers)

        assert v1.text == placed.text
        assert v2.json()["shipping"]["address"] == address()
        assert "shippingAddress" not in v2.json()

    async def test_the_v1_list_links_to_v1_urls(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        order_id = (await client.post("/v1/orders", json=v1_order(), headers=auth_headers)).json()["id"]

        body = (await client.get("/v1/orders", headers=auth_headers)).json()

        assert body["results"][0]["url"] == f"http://testserver/v1/orders/{order_id}"

    async def test_v1_status_reads_work(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        order_id = (await client.post("/v1/orders", json=v1_order(), headers=auth_headers)).json()["id"]

        response = await client.get(f"/v1/orders/{order_id}/status", headers=auth_headers)

        assert response.json() == {"id": order_id, "order": "Created"}

    async def test_a_bad_v1_address_names_the_v1_field(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        response = await client.post(
            "/v1/orders", json=v1_order(shippingAddress=address(country="XX")), headers=auth_headers
        )

        assert_error(response, 400, field="shippingAddress.country")
        assert await order_count(client, auth_headers) == 0

    async def test_an_order_without_any_address_is_refused(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        body = v1_order()
        del body["shippingAddress"]

        for path in ("/v1/orders", "/v2/orders"):
            assert_error(await client.post(path, json=body, headers=auth_headers), 400, field="shipping")
        assert await order_count(client, auth_headers) == 0


class TestV2AcceptsTheV1Address:
    async def test_a_v2_order_with_a_shipping_address_is_created_with_a_v2_shipping(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        response = await client.post("/v2/orders", json=v1_order(), headers=auth_headers)

        assert response.status_code == 201, response.text
        order = response.json()
        assert response.headers["location"] == f"http://testserver/v2/orders/{order['id']}"
        assert order["shipping"] == {
            "method": {"name": "Brievenbuspakje", "isTrackable": True},
            "address": address(),
        }
        assert "shippingAddress" not in order

    async def test_the_v2_shipping_wins_over_a_shipping_address(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        body = v1_order(shipping={"address": address(city="Amsterdam")})

        order = (await client.post("/v2/orders", json=body, headers=auth_headers)).json()

        assert order["shipping"]["address"]["city"] == "Amsterdam"


class TestV1Catalogue:
    async def test_products_and_quotes_answer_under_v1(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        product = await client.get("/v1/products/boek_hc_a4_lig", headers=auth_headers)
        quote = await client.post(
            "/v1/shipping/quote",
            json={
                "country": "NL",
                "items": [{"productId": "fotoprints_15x10", "pageCount": 10, "quantity": 1}],
            },
            headers=auth_headers,
        )

        assert product.status_code == 200
        assert product.text == (await client.get("/v2/products/boek_hc_a4_lig", headers=auth_headers)).text
        assert quote.status_code == 200
        assert '"shipping":1.38,"handling":0.40' in quote.text
