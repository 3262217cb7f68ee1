"""The account's payment-screen settings (extension API): on/off, consumer prices, consumer shipping."""

from __future__ import annotations

from typing import Any

import httpx

from printapi.runtime import Runtime
from tests.api.helpers import assert_error
from tests.conftest import Credentials, bearer, make_credentials
from tests.payments.conftest import switch_payment_screen

BOOK = "boek_hc_a5_sta"
QUOTE = {"country": "NL", "items": [{"productId": BOOK, "pageCount": 32, "quantity": 1}]}


async def product(
    client: httpx.AsyncClient, headers: dict[str, str], product_id: str = BOOK
) -> dict[str, Any]:
    response = await client.get(f"/v2/products/{product_id}", headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def choice(body: dict[str, Any], option_id: str, value: str) -> dict[str, Any]:
    option = next(option for option in body["options"] if option["id"] == option_id)
    found: dict[str, Any] = next(c for c in option["choices"] if c["value"] == value)
    return found


async def shipping_payment(client: httpx.AsyncClient, headers: dict[str, str]) -> float:
    response = await client.post("/v2/shipping/quote", json=QUOTE, headers=headers)
    assert response.status_code == 200, response.text
    payment: float = response.json()["payment"]
    return payment


async def put_prices(
    client: httpx.AsyncClient, headers: dict[str, str], product_id: str, body: dict[str, Any]
) -> httpx.Response:
    return await client.put(f"/v2/account/prices/{product_id}", json=body, headers=headers)


CUSTOM = {
    "checkout": {"base": 19.95, "perExtraPage": 0.50},
    "options": [{"id": "cover_finish", "value": "laminate_matte", "checkout": {"base": 3.00}}],
}


class TestSwitchingThePaymentScreen:
    async def test_a_new_account_has_the_payment_screen_off(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        response = await client.get("/v2/account", headers=auth_headers)

        assert response.status_code == 200, response.text
        assert response.json()["paymentScreen"] is False
        assert response.json()["consumerShipping"] == {"rule": "method"}

    async def test_the_shops_own_token_switches_it_on_and_off(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        await switch_payment_screen(client, auth_headers, on=True)
        on = (await client.get("/v2/account", headers=auth_headers)).json()
        await switch_payment_screen(client, auth_headers, on=False)
        off = (await client.get("/v2/account", headers=auth_headers)).json()

        assert (on["paymentScreen"], off["paymentScreen"]) == (True, False)

    async def test_a_non_boolean_is_refused_and_changes_nothing(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        response = await client.patch("/v2/account", json={"paymentScreen": "yes"}, headers=auth_headers)

        assert_error(response, 400, field="paymentScreen")
        assert (await client.get("/v2/account", headers=auth_headers)).json()["paymentScreen"] is False

    async def test_a_token_without_the_webhooks_manage_scope_cannot_change_them(
        self, client: httpx.AsyncClient, shop: Credentials, auth_headers: dict[str, str]
    ) -> None:
        narrow = await client.post(
            "/v2/oauth",
            data={
                "grant_type": "client_credentials",
                "client_id": shop.client_id,
                "client_secret": shop.client_secret,
                "scope": "products:browse orders:place orders:track",
            },
        )
        assert narrow.status_code == 200, narrow.text
        headers = {"Authorization": f"Bearer {narrow.json()['access_token']}"}

        response = await client.patch("/v2/account", json={"paymentScreen": True}, headers=headers)

        assert_error(response, 403)
        assert (await client.get("/v2/account", headers=auth_headers)).json()["paymentScreen"] is False

    async def test_without_a_token_the_settings_cannot_be_changed(self, client: httpx.AsyncClient) -> None:
        response = await client.patch("/v2/account", json={"paymentScreen": True})

        assert response.status_code == 401, response.text


class TestProductsShowConsumerPrices:
    async def test_with_the_screen_off_products_have_no_checkout_price(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        body = await product(client, auth_headers)

        assert "checkout" not in body
        assert all("checkout" not in c for option in body["options"] for c in option["choices"])

    async def test_with_the_screen_on_the_product_and_every_choice_have_one(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str]
    ) -> None:
        body = await product(client, paying_headers)

        # The default: the purchase price with VAT and a margin, rounded up to friendly amounts.
        assert body["checkout"] == {"base": 15.20, "perExtraPage": 0.44}
        assert list(body).index("checkout") == list(body).index("cost") + 1
        assert choice(body, "cover_finish", "laminate_matte")["checkout"] == {
            "base": 4.80,
            "perExtraPage": 0.0,
        }
        assert choice(body, "cover_finish", "laminate_gloss")["checkout"] == {
            "base": 0.0,
            "perExtraPage": 0.0,
        }
        assert choice(body, "content_finish", "uv_gloss")["checkout"] == {"base": 3.50, "perExtraPage": 0.13}

    async def test_custom_prices_replace_the_defaults(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str]
    ) -> None:
        response = await put_prices(client, paying_headers, BOOK, CUSTOM)
        body = await product(client, paying_headers)

        assert response.status_code == 204, response.text
        assert body["checkout"] == {"base": 19.95, "perExtraPage": 0.50}
        assert choice(body, "cover_finish", "laminate_matte")["checkout"] == {
            "base": 3.00,
            "perExtraPage": 0.0,
        }
        assert choice(body, "content_finish", "uv_gloss")["checkout"] == {"base": 3.50, "perExtraPage": 0.13}

    async def test_custom_prices_are_the_accounts_own(
        self, client: httpx.AsyncClient, runtime: Runtime, paying_headers: dict[str, str]
    ) -> None:
        other = await bearer(client, await make_credentials(runtime))
        await switch_payment_screen(client, other, on=True)

        await put_prices(client, paying_headers, BOOK, CUSTOM)

        assert (await product(client, other))["checkout"] == {"base": 15.20, "perExtraPage": 0.44}


class TestBadPricesChangeNothing:
    async def test_an_unknown_product_is_404(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str]
    ) -> None:
        response = await put_prices(client, paying_headers, "boek_xx", CUSTOM)

        assert_error(response, 404)

    async def test_an_unknown_option_is_400_and_keeps_the_prices_that_were_set(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str]
    ) -> None:
        await put_prices(client, paying_headers, BOOK, CUSTOM)
        bad = {
            "checkout": {"base": 1.00},
            "options": [{"id": "spine", "value": "x", "checkout": {"base": 1}}],
        }

        response = await put_prices(client, paying_headers, BOOK, bad)

        assert_error(response, 400, field="options[0]")
        assert (await product(client, paying_headers))["checkout"] == {"base": 19.95, "perExtraPage": 0.50}

    async def test_an_unknown_choice_of_a_known_option_is_400(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str]
    ) -> None:
        bad = {
            "checkout": {"base": 1.00},
            "options": [{"id": "cover_finish", "value": "gold", "checkout": {"base": 1}}],
        }

        response = await put_prices(client, paying_headers, BOOK, bad)

        assert_error(response, 400, field="options[0]")
        assert (await product(client, paying_headers))["checkout"] == {"base": 15.20, "perExtraPage": 0.44}

    async def test_a_negative_price_is_400(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str]
    ) -> None:
        response = await put_prices(client, paying_headers, BOOK, {"checkout": {"base": -1.00}})

        assert_error(response, 400, field="checkout.base")
        assert (await product(client, paying_headers))["checkout"] == {"base": 15.20, "perExtraPage": 0.44}

    async def test_a_negative_price_is_named_with_an_unknown_option(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str]
    ) -> None:
        bad = {
            "checkout": {"base": -1.00},
            "options": [
                {"id": "spine", "value": "x", "checkout": {"base": 1}},
                {"id": "cover_finish", "value": "laminate_matte", "checkout": {"base": -2}},
            ],
        }

        response = await put_prices(client, paying_headers, BOOK, bad)

        error = assert_error(response, 400)
        assert [e["field"] for e in error["errors"]] == [
            "checkout.base",
            "options[0]",
            "options[1].checkout.base",
        ]
        assert error["errors"][1]["message"] == "spine=x is not an option"
        assert (await product(client, paying_headers))["checkout"] == {"base": 15.20, "perExtraPage": 0.44}

    async def test_a_negative_option_price_is_400(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str]
    ) -> None:
        bad = {
            "checkout": {"base": 9.00},
            "options": [
                {"id": "cover_finish", "value": "laminate_matte", "checkout": {"perExtraPage": 0, "base": -2}}
            ],
        }

        response = await put_prices(client, paying_headers, BOOK, bad)

        assert response.status_code == 400, response.text
        assert (await product(client, paying_headers))["checkout"] == {"base": 15.20, "perExtraPage": 0.44}


class TestTheShippingQuoteFillsPayment:
    async def test_the_method_rule_charges_the_methods_consumer_price(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str]
    ) -> None:
        assert await shipping_payment(client, paying_headers) == 4.15

    async def test_the_flat_rule_charges_the_flat_price(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str]
    ) -> None:
        response = await client.patch(
            "/v2/account", json={"consumerShipping": {"rule": "flat", "flat": 3.50}}, headers=paying_headers
        )

        assert response.status_code == 200, response.text
        assert response.json()["consumerShipping"] == {"rule": "flat", "flat": 3.50}
        assert await shipping_payment(client, paying_headers) == 3.50

    async def test_the_free_rule_charges_nothing(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str]
    ) -> None:
        await client.patch("/v2/account", json={"consumerShipping": {"rule": "free"}}, headers=paying_headers)

        assert await shipping_payment(client, paying_headers) == 0.0

    async def test_a_flat_rule_without_its_price_is_400_and_keeps_the_rule(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str]
    ) -> None:
        response = await client.patch(
            "/v2/account", json={"consumerShipping": {"rule": "flat"}}, headers=paying_headers
        )

        assert_error(response, 400, field="consumerShipping.flat")
        assert await shipping_payment(client, paying_headers) == 4.15

    async def test_every_problem_of_the_settings_is_one_400_and_nothing_changes(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str]
    ) -> None:
        before = (await client.get("/v2/account", headers=paying_headers)).json()
        body = {"paymentScreen": "no", "notificationEmail": "nope", "consumerShipping": {"rule": "flat"}}

        response = await client.patch("/v2/account", json=body, headers=paying_headers)

        error = assert_error(response, 400)
        assert error["errors"] == [
            {"field": "paymentScreen", "message": "Input should be a valid boolean"},
            {"field": "notificationEmail", "message": "is not an e-mail address"},
            {"field": "consumerShipping.flat", "message": "is required for the flat rule"},
        ]
        assert (await client.get("/v2/account", headers=paying_headers)).json() == before

    async def test_an_unknown_rule_or_a_negative_flat_price_is_400(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str]
    ) -> None:
        unknown = await client.patch(
            "/v2/account", json={"consumerShipping": {"rule": "cheap"}}, headers=paying_headers
        )
        negative = await client.patch(
            "/v2/account", json={"consumerShipping": {"rule": "flat", "flat": -1}}, headers=paying_headers
        )

        assert unknown.status_code == 400, unknown.text
        assert negative.status_code == 400, negative.text
        assert await shipping_payment(client, paying_headers) == 4.15
