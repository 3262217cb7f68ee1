"""``POST /v2/shipping/quote`` (spec §3.8): the recorded quotes and every kind of bad input."""

from __future__ import annotations

import copy
from typing import Any

import httpx
import pytest

from tests.api.helpers import API_JSON, assert_error

PHOTO_PRINTS = {"productId": "fotoprints_15x10", "pageCount": 10, "quantity": 1}


def quote_body(*items: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"country": "NL", "items": list(items) or [dict(PHOTO_PRINTS)]}
    body.update(overrides)
    return body


async def quote(client: httpx.AsyncClient, headers: dict[str, str], body: dict[str, Any]) -> httpx.Response:
    return await client.post("/v2/shipping/quote", json=body, headers=headers)


class TestRecordedQuotes:
    async def test_ten_photo_prints_to_nl_go_by_letter_for_1_38_plus_0_40(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        response = await quote(client, auth_headers, quote_body())

        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == API_JSON
        assert response.text == (
            '{"shipping":1.38,"handling":0.40,"taxRate":0.21,"payment":2.15,'
            '"method":{"name":"Brief (50 g)","isTrackable":false}}'
        )

    async def test_ten_photo_prints_to_nl_tracked_go_by_letterbox_parcel_for_2_95_plus_0_40(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        response = await quote(client, auth_headers, quote_body(preference="Tracked"))

        assert response.status_code == 200, response.text
        assert response.text == (
            '{"shipping":2.95,"handling":0.40,"taxRate":0.21,"payment":4.15,'
            '"method":{"name":"Brievenbuspakje","isTrackable":true}}'
        )

    async def test_the_reference_book_goes_by_letterbox_parcel_with_0_87_handling_at_the_book_rate(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        body = quote_body({"productId": "boek_hc_a5_sta", "pageCount": 32, "quantity": 1})

        response = await quote(client, auth_headers, body)

        assert response.status_code == 200, response.text
        text = response.text
        assert '"shipping":2.95,"handling":0.87,"taxRate":0.09' in text
        assert response.json()["method"] == {"name": "Brievenbuspakje", "isTrackable": True}

    async def test_an_explicit_auto_preference_is_the_default(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        default = await quote(client, auth_headers, quote_body())
        auto = await quote(client, auth_headers, quote_body(preference="Auto"))

        assert auto.text == default.text


class TestOtherQuotes:
    async def test_a_poster_goes_as_a_parcel(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        response = await quote(
            client, auth_headers, quote_body({"productId": "poster_a3_sta", "quantity": 1})
        )

        assert response.status_code == 200, response.text
        assert response.json()["method"] == {"name": "Pakket (M)", "isTrackable": True}

    async def test_a_mixed_shipment_is_taxed_at_the_highest_item_rate(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        body = quote_body({"productId": "boek_hc_a5_sta", "pageCount": 32, "quantity": 1}, dict(PHOTO_PRINTS))

        response = await quote(client, auth_headers, body)

        assert response.status_code == 200, response.text
        assert '"taxRate":0.21' in response.text

    async def test_shipping_abroad_costs_more_than_at_home(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        home = (await quote(client, auth_headers, quote_body())).json()
        belgium = (await quote(client, auth_headers, quote_body(country="BE"))).json()

        assert belgium["shipping"] > home["shipping"]

    async def test_a_us_state_is_accepted_for_the_us(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        response = await quote(client, auth_headers, quote_body(country="US", state="CA"))

        assert response.status_code == 200, response.text

    async def test_a_fixed_page_product_needs_no_page_count(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        for page_count in (None, 0, 1):
            item = {"productId": "poster_a3_sta", "quantity": 1, "pageCount": page_count}
            response = await quote(client, auth_headers, quote_body(item))
            assert response.status_code == 200, (page_count, response.text)

    async def test_unknown_members_are_ignored(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        response = await quote(client, auth_headers, quote_body(currency="EUR"))

        assert response.status_code == 200, response.text


def without(body: dict[str, Any], key: str) -> dict[str, Any]:
    body = copy.deepcopy(body)
    del body[key]
    return body


def with_item(**changes: Any) -> dict[str, Any]:
    item = {**PHOTO_PRINTS, **changes}
    return quote_body({key: value for key, value in item.items() if value is not DROP})


DROP = object()

BAD_QUOTES: list[tuple[str, dict[str, Any], str]] = [
    ("unknown-country", quote_body(country="XX"), "country"),
    ("lowercase-country", quote_body(country="nl"), "country"),
    ("three-letter-country", quote_body(country="NLD"), "country"),
    ("number-country", quote_body(country=31), "country"),
    ("missing-country", without(quote_body(), "country"), "country"),
    ("unknown-state", quote_body(country="US", state="ZZZ"), "state"),
    ("long-state", quote_body(country="US", state="CALI"), "state"),
    ("unknown-preference", quote_body(preference="Fastest"), "preference"),
    ("empty-items", quote_body(items=[]), "items"),
    ("missing-items", without(quote_body(), "items"), "items"),
    ("items-not-a-list", quote_body(items={"productId": "fotoprints_15x10"}), "items"),
    ("item-not-an-object", quote_body(items=["fotoprints_15x10"]), "items[0]"),
    ("unknown-product", with_item(productId="fotoprints_99x99"), "items[0].productId"),
    ("number-product", with_item(productId=15), "items[0].productId"),
    ("empty-product", with_item(productId=""), "items[0].productId"),
    ("missing-product", with_item(productId=DROP), "items[0].productId"),
    ("missing-page-count", with_item(pageCount=DROP), "items[0].pageCount"),
    ("page-count-below-range", with_item(pageCount=0), "items[0].pageCount"),
    ("page-count-above-range", with_item(pageCount=501), "items[0].pageCount"),
    ("text-page-count", with_item(pageCount="10"), "items[0].pageCount"),
    ("fraction-page-count", with_item(pageCount=10.5), "items[0].pageCount"),
    ("zero-quantity", with_item(quantity=0), "items[0].quantity"),
    ("quantity-above-range", with_item(quantity=1001), "items[0].quantity"),
    ("text-quantity", with_item(quantity="3"), "items[0].quantity"),
    ("false-quantity", with_item(quantity=False), "items[0].quantity"),
    ("null-quantity", with_item(quantity=None), "items[0].quantity"),
    ("missing-quantity", with_item(quantity=DROP), "items[0].quantity"),
    (
        "book-page-count-off-increment",
        quote_body({"productId": "boek_hc_a5_sta", "pageCount": 33, "quantity": 1}),
        "items[0].pageCount",
    ),
    (
        "book-page-count-below-range",
        quote_body({"productId": "boek_hc_a5_sta", "pageCount": 22, "quantity": 1}),
        "items[0].pageCount",
    ),
    (
        "wrong-fixed-page-count",
        quote_body({"productId": "poster_a3_sta", "pageCount": 2, "quantity": 1}),
        "items[0].pageCount",
    ),
    (
        "second-item-bad",
        quote_body(dict(PHOTO_PRINTS), {"productId": "boek_xx", "quantity": 1}),
        "items[1].productId",
    ),
]


class TestBadQuotes:
    @pytest.mark.parametrize(
        ("body", "field"), [case[1:] for case in BAD_QUOTES], ids=[c[0] for c in BAD_QUOTES]
    )
    async def test_bad_input_is_refused_naming_the_field(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str], body: dict[str, Any], field: str
    ) -> None:
        assert_error(await quote(client, auth_headers, body), 400, field=field)

    async def test_every_bad_item_is_named_at_once(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        body = quote_body(
            {"productId": "fotoprints_15x10", "pageCount": 0, "quantity": 1},
            {"productId": "boek_xx", "quantity": 1},
            country="XX",
        )

        error = assert_error(await quote(client, auth_headers, body), 400)

        assert {e["field"] for e in error["errors"]} >= {
            "country",
            "items[0].pageCount",
            "items[1].productId",
        }

    async def test_the_schemas_problems_and_the_rules_are_one_400(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        body = quote_body(
            {"productId": "fotoprints_15x10", "pageCount": 10, "quantity": "1"},
            {"productId": "boek_xx", "quantity": 1},
            {"productId": "boek_hc_a5_sta", "pageCount": 33, "quantity": 0},
            country="XX",
            preference="Fastest",
        )

        error = assert_error(await quote(client, auth_headers, body), 400)

        assert error["errors"] == [
            {"field": "country", "message": "'XX' is not an ISO 3166-1 alpha-2 country code"},
            {"field": "preference", "message": "Input should be 'Auto' or 'Tracked'"},
            {"field": "items[0].quantity", "message": "Input should be a valid integer"},
            {"field": "items[1].productId", "message": "unknown product 'boek_xx'"},
            {"field": "items[2].pageCount", "message": "must be a multiple of 2 for boek_hc_a5_sta"},
            {"field": "items[2].quantity", "message": "must be between 1 and 1000 for boek_hc_a5_sta"},
        ]

    async def test_malformed_json_is_refused_naming_the_body(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        response = await client.post(
            "/v2/shipping/quote",
            content=b'{"country": "NL", "items": [',
            headers={**auth_headers, "Content-Type": "application/json"},
        )

        assert_error(response, 400, field="body")
