"""``POST /v2/orders/estimate`` (extension): what placing the same body would make, writing nothing.

The estimate and the order are made by one computation (``orders/priced.py``); these tests hold
the answers side by side for a table of products, options, speeds, countries and coupons, with the
payment screen off and on, and count every table's rows around estimates, good and bad.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from printapi.models import Base
from printapi.runtime import Runtime
from tests.api.helpers import assert_error
from tests.conftest import address, bearer, book_item, make_credentials, order_body

POSTER = {"productId": "poster_a3_sta", "quantity": 2}
CANVAS = {"productId": "canvas_20x20", "quantity": 1, "options": [{"id": "ophangsysteem", "value": "blind"}]}
CARDS = {"productId": "kaart_dubbel_10x10", "quantity": 25}
FANCY_BOOK = book_item(
    pageCount=40,
    quantity=3,
    options=[
        {"id": "cover_finish", "value": "laminate_matte"},
        {"id": "content_finish", "value": "uv_gloss"},
    ],
)

# (case, body, coupon terms or None): the payment screen is on exactly when a coupon is given
# or the case says "screen".
CASES: list[tuple[str, dict[str, Any], dict[str, Any] | None, bool]] = [
    ("one book to NL", order_body(book_item()), None, False),
    ("a book with options, express, to BE", order_body(FANCY_BOOK, productionSpeed="Express",
        shipping={"address": address(country="BE", postCode="1000", city="Brussel")}), None, False),
    ("mixed tax rates to DE", order_body(book_item(), POSTER, CANVAS,
        shipping={"address": address(country="DE", postCode="10115", city="Berlin")}), None, False),
    ("cards, tracked, to CH", order_body(CARDS,
        shipping={"address": address(country="CH", postCode="8001", city="Zürich"), "preference": "Tracked"}),
        None, False),
    ("posters to JP", order_body(POSTER, shipping={"address": address(country="JP", postCode="100-0001",
        city="Tokyo")}), None, False),
    ("the payment screen, no coupon", order_body(book_item(), POSTER), None, True),
    ("a percentage coupon on the products", order_body(FANCY_BOOK, CANVAS, coupon="ZOMER10"),
        {"type": "Percentage", "percentage": 10, "scope": "Products"}, True),
    ("an amount coupon on the total, to FR", order_body(book_item(), CARDS, coupon="VIJF",
        shipping={"address": address(country="FR", postCode="75001", city="Paris")}),
        {"type": "Amount", "amount": 5.00, "scope": "Total"}, True),
    ("an amount coupon larger than the products, express", order_body(CARDS, coupon="GROOT",
        productionSpeed="Express"), {"type": "Amount", "amount": 500.00, "scope": "Total"}, True),
]  # fmt: skip

# The members the estimate shares with the order placed from the same body, to the cent.
SHARED = ("productionSpeed", "invoice", "invoicingState", "shipping", "metadata")


async def estimate(
    client: httpx.AsyncClient, headers: dict[str, str], body: dict[str, Any]
) -> httpx.Response:
    return await client.post("/v2/orders/estimate", json=body, headers=headers)


async def switch_payment_screen(client: httpx.AsyncClient, headers: dict[str, str], *, on: bool) -> None:
    response = await client.patch("/v2/account", json={"paymentScreen": on}, headers=headers)
    assert response.status_code == 200, response.text


@pytest.fixture
async def operator(client: httpx.AsyncClient, runtime: Runtime) -> dict[str, str]:
    """An operator's token: coupons are the print shop's (they are emptied after each test)."""
    return await bearer(client, await make_credentials(runtime, role="operator"))


async def make_coupon(
    client: httpx.AsyncClient, operator: dict[str, str], code: str, terms: dict[str, Any]
) -> None:
    response = await client.post("/v2/operator/coupons", json={"code": code, **terms}, headers=operator)
    assert response.status_code == 201, response.text


async def coupon_uses(client: httpx.AsyncClient, operator: dict[str, str]) -> dict[str, int]:
    response = await client.get("/v2/operator/coupons", headers=operator)
    assert response.status_code == 200, response.text
    return {coupon["code"]: coupon["used"] for coupon in response.json()["results"]}


async def row_counts(runtime: Runtime) -> dict[str, int]:
    """The number of rows of every table of the schema."""
    async with runtime.db.read() as session:
        return {
            table.name: (await session.execute(select(func.count()).select_from(table))).scalar_one()
            for table in Base.metadata.sorted_tables
        }


class TestAnEstimateIsTheOrderPlacedAfterwards:
    @pytest.mark.parametrize(("case", "body", "coupon", "screen"), CASES, ids=[case[0] for case in CASES])
    async def test_to_the_cent(
        self,
        client: httpx.AsyncClient,
        operator: dict[str, str],
        auth_headers: dict[str, str],
        case: str,
        body: dict[str, Any],
        coupon: dict[str, Any] | None,
        screen: bool,
    ) -> None:
        await switch_payment_screen(client, auth_headers, on=screen)
        if coupon is not None:
            await make_coupon(client, operator, body["coupon"], {**coupon, "usageLimit": 1})

        estimated = await estimate(client, auth_headers, body)
        again = await estimate(client, auth_headers, body)  # a coupon with one use left: still usable
        placed = await client.post("/v2/orders", json=body, headers=auth_headers)

        assert estimated.status_code == 200, estimated.text
        assert placed.status_code == 201, placed.text
        assert again.json() == estimated.json()
        guess, order = estimated.json(), placed.json()
        assert {member: guess.get(member) for member in SHARED} == {
            member: order.get(member) for member in SHARED
        }, case
        # Every tax line, written with the same digits (0.0 for no discount, 2.95 not 2.950).
        assert (
            estimated.text.split('"invoice":')[1].split(',"invoicingState"')[0]
            == (placed.text.split('"invoice":')[1].split(',"invoicingState"')[0])
        )
        assert [
            {key: item.get(key) for key in ("productId", "pageCount", "quantity", "options")}
            for item in guess["items"]
        ] == [
            {key: item.get(key) for key in ("productId", "pageCount", "quantity", "options")}
            for item in order["items"]
        ]
        if screen:
            assert guess["checkout"] == {"amount": order["checkout"]["amount"]}
            assert guess["invoicingState"] == "NotIncluded"
        else:
            assert "checkout" not in guess
            assert "checkout" not in order
        if coupon is not None:
            assert order["invoice"]["discount"]["cost"] > 0
            assert (await coupon_uses(client, operator))[
                body["coupon"]
            ] == 1  # the order's, not the estimates'

    async def test_an_estimate_has_no_id_dates_statuses_or_files_of_its_own(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        response = await estimate(client, auth_headers, order_body(book_item(id="00007"), POSTER))

        assert response.status_code == 200, response.text
        body = response.json()
        assert list(body) == ["productionSpeed", "items", "shipping", "invoice", "invoicingState"]
        assert [item.get("id") for item in body["items"]] == ["00007", None]
        assert list(body["items"][0]) == ["id", "productId", "pageCount", "quantity", "options"]

    async def test_a_v1_estimate_has_the_flat_shipping_address(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        body = {"items": [book_item()], "shippingAddress": address()}

        response = await client.post("/v1/orders/estimate", json=body, headers=auth_headers)

        assert response.status_code == 200, response.text
        assert response.json()["shippingAddress"] == address()
        assert "shipping" not in response.json()


class TestAnEstimateWritesNothing:
    async def test_no_table_gains_or_loses_a_row(
        self,
        client: httpx.AsyncClient,
        runtime: Runtime,
        operator: dict[str, str],
        auth_headers: dict[str, str],
    ) -> None:
        await switch_payment_screen(client, auth_headers, on=True)
        await make_coupon(
            client, operator, "ZOMER10", {"type": "Percentage", "percentage": 10, "usageLimit": 1}
        )
        endpoint = await client.post(
            "/v2/webhooks", json={"url": "https://hooks.example.nl/a"}, headers=auth_headers
        )
        assert endpoint.status_code == 201, endpoint.text
        downloads = {"content": "https://files.example.nl/c.pdf", "cover": "https://files.example.nl/k.pdf"}
        body = order_body(book_item(files=downloads), POSTER, coupon="ZOMER10", id="my-order-1")
        before = await row_counts(runtime)
        uses = await coupon_uses(client, operator)

        answers = [
            await estimate(client, auth_headers, body),
            await estimate(client, auth_headers, {**body, "items": [{"productId": "nope", "quantity": 0}]}),
            await estimate(client, auth_headers, {"items": "not a list"}),
        ]

        assert [answer.status_code for answer in answers] == [200, 400, 400]
        assert await row_counts(runtime) == before
        assert await coupon_uses(client, operator) == uses == {"ZOMER10": 0}
        assert (await client.get("/v2/orders/my-order-1", headers=auth_headers)).status_code == 404


BAD_BODIES: list[tuple[str, Any]] = [
    ("not an object", ["items"]),
    ("no items, no address", {}),
    ("schema and rules at once", {"items": [{"productId": "boek_hc_a5_sta", "pageCount": 3, "quantity": "1"},
        {"productId": "nope", "quantity": 1}], "shipping": {"address": address(country="XX", name=" ")}}),
    ("an unknown option and value", order_body(book_item(options=[{"id": "glitter", "value": "yes"},
        {"id": "cover_finish", "value": "gold"}]))),
    ("a speed no item offers", order_body(CANVAS, productionSpeed="Express")),
    ("a bad id and e-mail", order_body(id="a/b", email="nobody")),
    ("a file URL that is not one", order_body(book_item(files={"content": "ftp://x"}))),
]  # fmt: skip


class TestABadBodyHasTheProblemsOfPlacingIt:
    @pytest.mark.parametrize(("case", "body"), BAD_BODIES, ids=[case for case, _ in BAD_BODIES])
    async def test_every_problem_at_once(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str], case: str, body: Any
    ) -> None:
        estimated = await estimate(client, auth_headers, body)
        placed = await client.post("/v2/orders", json=body, headers=auth_headers)

        assert_error(estimated, 400)
        assert (estimated.status_code, estimated.json()) == (placed.status_code, placed.json()), case

    async def test_an_unusable_coupon_with_the_payment_screen(
        self, client: httpx.AsyncClient, operator: dict[str, str], auth_headers: dict[str, str]
    ) -> None:
        await switch_payment_screen(client, auth_headers, on=True)
        await make_coupon(client, operator, "OP", {"type": "Percentage", "percentage": 10, "usageLimit": 1})
        await client.post("/v2/orders", json=order_body(coupon="OP"), headers=auth_headers)  # its last use
        body = order_body(coupon="OP", items=[{"productId": "nope", "quantity": 1}])

        estimated = await estimate(client, auth_headers, body)
        placed = await client.post("/v2/orders", json=body, headers=auth_headers)

        error = assert_error(estimated, 400, field="coupon")
        assert "items[0].productId" in [problem["field"] for problem in error["errors"]]
        assert estimated.json() == placed.json()

    async def test_a_custom_id_in_use_is_the_same_409(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        first = await client.post("/v2/orders", json=order_body(id="taken"), headers=auth_headers)
        assert first.status_code == 201, first.text

        estimated = await estimate(client, auth_headers, order_body(id="taken"))
        placed = await client.post("/v2/orders", json=order_body(id="taken"), headers=auth_headers)

        assert_error(estimated, 409, field="id")
        assert estimated.json() == placed.json()

    async def test_without_the_place_scope_it_is_refused(
        self, client: httpx.AsyncClient, runtime: Runtime
    ) -> None:
        credentials = await make_credentials(runtime)
        token = await client.post(
            "/v2/oauth",
            data={
                "grant_type": "client_credentials",
                "client_id": credentials.client_id,
                "client_secret": credentials.client_secret,
                "scope": "orders:track",
            },
        )
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}

        assert_error(await estimate(client, headers, order_body()), 403)
