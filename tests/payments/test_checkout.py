"""Orders on the payment screen (spec §3.3 ``checkout``) and their checkout setup (spec §3.9)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from printapi.runtime import Runtime
from tests.api.helpers import assert_error
from tests.conftest import bearer, book_item, make_credentials
from tests.payments.conftest import (
    BOOK_ORDER_AMOUNT,
    RETURN_URL,
    checkout_body,
    history,
    path_of,
    place,
    read_order,
    set_up,
    statuses,
    switch_payment_screen,
)

PUBLIC = "http://testserver"


def checkout_path(order: dict[str, Any]) -> str:
    return path_of(order["checkout"]["setupUrl"])


async def get_checkout(
    client: httpx.AsyncClient, headers: dict[str, str], order: dict[str, Any]
) -> httpx.Response:
    return await client.get(checkout_path(order), headers=headers)


class TestAnOrderOnThePaymentScreen:
    async def test_it_carries_checkout_right_after_production_speed_and_is_not_invoiced(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str]
    ) -> None:
        order = await place(client, paying_headers)

        members = list(order)
        assert members.index("checkout") == members.index("productionSpeed") + 1
        assert list(order["checkout"]) == ["amount", "setupUrl"]
        assert order["checkout"]["amount"] == BOOK_ORDER_AMOUNT
        assert order["checkout"]["setupUrl"].startswith(f"{PUBLIC}/v2/checkout/")
        assert order["invoicingState"] == "NotIncluded"
        # The invoice stays the shop's purchase prices.
        assert order["invoice"]["total"]["cost"] == 14.51

    async def test_the_amount_is_consumer_prices_plus_consumer_shipping(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str]
    ) -> None:
        two_matte_books = book_item(
            pageCount=40, quantity=2, options=[{"id": "cover_finish", "value": "laminate_matte"}]
        )

        order = await place(client, paying_headers, items=[two_matte_books])

        # 2 × (15.20 + 16 × 0.44 + 4.80) = 54.08; two books go as a letterbox parcel (4.15).
        assert order["checkout"]["amount"] == 58.23

    async def test_custom_prices_and_the_flat_shipping_rule_make_the_amount(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str]
    ) -> None:
        prices = {
            "checkout": {"base": 20.00, "perExtraPage": 0.50},
            "options": [{"id": "cover_finish", "value": "laminate_matte", "checkout": {"base": 2.50}}],
        }
        await client.put("/v2/account/prices/boek_hc_a5_sta", json=prices, headers=paying_headers)
        await client.patch(
            "/v2/account", json={"consumerShipping": {"rule": "flat", "flat": 1.95}}, headers=paying_headers
        )
        matte = book_item(options=[{"id": "cover_finish", "value": "laminate_matte"}])

        order = await place(client, paying_headers, items=[matte])

        # 20.00 + 8 × 0.50 + 2.50 + 1.95
        assert order["checkout"]["amount"] == 28.45

    async def test_express_adds_its_surcharge_to_the_consumer_price_of_the_products(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str]
    ) -> None:
        order = await place(client, paying_headers, productionSpeed="Express")

        # 18.72 × 1.25 = 23.40, plus 4.15 shipping.
        assert order["checkout"]["amount"] == 27.55

    async def test_free_shipping_leaves_only_the_products(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str]
    ) -> None:
        await client.patch("/v2/account", json={"consumerShipping": {"rule": "free"}}, headers=paying_headers)

        order = await place(client, paying_headers)

        assert order["checkout"]["amount"] == 18.72

    async def test_reading_it_back_shows_the_same_checkout(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str]
    ) -> None:
        order = await place(client, paying_headers)

        again = await read_order(client, paying_headers, order["id"])

        assert again["checkout"] == order["checkout"]
        assert await statuses(client, paying_headers, order["id"]) == {"id": order["id"], "order": "Created"}


class TestAnOrderWithoutThePaymentScreen:
    async def test_it_has_no_checkout_and_is_invoiced(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        order = await place(client, auth_headers)

        assert "checkout" not in order
        assert order["invoicingState"] == "Included"

    async def test_switching_the_screen_on_later_does_not_give_it_a_checkout(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        order = await place(client, auth_headers)
        await switch_payment_screen(client, auth_headers, on=True)

        assert "checkout" not in await read_order(client, auth_headers, order["id"])

    async def test_switching_the_screen_off_later_keeps_the_checkout_of_an_earlier_order(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str]
    ) -> None:
        order = await place(client, paying_headers)
        await switch_payment_screen(client, paying_headers, on=False)

        checkout = await set_up(client, paying_headers, order)

        assert (await read_order(client, paying_headers, order["id"]))["checkout"]["setupUrl"] == order[
            "checkout"
        ]["setupUrl"]
        assert checkout["status"] == "Open"


class TestSettingUpTheCheckout:
    async def test_it_answers_201_with_location_and_the_body_of_the_spec(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str]
    ) -> None:
        order = await place(client, paying_headers)

        response = await client.post(checkout_path(order), json=checkout_body(), headers=paying_headers)

        assert response.status_code == 201, response.text
        assert response.headers["location"] == order["checkout"]["setupUrl"]
        body = response.json()
        assert list(body) == ["amount", "status", "paymentUrl", "returnUrl", "billing"]
        assert body["amount"] == BOOK_ORDER_AMOUNT
        assert body["status"] == "Open"
        assert body["paymentUrl"].startswith(f"{PUBLIC}/v2/payments/")
        assert body["paymentUrl"].endswith("/start")
        assert body["returnUrl"] == RETURN_URL
        assert body["billing"] == {
            "address": {
                "email": "klant@example.nl",
                "name": "K. Klant",
                "line1": "Dorpsstraat 1",
                "postCode": "1234 AB",
                "city": "Amersfoort",
                "country": "NL",
            }
        }

    async def test_a_billing_address_without_email_leaves_it_out(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str]
    ) -> None:
        order = await place(client, paying_headers)
        body = checkout_body()
        del body["billing"]["address"]["email"]

        response = await client.post(checkout_path(order), json=body, headers=paying_headers)

        assert response.status_code == 201, response.text
        assert "email" not in response.json()["billing"]["address"]

    async def test_get_checkout_gives_the_same_body(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str]
    ) -> None:
        order = await place(client, paying_headers)
        posted = await set_up(client, paying_headers, order)

        response = await get_checkout(client, paying_headers, order)

        assert response.status_code == 200, response.text
        assert response.json() == posted

    async def test_get_checkout_before_setup_is_404(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str]
    ) -> None:
        order = await place(client, paying_headers)

        assert_error(await get_checkout(client, paying_headers, order), 404)

    async def test_the_order_and_its_status_then_show_the_payment(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str]
    ) -> None:
        order = await place(client, paying_headers)
        checkout = await set_up(client, paying_headers, order)

        again = await read_order(client, paying_headers, order["id"])

        assert again["checkout"] == {
            "status": "Open",
            "amount": BOOK_ORDER_AMOUNT,
            "paymentUrl": checkout["paymentUrl"],
            "setupUrl": order["checkout"]["setupUrl"],
        }
        assert await statuses(client, paying_headers, order["id"]) == {
            "id": order["id"],
            "order": "Created",
            "payment": "Open",
        }

    async def test_setting_it_up_writes_no_status_change(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str]
    ) -> None:
        order = await place(client, paying_headers)

        await set_up(client, paying_headers, order)

        assert await history(client, paying_headers) == ["Created"]

    async def test_a_second_post_while_open_updates_billing_and_return_url_and_keeps_the_payment(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str]
    ) -> None:
        order = await place(client, paying_headers)
        first = await set_up(client, paying_headers, order)

        second = await set_up(
            client, paying_headers, order, return_url="https://shop.example.nl/again", name="P. Ander"
        )

        assert second["paymentUrl"] == first["paymentUrl"]
        assert second["returnUrl"] == "https://shop.example.nl/again"
        assert second["billing"]["address"]["name"] == "P. Ander"
        assert (await get_checkout(client, paying_headers, order)).json() == second


RETURN_URLS = {
    "not http(s)": "ftp://shop.example.nl/paid",
    "javascript": "javascript:alert(1)",
    "4 characters": "http",
    "513 characters": "https://shop.example.nl/" + "x" * (513 - len("https://shop.example.nl/")),
}


class TestBadSetupChangesNothing:
    @pytest.mark.parametrize("return_url", RETURN_URLS.values(), ids=RETURN_URLS.keys())
    async def test_a_bad_return_url_is_400_and_opens_no_payment(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str], return_url: str
    ) -> None:
        order = await place(client, paying_headers)

        response = await client.post(
            checkout_path(order), json=checkout_body(return_url=return_url), headers=paying_headers
        )

        assert_error(response, 400, field="returnUrl")
        assert_error(await get_checkout(client, paying_headers, order), 404)
        assert "payment" not in await statuses(client, paying_headers, order["id"])

    async def test_a_return_url_of_512_characters_is_accepted(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str]
    ) -> None:
        longest = "https://shop.example.nl/" + "x" * (512 - len("https://shop.example.nl/"))
        order = await place(client, paying_headers)

        checkout = await set_up(client, paying_headers, order, return_url=longest)

        assert checkout["returnUrl"] == longest

    async def test_a_bad_return_url_on_an_open_checkout_keeps_the_old_one(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str]
    ) -> None:
        order = await place(client, paying_headers)
        before = await set_up(client, paying_headers, order)

        response = await client.post(
            checkout_path(order),
            json=checkout_body(return_url="mailto:x@y.nl", name="Other"),
            headers=paying_headers,
        )

        assert_error(response, 400, field="returnUrl")
        assert (await get_checkout(client, paying_headers, order)).json() == before

    @pytest.mark.parametrize("missing", ["name", "line1", "postCode", "city", "country"])
    async def test_a_billing_address_without_a_required_field_is_400(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str], missing: str
    ) -> None:
        order = await place(client, paying_headers)
        body = checkout_body()
        del body["billing"]["address"][missing]

        response = await client.post(checkout_path(order), json=body, headers=paying_headers)

        assert_error(response, 400, field=f"billing.address.{missing}")
        assert_error(await get_checkout(client, paying_headers, order), 404)

    @pytest.mark.parametrize(
        ("override", "field"),
        [
            ({"country": "XX"}, "billing.address.country"),
            ({"country": "US", "state": "ZZ"}, "billing.address.state"),
            ({"email": "not-an-address"}, "billing.address.email"),
        ],
    )
    async def test_a_billing_address_breaking_the_order_address_rules_is_400(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str], override: dict[str, str], field: str
    ) -> None:
        order = await place(client, paying_headers)
        body = checkout_body(**override)

        response = await client.post(checkout_path(order), json=body, headers=paying_headers)

        assert_error(response, 400, field=field)
        assert_error(await get_checkout(client, paying_headers, order), 404)

    async def test_no_billing_at_all_is_400(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str]
    ) -> None:
        order = await place(client, paying_headers)

        response = await client.post(
            checkout_path(order), json={"returnUrl": RETURN_URL}, headers=paying_headers
        )

        assert_error(response, 400, field="billing")

    async def test_a_blank_name_an_unknown_country_a_bad_email_and_a_bad_return_url_are_one_400(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str]
    ) -> None:
        order = await place(client, paying_headers)
        body = checkout_body(return_url="ftp://shop.example.nl/paid", name=" ", country="XX", email="nope")

        response = await client.post(checkout_path(order), json=body, headers=paying_headers)

        error = assert_error(response, 400)
        assert error["errors"] == [
            {"field": "returnUrl", "message": "must be an http:// or https:// URL"},
            {"field": "billing.address.name", "message": "must not be blank"},
            {"field": "billing.address.country", "message": "'XX' is not an ISO 3166-1 alpha-2 country code"},
            {"field": "billing.address.email", "message": "is not an e-mail address"},
        ]
        assert error["message"] == "returnUrl: must be an http:// or https:// URL (and 3 more)"
        assert_error(await get_checkout(client, paying_headers, order), 404)

    async def test_a_subdivision_of_another_country_is_named_with_a_missing_city(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str]
    ) -> None:
        order = await place(client, paying_headers)
        body = checkout_body(country="US", state="ZZ")
        del body["billing"]["address"]["city"]

        response = await client.post(checkout_path(order), json=body, headers=paying_headers)

        error = assert_error(response, 400)
        assert [e["field"] for e in error["errors"]] == ["billing.address.city", "billing.address.state"]

    async def test_no_billing_and_a_bad_return_url_are_one_400(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str]
    ) -> None:
        order = await place(client, paying_headers)

        response = await client.post(checkout_path(order), json={"returnUrl": "http"}, headers=paying_headers)

        error = assert_error(response, 400)
        assert [e["field"] for e in error["errors"]] == ["returnUrl", "billing"]
        assert error["hints"] == ["Send billing: {address: {name, line1, postCode, city, country}}."]

    async def test_the_v1_billing_address_is_named_as_sent(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str]
    ) -> None:
        order = await place(client, paying_headers)
        address = checkout_body(name="", country="XX")["billing"]["address"]

        response = await client.post(
            "/v1" + checkout_path(order).removeprefix("/v2"),
            json={"returnUrl": RETURN_URL, "billingAddress": address},
            headers=paying_headers,
        )

        error = assert_error(response, 400)
        assert [e["field"] for e in error["errors"]] == ["billingAddress.name", "billingAddress.country"]
        assert_error(await get_checkout(client, paying_headers, order), 404)

    async def test_bad_input_is_400_before_an_unknown_code_is_404(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str]
    ) -> None:
        response = await client.post(
            "/v2/checkout/NoSuchCode0000000000", json=checkout_body(country="XX"), headers=paying_headers
        )

        assert_error(response, 400, field="billing.address.country")

    async def test_an_unknown_code_is_404(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str]
    ) -> None:
        response = await client.post(
            "/v2/checkout/NoSuchCode0000000000", json=checkout_body(), headers=paying_headers
        )

        assert_error(response, 404)
        assert_error(await client.get("/v2/checkout/NoSuchCode0000000000", headers=paying_headers), 404)

    async def test_another_accounts_checkout_is_404_to_post_and_to_read(
        self, client: httpx.AsyncClient, runtime: Runtime, paying_headers: dict[str, str]
    ) -> None:
        order = await place(client, paying_headers)
        await set_up(client, paying_headers, order)
        stranger = await bearer(client, await make_credentials(runtime))
        await switch_payment_screen(client, stranger, on=True)

        posted = await client.post(
            checkout_path(order), json=checkout_body(return_url="https://evil.example/x"), headers=stranger
        )
        read = await get_checkout(client, stranger, order)

        assert_error(posted, 404)
        assert_error(read, 404)
        assert (await get_checkout(client, paying_headers, order)).json()["returnUrl"] == RETURN_URL

    async def test_an_order_without_the_payment_screen_has_no_code_to_set_up(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        order = await place(client, auth_headers)
        await switch_payment_screen(client, auth_headers, on=True)

        # Its order id is not a setup code either.
        response = await client.post(
            f"/v2/checkout/{order['id']}", json=checkout_body(), headers=auth_headers
        )

        assert_error(response, 404)
        assert await statuses(client, auth_headers, order["id"]) == {"id": order["id"], "order": "Created"}

    async def test_after_the_order_was_cancelled_it_is_403(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str]
    ) -> None:
        order = await place(client, paying_headers)
        cancel = await client.post(
            f"/v2/orders/{order['id']}/status", json={"status": "Cancelled"}, headers=paying_headers
        )
        assert cancel.status_code == 200, cancel.text

        response = await client.post(checkout_path(order), json=checkout_body(), headers=paying_headers)

        assert_error(response, 403)
        assert_error(await get_checkout(client, paying_headers, order), 404)

    async def test_without_a_token_it_is_401(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str]
    ) -> None:
        order = await place(client, paying_headers)

        response = await client.post(checkout_path(order), json=checkout_body())

        assert response.status_code == 401, response.text
        assert_error(await get_checkout(client, paying_headers, order), 404)


class TestTheV1Alias:
    """v1 names the billing address ``billingAddress`` (architecture §7), in and out."""

    async def test_v1_takes_and_gives_billing_address(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str]
    ) -> None:
        order = await place(client, paying_headers)
        body = {"returnUrl": RETURN_URL, "billingAddress": checkout_body()["billing"]["address"]}

        response = await client.post(
            "/v1" + checkout_path(order).removeprefix("/v2"), json=body, headers=paying_headers
        )
        v2 = await get_checkout(client, paying_headers, order)

        assert response.status_code == 201, response.text
        assert response.json()["billingAddress"]["name"] == "K. Klant"
        assert "billing" not in response.json()
        assert v2.json()["billing"]["address"] == response.json()["billingAddress"]

    async def test_v2_accepts_the_v1_name_too_and_billing_wins(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str]
    ) -> None:
        order = await place(client, paying_headers)
        body = {**checkout_body(), "billingAddress": checkout_body(name="Someone Else")["billing"]["address"]}

        response = await client.post(checkout_path(order), json=body, headers=paying_headers)

        assert response.status_code == 201, response.text
        assert response.json()["billing"]["address"]["name"] == "K. Klant"
