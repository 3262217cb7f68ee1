"""Bearer tokens on every endpoint but ``oauth``: 401 without a valid token, 403 without the scope."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from printapi.kit.clock import FixedClock
from tests.api.helpers import assert_error, order_count, place
from tests.conftest import Credentials, book_item, order_body

QUOTE = {"country": "NL", "items": [{"productId": "fotoprints_15x10", "pageCount": 10, "quantity": 1}]}

# Every endpoint that needs a token, with a request that would succeed (or 404) with one.
PROTECTED: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", "/v2/products", None),
    ("GET", "/v2/products/boek_hc_a4_lig", None),
    ("POST", "/v2/shipping/quote", QUOTE),
    ("POST", "/v2/orders", order_body()),
    ("GET", "/v2/orders", None),
    ("GET", "/v2/orders/12345678", None),
    ("GET", "/v2/orders/12345678/status", None),
    ("POST", "/v2/orders/12345678/status", {"status": "Processing"}),
    ("GET", "/v2/sync/statuses?since=2025-01-01T00:00:00", None),
    ("POST", "/v2/operator/accounts/1/orders/12345678/status", {"status": "Processing"}),
    ("GET", "/v1/orders", None),
]
ENDPOINT_IDS = [f"{method} {path.split('?')[0]}" for method, path, _ in PROTECTED]


async def call(
    client: httpx.AsyncClient, method: str, path: str, body: dict[str, Any] | None, headers: dict[str, str]
) -> httpx.Response:
    return await client.request(method, path, json=body, headers=headers)


def assert_unauthenticated(response: httpx.Response) -> None:
    body = assert_error(response, 401)
    assert response.headers["www-authenticate"] == "Bearer"
    assert body["hints"], "a 401 tells where to get a token"


async def token_with_scope(client: httpx.AsyncClient, shop: Credentials, scope: str) -> dict[str, str]:
    response = await client.post(
        "/v2/oauth",
        data={
            "grant_type": "client_credentials",
            "client_id": shop.client_id,
            "client_secret": shop.client_secret,
            "scope": scope,
        },
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


class TestMissingOrBadToken:
    @pytest.mark.parametrize(("method", "path", "body"), PROTECTED, ids=ENDPOINT_IDS)
    async def test_a_request_without_a_token_is_unauthenticated(
        self, client: httpx.AsyncClient, method: str, path: str, body: dict[str, Any] | None
    ) -> None:
        assert_unauthenticated(await call(client, method, path, body, {}))

    @pytest.mark.parametrize(("method", "path", "body"), PROTECTED, ids=ENDPOINT_IDS)
    async def test_an_unknown_token_is_unauthenticated(
        self, client: httpx.AsyncClient, method: str, path: str, body: dict[str, Any] | None
    ) -> None:
        headers = {"Authorization": "Bearer " + "x" * 64}

        assert_unauthenticated(await call(client, method, path, body, headers))

    @pytest.mark.parametrize(
        "header",
        ["Basic dGVzdDp0ZXN0", "Token abc", "Bearer", "Bearer    ", "abc"],
        ids=["basic", "other-scheme", "bearer-without-token", "bearer-blank", "no-scheme"],
    )
    async def test_another_scheme_or_an_empty_bearer_is_unauthenticated(
        self, client: httpx.AsyncClient, header: str
    ) -> None:
        assert_unauthenticated(await client.get("/v2/orders", headers={"Authorization": header}))

    async def test_a_client_secret_is_not_a_token(self, client: httpx.AsyncClient, shop: Credentials) -> None:
        headers = {"Authorization": f"Bearer {shop.client_secret}"}

        assert_unauthenticated(await client.get("/v2/orders", headers=headers))

    async def test_the_scheme_name_is_case_insensitive(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        token = auth_headers["Authorization"].split(" ", 1)[1]

        assert await order_count(client, {"Authorization": f"bearer {token}"}) == 0

    async def test_a_refused_request_changes_nothing(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        response = await client.post(
            "/v2/orders", json=order_body(), headers={"Authorization": "Bearer nope"}
        )

        assert_unauthenticated(response)
        assert await order_count(client, auth_headers) == 0


class TestTokenLifetime:
    async def test_a_token_still_works_a_second_before_it_expires(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str], clock: FixedClock
    ) -> None:
        clock.advance(timedelta(hours=4, seconds=-1))

        assert await order_count(client, auth_headers) == 0

    async def test_a_token_older_than_four_hours_is_unauthenticated(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str], clock: FixedClock
    ) -> None:
        clock.advance(timedelta(hours=4, seconds=1))

        assert_unauthenticated(await client.get("/v2/orders", headers=auth_headers))

    async def test_an_expired_token_places_no_order(
        self, client: httpx.AsyncClient, shop: Credentials, auth_headers: dict[str, str], clock: FixedClock
    ) -> None:
        clock.advance(timedelta(hours=4, seconds=1))

        assert_unauthenticated(await client.post("/v2/orders", json=order_body(), headers=auth_headers))

        clock.advance(timedelta(seconds=1))
        fresh = await token_with_scope(client, shop, "orders:browse")
        assert await order_count(client, fresh) == 0


class TestScopes:
    async def test_a_token_without_orders_place_cannot_place_an_order(
        self, client: httpx.AsyncClient, shop: Credentials, auth_headers: dict[str, str]
    ) -> None:
        headers = await token_with_scope(client, shop, "products:browse orders:browse")

        response = await client.post("/v2/orders", json=order_body(), headers=headers)

        body = assert_error(response, 403)
        assert "orders:place" in body["message"]
        assert await order_count(client, auth_headers) == 0

    async def test_a_token_keeps_the_scopes_it_was_given(
        self, client: httpx.AsyncClient, shop: Credentials
    ) -> None:
        headers = await token_with_scope(client, shop, "products:browse")

        assert (await client.get("/v2/products", headers=headers)).status_code == 200
        assert_error(await client.get("/v2/orders", headers=headers), 403)
        assert_error(await client.post("/v2/shipping/quote", json=QUOTE, headers=headers), 403)

    @pytest.mark.parametrize(
        ("scope", "method", "path", "body"),
        [
            ("orders:place", "GET", "/v2/products", None),
            ("orders:place", "POST", "/v2/shipping/quote", QUOTE),
            ("orders:place", "GET", "/v2/orders", None),
            ("orders:browse", "GET", "/v2/orders/{id}", None),
            ("orders:browse", "GET", "/v2/orders/{id}/status", None),
            ("orders:browse", "GET", "/v2/sync/statuses?since=2025-01-01T00:00:00", None),
            ("orders:track", "POST", "/v2/orders/{id}/status", {"status": "Processing"}),
            ("orders:track", "POST", "/v2/operator/accounts/1/orders/{id}/status", {"status": "Processing"}),
        ],
    )
    async def test_each_endpoint_needs_its_own_scope(
        self,
        *,
        client: httpx.AsyncClient,
        shop: Credentials,
        auth_headers: dict[str, str],
        scope: str,
        method: str,
        path: str,
        body: dict[str, Any] | None,
    ) -> None:
        order = await place(client, auth_headers, order_body(book_item()))
        headers = await token_with_scope(client, shop, scope)

        response = await call(client, method, path.format(id=order["id"]), body, headers)

        assert_error(response, 403)
        assert (await client.get(f"/v2/orders/{order['id']}/status", headers=auth_headers)).json()[
            "order"
        ] == "Created"
