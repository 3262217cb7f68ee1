"""The operator API ``POST /v2/operator/accounts/{accountId}/orders/{orderId}/status`` (extension)."""

from __future__ import annotations

import httpx
import pytest

from printapi.auth.principal import Environment
from printapi.runtime import Runtime
from tests.api.helpers import assert_error, changes, place, status_of
from tests.conftest import Credentials, bearer, make_credentials, order_body

TRACKING = "https://postnl.nl/tracktrace/?B=3SABCD1234567"


@pytest.fixture
async def operator_headers(client: httpx.AsyncClient, runtime: Runtime) -> dict[str, str]:
    return await bearer(client, await make_credentials(runtime, role="operator"))


@pytest.fixture
async def live_headers(client: httpx.AsyncClient, runtime: Runtime, shop: Credentials) -> dict[str, str]:
    return await bearer(
        client, await make_credentials(runtime, email=shop.email, environment=Environment.LIVE)
    )


async def operate(
    client: httpx.AsyncClient, headers: dict[str, str], account_id: object, order_id: str, **body: str
) -> httpx.Response:
    return await client.post(
        f"/v2/operator/accounts/{account_id}/orders/{order_id}/status", json=body, headers=headers
    )


class TestOperatorMoves:
    async def test_an_operator_moves_a_shops_live_order_through_production(
        self,
        client: httpx.AsyncClient,
        shop: Credentials,
        live_headers: dict[str, str],
        operator_headers: dict[str, str],
    ) -> None:
        order = await place(client, live_headers, order_body())

        processing = await operate(
            client, operator_headers, shop.account_id, order["id"], status="Processing"
        )
        shipped = await operate(
            client, operator_headers, shop.account_id, order["id"], status="Shipped", trackingUrl=TRACKING
        )

        assert processing.status_code == 200, processing.text
        assert processing.text == f'{{"id":"{order["id"]}","order":"Processing"}}'
        assert shipped.status_code == 200, shipped.text
        seen_by_shop = (await client.get(f"/v2/orders/{order['id']}", headers=live_headers)).json()
        assert (seen_by_shop["status"], seen_by_shop["trackingUrl"]) == ("Shipped", TRACKING)
        assert [row["status"] for row in await changes(client, live_headers)] == [
            "Created",
            "Processing",
            "Shipped",
        ]

    async def test_an_operator_moves_a_test_order_too(
        self,
        client: httpx.AsyncClient,
        shop: Credentials,
        auth_headers: dict[str, str],
        operator_headers: dict[str, str],
    ) -> None:
        order = await place(client, auth_headers, order_body())

        response = await operate(client, operator_headers, shop.account_id, order["id"], status="Cancelled")

        assert response.status_code == 200, response.text
        assert await status_of(client, auth_headers, order["id"]) == "Cancelled"

    async def test_an_id_used_in_test_and_live_needs_the_environment(
        self,
        client: httpx.AsyncClient,
        shop: Credentials,
        auth_headers: dict[str, str],
        live_headers: dict[str, str],
        operator_headers: dict[str, str],
    ) -> None:
        await place(client, auth_headers, order_body(id="twin-1"))
        await place(client, live_headers, order_body(id="twin-1"))

        ambiguous = await operate(client, operator_headers, shop.account_id, "twin-1", status="Processing")
        chosen = await client.post(
            f"/v2/operator/accounts/{shop.account_id}/orders/twin-1/status?environment=live",
            json={"status": "Processing"},
            headers=operator_headers,
        )

        assert_error(ambiguous, 409)
        assert chosen.status_code == 200, chosen.text
        assert await status_of(client, live_headers, "twin-1") == "Processing"
        assert await status_of(client, auth_headers, "twin-1") == "Created"

    async def test_an_illegal_move_is_forbidden_and_changes_nothing(
        self,
        client: httpx.AsyncClient,
        shop: Credentials,
        live_headers: dict[str, str],
        operator_headers: dict[str, str],
    ) -> None:
        order = await place(client, live_headers, order_body())

        response = await operate(client, operator_headers, shop.account_id, order["id"], status="Shipped")

        assert_error(response, 403)
        assert await status_of(client, live_headers, order["id"]) == "Created"
        assert len(await changes(client, live_headers)) == 1

    async def test_a_tracking_url_before_shipping_is_refused(
        self,
        client: httpx.AsyncClient,
        shop: Credentials,
        live_headers: dict[str, str],
        operator_headers: dict[str, str],
    ) -> None:
        order = await place(client, live_headers, order_body())

        response = await operate(
            client, operator_headers, shop.account_id, order["id"], status="Processing", trackingUrl=TRACKING
        )

        assert_error(response, 400, field="trackingUrl")
        assert await status_of(client, live_headers, order["id"]) == "Created"

    async def test_a_tracking_url_before_shipping_is_named_with_a_reason_too_long(
        self,
        client: httpx.AsyncClient,
        shop: Credentials,
        live_headers: dict[str, str],
        operator_headers: dict[str, str],
    ) -> None:
        order = await place(client, live_headers, order_body())

        response = await operate(
            client,
            operator_headers,
            shop.account_id,
            order["id"],
            status="Processing",
            trackingUrl=TRACKING,
            reason="r" * 501,
        )

        error = assert_error(response, 400)
        assert [e["field"] for e in error["errors"]] == ["trackingUrl", "reason"]
        assert await status_of(client, live_headers, order["id"]) == "Created"
        assert len(await changes(client, live_headers)) == 1


class TestOperatorLookups:
    async def test_an_unknown_order_is_not_found(
        self, client: httpx.AsyncClient, shop: Credentials, operator_headers: dict[str, str]
    ) -> None:
        assert_error(
            await operate(client, operator_headers, shop.account_id, "12345678", status="Processing"), 404
        )

    async def test_an_order_under_the_wrong_account_is_not_found(
        self,
        client: httpx.AsyncClient,
        runtime: Runtime,
        live_headers: dict[str, str],
        operator_headers: dict[str, str],
    ) -> None:
        order = await place(client, live_headers, order_body())
        other = await make_credentials(runtime)

        response = await operate(client, operator_headers, other.account_id, order["id"], status="Processing")

        assert_error(response, 404)
        assert await status_of(client, live_headers, order["id"]) == "Created"

    async def test_an_unknown_account_is_not_found(
        self, client: httpx.AsyncClient, live_headers: dict[str, str], operator_headers: dict[str, str]
    ) -> None:
        order = await place(client, live_headers, order_body())

        assert_error(await operate(client, operator_headers, 999999, order["id"], status="Processing"), 404)

    async def test_an_account_id_that_is_not_a_number_is_refused(
        self, client: httpx.AsyncClient, operator_headers: dict[str, str]
    ) -> None:
        assert_error(await operate(client, operator_headers, "shop", "12345678", status="Processing"), 400)

    async def test_an_unknown_status_is_refused(
        self, client: httpx.AsyncClient, shop: Credentials, operator_headers: dict[str, str]
    ) -> None:
        response = await operate(client, operator_headers, shop.account_id, "12345678", status="Delivered")

        assert_error(response, 400, field="status")


class TestOperatorAccess:
    async def test_a_shop_token_is_forbidden_and_moves_nothing(
        self,
        client: httpx.AsyncClient,
        shop: Credentials,
        live_headers: dict[str, str],
        auth_headers: dict[str, str],
    ) -> None:
        order = await place(client, live_headers, order_body())

        for headers in (auth_headers, live_headers):
            response = await operate(client, headers, shop.account_id, order["id"], status="Processing")
            body = assert_error(response, 403)
            assert "operator" in body["message"]
        assert await status_of(client, live_headers, order["id"]) == "Created"

    async def test_an_operator_token_without_the_operator_scope_is_forbidden(
        self, client: httpx.AsyncClient, runtime: Runtime, shop: Credentials, live_headers: dict[str, str]
    ) -> None:
        operator = await make_credentials(runtime, role="operator")
        token = await client.post(
            "/v2/oauth",
            data={
                "grant_type": "client_credentials",
                "client_id": operator.client_id,
                "client_secret": operator.client_secret,
                "scope": "orders:track",
            },
        )
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        order = await place(client, live_headers, order_body())

        assert_error(await operate(client, headers, shop.account_id, order["id"], status="Processing"), 403)

    async def test_no_token_is_unauthenticated(self, client: httpx.AsyncClient, shop: Credentials) -> None:
        response = await operate(client, {}, shop.account_id, "12345678", status="Processing")

        assert_error(response, 401)
        assert response.headers["www-authenticate"] == "Bearer"
