"""Coupons (spec §3.10): made by operators, quoted by shops, redeemed by orders on the payment screen."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx
import pytest

from printapi.kit.clock import FixedClock
from tests.api.helpers import assert_error, order_count
from tests.conftest import address, book_item, order_body
from tests.payments.conftest import BOOK_ORDER_AMOUNT, place

# The conftest clock stands at 2025-03-29T21:40:20 local time.
FUTURE = "2025-06-30T00:00:00"
PAST = "2025-03-01T00:00:00"


async def create(client: httpx.AsyncClient, operator: dict[str, str], **coupon: Any) -> dict[str, Any]:
    response = await client.post("/v2/operator/coupons", json=coupon, headers=operator)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def quote(client: httpx.AsyncClient, headers: dict[str, str], **body: Any) -> httpx.Response:
    return await client.post("/v2/coupons/quote", json=body, headers=headers)


async def used(client: httpx.AsyncClient, operator: dict[str, str], code: str) -> int:
    response = await client.get("/v2/operator/coupons", headers=operator)
    assert response.status_code == 200, response.text
    count: int = next(c for c in response.json()["results"] if c["code"] == code)["used"]
    return count


class TestOperatorsMakeCoupons:
    async def test_an_operator_creates_a_percentage_coupon(
        self, client: httpx.AsyncClient, operator_headers: dict[str, str]
    ) -> None:
        coupon = await create(
            client,
            operator_headers,
            code="ZOMER10",
            type="Percentage",
            scope="Products",
            percentage=10,
            expirationDateTime=FUTURE,
            usageLimit=100,
        )

        assert coupon == {
            "code": "ZOMER10",
            "expirationDateTime": FUTURE,
            "type": "Percentage",
            "scope": "Products",
            "percentage": 10,
            "usageLimit": 100,
            "used": 0,
        }

    async def test_an_operator_creates_an_amount_coupon_and_lists_it(
        self, client: httpx.AsyncClient, operator_headers: dict[str, str]
    ) -> None:
        await create(client, operator_headers, code="VIJF", type="Amount", scope="Total", amount=5.00)

        listed = (await client.get("/v2/operator/coupons", headers=operator_headers)).json()["results"]

        assert [(c["code"], c["type"], c["scope"], c["amount"]) for c in listed] == [
            ("VIJF", "Amount", "Total", 5.00)
        ]

    async def test_a_shop_cannot_create_coupons(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        response = await client.post(
            "/v2/operator/coupons",
            json={"code": "GRATIS", "type": "Percentage", "percentage": 100},
            headers=auth_headers,
        )

        assert_error(response, 403)
        assert (await quote(client, auth_headers, code="GRATIS")).status_code == 404

    @pytest.mark.parametrize(
        "coupon",
        [
            {"type": "Percentage", "percentage": 0},
            {"type": "Percentage", "percentage": 101},
            {"type": "Percentage", "percentage": 10, "amount": 1.00},
            {"type": "Amount"},
            {"type": "Amount", "amount": 0},
            {"type": "Amount", "amount": -5},
            {"type": "Amount", "amount": 5, "usageLimit": 0},
            {"type": "Amount", "amount": 5, "expirationDateTime": "next tuesday"},
            {"type": "Gift", "amount": 5},
            {"type": "Amount", "amount": 5, "scope": "Everything"},
        ],
        ids=lambda coupon: "-".join(f"{k}={v}" for k, v in coupon.items()),
    )
    async def test_a_bad_coupon_is_400_and_not_made(
        self,
        client: httpx.AsyncClient,
        operator_headers: dict[str, str],
        auth_headers: dict[str, str],
        coupon: dict[str, Any],
    ) -> None:
        response = await client.post(
            "/v2/operator/coupons", json={"code": "SLECHT", **coupon}, headers=operator_headers
        )

        assert_error(response, 400)
        assert (await quote(client, auth_headers, code="SLECHT")).status_code == 404

    async def test_every_problem_of_a_new_coupon_is_one_400(
        self, client: httpx.AsyncClient, operator_headers: dict[str, str], auth_headers: dict[str, str]
    ) -> None:
        body = {
            "code": "MET SPATIE",
            "type": "Amount",
            "amount": 0,
            "expirationDateTime": "next tuesday",
            "usageLimit": "veel",
        }

        response = await client.post("/v2/operator/coupons", json=body, headers=operator_headers)

        error = assert_error(response, 400)
        assert error["errors"] == [
            {"field": "code", "message": "1-64 letters, digits, - or _"},
            {"field": "amount", "message": "an Amount coupon needs a positive amount and no percentage"},
            {"field": "expirationDateTime", "message": "expected a date/time such as 2025-03-24T13:00:00"},
            {"field": "usageLimit", "message": "Input should be a valid integer"},
        ]
        assert (await quote(client, auth_headers, code="MET SPATIE")).status_code == 404

    async def test_an_unknown_type_is_named_with_a_bad_code_and_a_usage_limit_below_one(
        self, client: httpx.AsyncClient, operator_headers: dict[str, str]
    ) -> None:
        body = {"code": "a/b", "type": "Gift", "amount": 5, "usageLimit": 0}

        response = await client.post("/v2/operator/coupons", json=body, headers=operator_headers)

        error = assert_error(response, 400)
        assert [e["field"] for e in error["errors"]] == ["code", "type", "usageLimit"]

    async def test_a_code_that_exists_is_409_and_keeps_the_first_coupon(
        self, client: httpx.AsyncClient, operator_headers: dict[str, str], auth_headers: dict[str, str]
    ) -> None:
        await create(client, operator_headers, code="TWEE", type="Percentage", percentage=10)

        response = await client.post(
            "/v2/operator/coupons",
            json={"code": "TWEE", "type": "Amount", "amount": 9},
            headers=operator_headers,
        )

        assert_error(response, 409)
        assert (await quote(client, auth_headers, code="TWEE")).json()["type"] == "Percentage"


class TestQuotingACoupon:
    async def test_it_answers_with_the_spec_members_and_no_calculation_without_both_amounts(
        self, client: httpx.AsyncClient, operator_headers: dict[str, str], auth_headers: dict[str, str]
    ) -> None:
        await create(
            client,
            operator_headers,
            code="ZOMER10",
            type="Percentage",
            percentage=10,
            expirationDateTime=FUTURE,
        )

        bare = await quote(client, auth_headers, code="ZOMER10")
        one_amount = await quote(client, auth_headers, code="ZOMER10", productsAmount=10.00)

        assert bare.status_code == 200, bare.text
        assert bare.json() == {
            "expirationDateTime": FUTURE,
            "state": "Valid",
            "type": "Percentage",
            "scope": "Products",
            "percentage": 10,
        }
        assert "calculated" not in one_amount.json()

    @pytest.mark.parametrize(
        ("scope", "calculated"),
        [("Products", 1.00), ("Total", 1.30)],  # 10 % of 10.00; 10 % of 12.95 = 1.295, rounded half up
    )
    async def test_a_percentage_is_of_the_products_or_of_everything(
        self,
        client: httpx.AsyncClient,
        operator_headers: dict[str, str],
        auth_headers: dict[str, str],
        scope: str,
        calculated: float,
    ) -> None:
        await create(client, operator_headers, code="PROCENT", type="Percentage", scope=scope, percentage=10)

        response = await quote(
            client, auth_headers, code="PROCENT", productsAmount=10.00, shippingAmount=2.95
        )

        assert response.json()["calculated"] == calculated

    @pytest.mark.parametrize(
        ("scope", "products", "calculated"),
        [
            ("Products", 20.00, 7.50),
            ("Products", 5.00, 5.00),  # capped at the products
            ("Total", 5.00, 7.50),  # 5.00 + 2.95 covers it
            ("Total", 3.00, 5.95),  # capped at products + shipping
        ],
    )
    async def test_an_amount_is_capped_at_what_it_covers(
        self,
        client: httpx.AsyncClient,
        operator_headers: dict[str, str],
        auth_headers: dict[str, str],
        scope: str,
        products: float,
        calculated: float,
    ) -> None:
        await create(client, operator_headers, code="BEDRAG", type="Amount", scope=scope, amount=7.50)

        response = await quote(
            client, auth_headers, code="BEDRAG", productsAmount=products, shippingAmount=2.95
        )

        body = response.json()
        assert (body["amount"], body["calculated"]) == (7.50, calculated)
        assert "percentage" not in body

    async def test_an_unknown_code_is_404(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        assert_error(await quote(client, auth_headers, code="BESTAATNIET"), 404)

    @pytest.mark.parametrize(
        "body", [{"code": ""}, {"code": "x" * 65}, {"code": "A", "productsAmount": -1}, {}]
    )
    async def test_bad_input_is_400(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str], body: dict[str, Any]
    ) -> None:
        assert_error(await client.post("/v2/coupons/quote", json=body, headers=auth_headers), 400)

    async def test_a_coupon_past_its_expiry_is_expired(
        self, client: httpx.AsyncClient, operator_headers: dict[str, str], auth_headers: dict[str, str]
    ) -> None:
        await create(
            client, operator_headers, code="OUD", type="Percentage", percentage=10, expirationDateTime=PAST
        )

        body = (await quote(client, auth_headers, code="OUD")).json()

        assert (body["state"], body["expirationDateTime"]) == ("Expired", PAST)

    async def test_a_coupon_expires_when_the_clock_passes_its_date(
        self,
        client: httpx.AsyncClient,
        operator_headers: dict[str, str],
        auth_headers: dict[str, str],
        clock: FixedClock,
    ) -> None:
        await create(
            client,
            operator_headers,
            code="BIJNA",
            type="Percentage",
            percentage=10,
            expirationDateTime="2025-03-29T22:00:00",
        )
        before = (await quote(client, auth_headers, code="BIJNA")).json()["state"]
        clock.advance(timedelta(minutes=20))

        after = (await quote(client, auth_headers, code="BIJNA")).json()["state"]

        assert (before, after) == ("Valid", "Expired")


class TestAnOrderWithACoupon:
    async def test_the_discount_comes_off_the_checkout_amount_and_shows_in_the_invoice(
        self, client: httpx.AsyncClient, operator_headers: dict[str, str], paying_headers: dict[str, str]
    ) -> None:
        await create(client, operator_headers, code="ZOMER10", type="Percentage", percentage=10, usageLimit=5)

        order = await place(client, paying_headers, coupon="ZOMER10")

        # 10 % of the books' 18.72 is 1.87; the invoice shows it without VAT: 1.87 / 1.09 = 1.72.
        assert order["checkout"]["amount"] == round(BOOK_ORDER_AMOUNT - 1.87, 2)
        discount = order["invoice"]["discount"]
        assert discount == {"cost": 1.72, "taxes": [{"rate": 0.09, "amount": 0.15, "calculatedOver": 1.72}]}
        assert order["invoice"]["total"]["cost"] == round(14.51 - 1.72, 2)
        assert await used(client, operator_headers, "ZOMER10") == 1

    async def test_a_total_amount_coupon_takes_from_shipping_too(
        self, client: httpx.AsyncClient, operator_headers: dict[str, str], paying_headers: dict[str, str]
    ) -> None:
        await client.patch(
            "/v2/account", json={"consumerShipping": {"rule": "flat", "flat": 5.00}}, headers=paying_headers
        )
        await create(client, operator_headers, code="ALLES", type="Amount", scope="Total", amount=30.00)

        order = await place(client, paying_headers, coupon="ALLES")

        # 30.00 is capped at everything the customer pays: 18.72 + 5.00.
        assert order["checkout"]["amount"] == 0.0

    async def test_without_the_payment_screen_a_coupon_is_not_used(
        self, client: httpx.AsyncClient, operator_headers: dict[str, str], auth_headers: dict[str, str]
    ) -> None:
        await create(client, operator_headers, code="ZOMER10", type="Percentage", percentage=10, usageLimit=1)

        order = await place(client, auth_headers, coupon="ZOMER10")

        assert order["invoice"]["discount"]["cost"] == 0.0
        assert await used(client, operator_headers, "ZOMER10") == 0

    @pytest.mark.parametrize(
        ("coupon", "code"),
        [
            ({"code": "OP", "type": "Percentage", "percentage": 10, "usageLimit": 1}, "OP"),
            ({"code": "OUD", "type": "Percentage", "percentage": 10, "expirationDateTime": PAST}, "OUD"),
            ({"code": "ERGENS", "type": "Percentage", "percentage": 10}, "NERGENS"),
        ],
        ids=["used up", "expired", "unknown"],
    )
    async def test_a_coupon_that_cannot_be_used_is_400_and_nothing_is_written(
        self,
        client: httpx.AsyncClient,
        operator_headers: dict[str, str],
        paying_headers: dict[str, str],
        coupon: dict[str, Any],
        code: str,
    ) -> None:
        await create(client, operator_headers, **coupon)
        if coupon.get("usageLimit") == 1:
            await place(client, paying_headers, coupon=code)
        orders_before = await order_count(client, paying_headers)
        used_before = await used(client, operator_headers, coupon["code"])

        response = await client.post("/v2/orders", json=order_body(coupon=code), headers=paying_headers)

        assert_error(response, 400, field="coupon")
        assert await order_count(client, paying_headers) == orders_before
        assert await used(client, operator_headers, coupon["code"]) == used_before

    async def test_an_unknown_coupon_is_named_with_the_other_problems_of_the_order(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str]
    ) -> None:
        body = order_body(
            book_item(productId="boek_xx"), shipping={"address": address(name=" ")}, coupon="NERGENS"
        )

        error = assert_error(await client.post("/v2/orders", json=body, headers=paying_headers), 400)

        assert error["errors"] == [
            {"field": "items[0].productId", "message": "unknown product 'boek_xx'"},
            {"field": "shipping.address.name", "message": "must not be blank"},
            {"field": "coupon", "message": "coupon 'NERGENS' does not exist"},
        ]
        assert await order_count(client, paying_headers) == 0

    async def test_a_refused_order_does_not_use_its_valid_coupon(
        self, client: httpx.AsyncClient, operator_headers: dict[str, str], paying_headers: dict[str, str]
    ) -> None:
        await create(client, operator_headers, code="GELDIG", type="Amount", amount=2.00, usageLimit=1)
        body = order_body(shipping={"address": address(country="XX")}, coupon="GELDIG")

        response = await client.post("/v2/orders", json=body, headers=paying_headers)

        error = assert_error(response, 400)
        assert [e["field"] for e in error["errors"]] == ["shipping.address.country"]
        assert await used(client, operator_headers, "GELDIG") == 0

    async def test_a_used_up_coupon_quotes_as_used_up(
        self, client: httpx.AsyncClient, operator_headers: dict[str, str], paying_headers: dict[str, str]
    ) -> None:
        await create(client, operator_headers, code="EENMAAL", type="Amount", amount=2.00, usageLimit=1)
        await place(client, paying_headers, coupon="EENMAAL")

        assert (await quote(client, paying_headers, code="EENMAAL")).json()["state"] == "UsedUp"

    async def test_an_order_refused_for_another_reason_does_not_use_the_coupon(
        self, client: httpx.AsyncClient, operator_headers: dict[str, str], paying_headers: dict[str, str]
    ) -> None:
        await create(client, operator_headers, code="EENMAAL", type="Amount", amount=2.00, usageLimit=1)
        await place(client, paying_headers, id="shop-1")

        duplicate = await client.post(
            "/v2/orders", json=order_body(id="shop-1", coupon="EENMAAL"), headers=paying_headers
        )

        assert_error(duplicate, 409)
        assert await used(client, operator_headers, "EENMAAL") == 0
        assert (await place(client, paying_headers, coupon="EENMAAL"))["checkout"]["amount"] == round(
            BOOK_ORDER_AMOUNT - 2, 2
        )


class TestTheLastUseOfACoupon:
    async def test_two_orders_at_once_get_it_once(
        self, client: httpx.AsyncClient, operator_headers: dict[str, str], paying_headers: dict[str, str]
    ) -> None:
        await create(client, operator_headers, code="LAATSTE", type="Amount", amount=5.00, usageLimit=2)
        await place(client, paying_headers, coupon="LAATSTE")

        responses = await asyncio.gather(
            *(
                client.post("/v2/orders", json=order_body(coupon="LAATSTE"), headers=paying_headers)
                for _ in range(2)
            )
        )

        assert sorted(response.status_code for response in responses) == [201, 400]
        assert await used(client, operator_headers, "LAATSTE") == 2
        assert await order_count(client, paying_headers) == 2
