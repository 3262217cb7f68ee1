"""The token endpoint ``POST /v2/oauth`` (spec §1.3): client credentials, RFC 6749 errors."""

from __future__ import annotations

import base64
import re

import httpx

from printapi.runtime import Runtime
from tests.api.helpers import (
    OAUTH_JSON,
    OPERATOR_SCOPE,
    REAL_SCOPES,
    SHOP_SCOPE,
    assert_oauth_error,
    order_count,
)
from tests.conftest import Credentials, make_credentials


def form(shop: Credentials, **overrides: str) -> dict[str, str]:
    body = {
        "grant_type": "client_credentials",
        "client_id": shop.client_id,
        "client_secret": shop.client_secret,
    }
    body.update(overrides)
    return body


def basic(client_id: str, secret: str) -> dict[str, str]:
    encoded = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {encoded}"}


def assert_token(response: httpx.Response, scope: str = SHOP_SCOPE) -> str:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == OAUTH_JSON
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert list(body) == ["access_token", "token_type", "expires_in", "scope"]
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 14399
    assert body["scope"] == scope
    token: str = body["access_token"]
    assert re.fullmatch(r"[A-Za-z0-9_-]{64,}", token), token
    return token


class TestTokenFromTheFormBody:
    async def test_client_credentials_in_the_form_get_a_four_hour_bearer_token_with_every_scope(
        self, client: httpx.AsyncClient, shop: Credentials
    ) -> None:
        response = await client.post("/v2/oauth", data=form(shop))

        assert_token(response)

    async def test_the_seven_real_scopes_come_first_in_the_real_order_then_the_extensions(
        self, client: httpx.AsyncClient, shop: Credentials
    ) -> None:
        response = await client.post("/v2/oauth", data=form(shop))

        scopes = response.json()["scope"].split()
        assert scopes[:7] == [
            "products:browse",
            "shipping:quote",
            "coupons:quote",
            "orders:place",
            "orders:track",
            "files:upload",
            "orders:browse",
        ]
        assert "orders:simulate" in scopes[7:]
        assert " ".join(scopes) == SHOP_SCOPE

    async def test_the_token_opens_the_api(self, client: httpx.AsyncClient, shop: Credentials) -> None:
        token = assert_token(await client.post("/v2/oauth", data=form(shop)))

        assert await order_count(client, {"Authorization": f"Bearer {token}"}) == 0

    async def test_every_call_gets_a_new_token(self, client: httpx.AsyncClient, shop: Credentials) -> None:
        first = assert_token(await client.post("/v2/oauth", data=form(shop)))
        second = assert_token(await client.post("/v2/oauth", data=form(shop)))

        assert first != second

    async def test_an_operator_gets_the_operator_scope_last(
        self, client: httpx.AsyncClient, runtime: Runtime
    ) -> None:
        operator = await make_credentials(runtime, role="operator")

        response = await client.post("/v2/oauth", data=form(operator))

        assert_token(response, scope=OPERATOR_SCOPE)
        assert response.json()["scope"].startswith(REAL_SCOPES + " ")
        assert response.json()["scope"].endswith(" operator")


class TestTokenFromHttpBasic:
    async def test_client_credentials_in_http_basic_get_the_same_token_response(
        self, client: httpx.AsyncClient, shop: Credentials
    ) -> None:
        response = await client.post(
            "/v2/oauth",
            data={"grant_type": "client_credentials"},
            headers=basic(shop.client_id, shop.client_secret),
        )

        token = assert_token(response)
        assert await order_count(client, {"Authorization": f"Bearer {token}"}) == 0

    async def test_the_parts_are_url_decoded_before_they_are_compared(
        self, client: httpx.AsyncClient, shop: Credentials
    ) -> None:
        # RFC 6749 §2.3.1: id and secret are form-urlencoded before they are joined with ':'.
        encoded_id = "".join(f"%{ord(char):02X}" for char in shop.client_id)
        encoded_secret = "".join(f"%{ord(char):02X}" for char in shop.client_secret)

        response = await client.post(
            "/v2/oauth", data={"grant_type": "client_credentials"}, headers=basic(encoded_id, encoded_secret)
        )

        assert_token(response)

    async def test_a_wrong_secret_in_http_basic_is_an_invalid_client(
        self, client: httpx.AsyncClient, shop: Credentials
    ) -> None:
        response = await client.post(
            "/v2/oauth", data={"grant_type": "client_credentials"}, headers=basic(shop.client_id, "nope")
        )

        assert_oauth_error(response, 401, "invalid_client")
        assert response.headers["www-authenticate"].startswith("Basic")

    async def test_http_basic_that_is_not_base64_is_an_invalid_client(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.post(
            "/v2/oauth",
            data={"grant_type": "client_credentials"},
            headers={"Authorization": "Basic not*base64!"},
        )

        assert_oauth_error(response, 401, "invalid_client")

    async def test_http_basic_and_form_credentials_together_are_an_invalid_request(
        self, client: httpx.AsyncClient, shop: Credentials
    ) -> None:
        response = await client.post(
            "/v2/oauth", data=form(shop), headers=basic(shop.client_id, shop.client_secret)
        )

        assert_oauth_error(response, 400, "invalid_request")


class TestRequestedScope:
    async def test_a_requested_subset_is_granted_in_the_canonical_order(
        self, client: httpx.AsyncClient, shop: Credentials
    ) -> None:
        response = await client.post("/v2/oauth", data=form(shop, scope="orders:track products:browse"))

        assert_token(response, scope="products:browse orders:track")

    async def test_an_unknown_scope_is_an_invalid_scope(
        self, client: httpx.AsyncClient, shop: Credentials
    ) -> None:
        response = await client.post("/v2/oauth", data=form(shop, scope="products:browse orders:delete"))

        body = assert_oauth_error(response, 400, "invalid_scope")
        assert "orders:delete" in body["error_description"]

    async def test_a_shop_cannot_ask_for_the_operator_scope(
        self, client: httpx.AsyncClient, shop: Credentials
    ) -> None:
        response = await client.post("/v2/oauth", data=form(shop, scope="operator"))

        assert_oauth_error(response, 400, "invalid_scope")


class TestTokenErrors:
    async def test_a_missing_grant_type_is_an_invalid_request(
        self, client: httpx.AsyncClient, shop: Credentials
    ) -> None:
        body = form(shop)
        del body["grant_type"]

        assert_oauth_error(await client.post("/v2/oauth", data=body), 400, "invalid_request")

    async def test_missing_credentials_are_an_invalid_request(self, client: httpx.AsyncClient) -> None:
        response = await client.post("/v2/oauth", data={"grant_type": "client_credentials"})

        assert_oauth_error(response, 400, "invalid_request")

    async def test_a_client_id_without_its_secret_is_an_invalid_request(
        self, client: httpx.AsyncClient, shop: Credentials
    ) -> None:
        response = await client.post(
            "/v2/oauth", data={"grant_type": "client_credentials", "client_id": shop.client_id}
        )

        assert_oauth_error(response, 400, "invalid_request")

    async def test_the_password_grant_is_an_unsupported_grant_type(
        self, client: httpx.AsyncClient, shop: Credentials
    ) -> None:
        response = await client.post("/v2/oauth", data=form(shop, grant_type="password"))

        assert_oauth_error(response, 400, "unsupported_grant_type")

    async def test_a_wrong_secret_is_an_invalid_client_with_a_basic_challenge(
        self, client: httpx.AsyncClient, shop: Credentials
    ) -> None:
        response = await client.post("/v2/oauth", data=form(shop, client_secret=shop.client_secret + "x"))

        assert_oauth_error(response, 401, "invalid_client")
        assert response.headers["www-authenticate"].startswith("Basic")

    async def test_an_unknown_client_is_an_invalid_client(
        self, client: httpx.AsyncClient, shop: Credentials
    ) -> None:
        response = await client.post("/v2/oauth", data=form(shop, client_id="test_" + "x" * 40))

        assert_oauth_error(response, 401, "invalid_client")
        assert response.headers["www-authenticate"].startswith("Basic")

    async def test_a_json_body_is_an_invalid_request(
        self, client: httpx.AsyncClient, shop: Credentials
    ) -> None:
        response = await client.post("/v2/oauth", json=form(shop))

        assert_oauth_error(response, 400, "invalid_request")

    async def test_an_empty_body_is_an_invalid_request(self, client: httpx.AsyncClient) -> None:
        response = await client.post("/v2/oauth")

        assert_oauth_error(response, 400, "invalid_request")

    async def test_a_get_is_not_allowed(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/v2/oauth")

        assert response.status_code == 405
