"""Every class of bad input of issue 2: a 4xx with the documented body naming the field, nothing
changed, never a 500.

Each case posts (or gets) something bad, checks the status and the error body, and checks that the
account still has no orders.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from printapi.runtime import Runtime
from tests.api.helpers import API_JSON, assert_error, changes, fields, order_count, place
from tests.conftest import address, bearer, book_item, make_credentials, order_body

JSON = {"Content-Type": "application/json"}


def item_with(**changes: Any) -> dict[str, Any]:
    return order_body(book_item(**changes))


def address_with(**changes: Any) -> dict[str, Any]:
    return order_body(shipping={"address": address(**changes)})


def without_item_member(member: str) -> dict[str, Any]:
    body = order_body()
    del body["items"][0][member]
    return body


def without_order_member(member: str) -> dict[str, Any]:
    body = copy.deepcopy(order_body())
    del body[member]
    return body


# (case id, order body, field the error must name)
BAD_ORDERS: list[tuple[str, dict[str, Any], str]] = [
    # wrong types
    ("false-quantity", item_with(quantity=False), "items[0].quantity"),
    ("text-quantity", item_with(quantity="3"), "items[0].quantity"),
    ("fraction-quantity", item_with(quantity=1.5), "items[0].quantity"),
    ("null-quantity", item_with(quantity=None), "items[0].quantity"),
    ("text-page-count", item_with(pageCount="32"), "items[0].pageCount"),
    ("true-page-count", item_with(pageCount=True), "items[0].pageCount"),
    ("list-page-count", item_with(pageCount=[32]), "items[0].pageCount"),
    ("number-product", item_with(productId=123), "items[0].productId"),
    ("number-email", order_body(email=5), "email"),
    ("number-metadata", order_body(metadata=5), "metadata"),
    ("object-metadata", order_body(metadata={"sku": 1}), "metadata"),
    ("number-id", order_body(id=12345), "id"),
    ("number-title", item_with(title=7), "items[0].title"),
    ("number-country", address_with(country=31), "shipping.address.country"),
    ("number-post-code", address_with(postCode=1234), "shipping.address.postCode"),
    ("items-as-object", order_body(items={"productId": "boek_hc_a5_sta"}), "items"),
    ("item-as-text", order_body(items=["boek_hc_a5_sta"]), "items[0]"),
    ("item-null", order_body(items=[None]), "items[0]"),
    ("shipping-as-text", order_body(shipping="NL"), "shipping"),
    ("address-null", order_body(shipping={"address": None}), "shipping.address"),
    ("files-as-text", item_with(files="https://files.example.nl/a.pdf"), "items[0].files"),
    ("number-file-url", item_with(files={"content": 5}), "items[0].files.content"),
    ("options-as-object", item_with(options={"id": "cover_finish"}), "items[0].options"),
    ("retail-as-text", item_with(retail="abc"), "items[0].retail"),
    ("retail-true", item_with(retail=True), "items[0].retail"),
    ("retail-negative", item_with(retail=-1), "items[0].retail"),
    ("retail-three-decimals", item_with(retail=1.234), "items[0].retail"),
    ("speed-as-number", order_body(productionSpeed=2), "productionSpeed"),
    # missing members
    ("no-items", without_order_member("items"), "items"),
    ("empty-items", order_body(items=[]), "items"),
    ("no-shipping", without_order_member("shipping"), "shipping"),
    ("no-product", without_item_member("productId"), "items[0].productId"),
    ("no-quantity", without_item_member("quantity"), "items[0].quantity"),
    ("no-page-count-for-a-book", without_item_member("pageCount"), "items[0].pageCount"),
    # unknown products and options
    ("unknown-product", item_with(productId="boek_xx"), "items[0].productId"),
    ("empty-product", item_with(productId=""), "items[0].productId"),
    ("unknown-option", item_with(options=[{"id": "gold", "value": "yes"}]), "items[0].options[0].id"),
    (
        "unknown-choice",
        item_with(options=[{"id": "cover_finish", "value": "velvet"}]),
        "items[0].options[0].value",
    ),
    # page counts out of range or off the increment
    ("pages-below-minimum", item_with(pageCount=22), "items[0].pageCount"),
    ("pages-above-maximum", item_with(pageCount=202), "items[0].pageCount"),
    ("pages-off-increment", item_with(pageCount=33), "items[0].pageCount"),
    ("pages-zero-for-a-book", item_with(pageCount=0), "items[0].pageCount"),
    ("pages-negative", item_with(pageCount=-2), "items[0].pageCount"),
    ("pages-huge", item_with(pageCount=10**30), "items[0].pageCount"),
    (
        "pages-wrong-for-a-poster",
        order_body({"productId": "poster_a3_sta", "pageCount": 2, "quantity": 1}),
        "items[0].pageCount",
    ),
    (
        "magazine-off-its-step-of-four",
        order_body({"productId": "magazine_a4_sta", "pageCount": 10, "quantity": 1}),
        "items[0].pageCount",
    ),
    # quantities out of range
    ("quantity-zero", item_with(quantity=0), "items[0].quantity"),
    ("quantity-negative", item_with(quantity=-1), "items[0].quantity"),
    ("quantity-1001", item_with(quantity=1001), "items[0].quantity"),
    ("quantity-huge", item_with(quantity=2**70), "items[0].quantity"),
    # unknown countries
    ("unknown-country", address_with(country="XX"), "shipping.address.country"),
    ("lowercase-country", address_with(country="nl"), "shipping.address.country"),
    ("alpha-3-country", address_with(country="NLD"), "shipping.address.country"),
    ("unknown-us-state", address_with(country="US", state="ZZZ"), "shipping.address.state"),
    # over-long fields
    ("id-37", order_body(id="i" * 37), "id"),
    ("item-id-37", item_with(id="i" * 37), "items[0].id"),
    ("email-255", order_body(email="k@example.nl" + "l" * 243), "email"),
    ("username-65", order_body(username="u" * 65), "username"),
    ("title-65", item_with(title="t" * 65), "items[0].title"),
    ("metadata-4093", order_body(metadata="m" * 4093), "metadata"),
    ("item-metadata-1025", item_with(metadata="m" * 1025), "items[0].metadata"),
    ("coupon-65", order_body(coupon="c" * 65), "coupon"),
    ("product-id-201", item_with(productId="p" * 201), "items[0].productId"),
    ("name-101", address_with(name="n" * 101), "shipping.address.name"),
    ("city-65", address_with(city="c" * 65), "shipping.address.city"),
    ("post-code-17", address_with(postCode="1" * 17), "shipping.address.postCode"),
    ("items-101", order_body(*[book_item() for _ in range(101)]), "items"),
]


class TestBadOrders:
    @pytest.mark.parametrize(("body", "field"), [c[1:] for c in BAD_ORDERS], ids=[c[0] for c in BAD_ORDERS])
    async def test_a_bad_order_is_refused_naming_the_field_and_stores_nothing(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str], body: dict[str, Any], field: str
    ) -> None:
        response = await client.post("/v2/orders", json=body, headers=auth_headers)

        assert_error(response, 400, field=field)
        assert await order_count(client, auth_headers) == 0
        assert await changes(client, auth_headers) == []

    async def test_every_bad_field_of_an_order_is_named_at_once(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        body = order_body(
            book_item(pageCount=33),
            book_item(productId="boek_xx"),
            book_item(quantity=0),
            shipping={"address": address(country="XX")},
            email="nope",
        )

        error = assert_error(await client.post("/v2/orders", json=body, headers=auth_headers), 400)

        assert {e["field"] for e in error["errors"]} == {
            "email",
            "shipping.address.country",
            "items[0].pageCount",
            "items[1].productId",
            "items[2].quantity",
        }
        assert error["message"].startswith(error["errors"][0]["field"])


def _break(body: dict[str, Any], path: tuple[str | int, ...], value: Any) -> None:
    """Set the member at ``path`` (``DELETE`` removes it)."""
    *parents, last = path
    target = body
    for part in parents:
        target = target[part]
    if value is DELETE:
        del target[last]
    else:
        target[last] = value


DELETE = object()
# One way to break each member of a three-item order, each independent of the others: the schema
# refuses some, the rules (ids, e-mail, ISO countries, the catalogue) the others. Item 1 gets an
# unknown product only, since its page count and quantity can only be judged against its product.
BREAKAGES: dict[str, tuple[tuple[str | int, ...], Any]] = {
    "id": (("id",), "a b"),
    "email": (("email",), "nope"),
    "username": (("username",), "u" * 65),
    "metadata": (("metadata",), 5),
    "productionSpeed": (("productionSpeed",), "Fast"),
    "shipping.address.name": (("shipping", "address", "name"), " "),
    "shipping.address.line1": (("shipping", "address", "line1"), DELETE),
    "shipping.address.postCode": (("shipping", "address", "postCode"), 1234),
    "shipping.address.city": (("shipping", "address", "city"), "c" * 65),
    "shipping.address.country": (("shipping", "address", "country"), "XX"),
    "items[0].id": (("items", 0, "id"), "a/b"),
    "items[0].title": (("items", 0, "title"), 7),
    "items[0].pageCount": (("items", 0, "pageCount"), 33),
    "items[0].quantity": (("items", 0, "quantity"), 0),
    "items[0].options[0].id": (("items", 0, "options"), [{"id": "gold", "value": "yes"}]),
    "items[0].retail": (("items", 0, "retail"), -1),
    "items[0].metadata": (("items", 0, "metadata"), "m" * 1025),
    "items[1].productId": (("items", 1, "productId"), "boek_xx"),
    "items[2].pageCount": (("items", 2, "pageCount"), 22),
    "items[2].quantity": (("items", 2, "quantity"), "2"),
    "items[2].options[0].value": (("items", 2, "options"), [{"id": "cover_finish", "value": "velvet"}]),
}


def broken_order(fields: set[str]) -> dict[str, Any]:
    body = copy.deepcopy(order_body(book_item(), book_item(), book_item(), email="klant@example.nl"))
    for field in fields:
        _break(body, *BREAKAGES[field])
    return body


class TestEveryProblemAtOnce:
    """The schema's problems (types, lengths, required members) and the rules' (ISO countries,
    the catalogue, ids) come in one 400: a blank name no longer hides an unknown country."""

    async def test_a_blank_name_an_unknown_country_an_unknown_product_and_a_bad_page_count_are_one_400(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        body = order_body(
            book_item(productId="boek_xx"),
            book_item(pageCount=33),
            shipping={"address": address(name=" ", country="XX")},
        )

        error = assert_error(await client.post("/v2/orders", json=body, headers=auth_headers), 400)

        assert error["errors"] == [
            {"field": "items[0].productId", "message": "unknown product 'boek_xx'"},
            {"field": "items[1].pageCount", "message": "must be a multiple of 2 for boek_hc_a5_sta"},
            {"field": "shipping.address.name", "message": "must not be blank"},
            {
                "field": "shipping.address.country",
                "message": "'XX' is not an ISO 3166-1 alpha-2 country code",
            },
        ]
        assert error["message"] == "items[0].productId: unknown product 'boek_xx' (and 3 more)"
        assert error["hints"] == ["Every problem of the request is listed in errors."]
        assert await order_count(client, auth_headers) == 0
        assert await changes(client, auth_headers) == []

    async def test_the_v1_address_and_an_item_of_the_wrong_type_are_named_with_the_rules_problems(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        body = {"items": [book_item(quantity="2"), None], "shippingAddress": address(name="", country="XX")}

        error = assert_error(await client.post("/v1/orders", json=body, headers=auth_headers), 400)

        assert fields(error) == [
            "items[0].quantity",
            "items[1]",
            "shippingAddress.name",
            "shippingAddress.country",
        ]
        assert await order_count(client, auth_headers) == 0

    async def test_an_item_the_schema_refuses_a_member_of_is_still_checked_against_its_product(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        item = book_item(title="t" * 65, pageCount=202, quantity=0, options=[{"id": "gold", "value": "yes"}])

        error = assert_error(
            await client.post("/v2/orders", json=order_body(item), headers=auth_headers), 400
        )

        assert {e["field"]: e["message"] for e in error["errors"]} == {
            "items[0].title": "String should have at most 64 characters",
            "items[0].pageCount": "must be between 24 and 200 for boek_hc_a5_sta",
            "items[0].quantity": "must be between 1 and 1000 for boek_hc_a5_sta",
            "items[0].options[0].id": "unknown option 'gold' (options: cover_finish, content_finish)",
        }

    async def test_a_missing_shipping_is_named_with_the_other_problems(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        body = without_order_member("shipping") | {"email": 5, "id": "a b"}

        error = assert_error(await client.post("/v2/orders", json=body, headers=auth_headers), 400)

        assert fields(error) == ["id", "email", "shipping"]
        assert "Send shipping: {address: {...}, preference}." in error["hints"]

    @settings(
        max_examples=60,
        deadline=None,
        # The client and token are shared by the examples: each one is refused and writes nothing.
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(broken=st.sets(st.sampled_from(sorted(BREAKAGES)), min_size=1))
    async def test_the_400_lists_exactly_the_broken_members_whichever_they_are(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str], broken: set[str]
    ) -> None:
        response = await client.post("/v2/orders", json=broken_order(broken), headers=auth_headers)

        error = assert_error(response, 400)
        assert sorted(fields(error)) == sorted(broken)
        assert error["message"].startswith(f"{error['errors'][0]['field']}: ")

    async def test_the_order_every_breakage_is_made_on_is_valid(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        response = await client.post("/v2/orders", json=broken_order(set()), headers=auth_headers)

        assert response.status_code == 201, response.text


MALFORMED = [
    b'{"items": [',
    b"{'items': []}",
    b'{"items": [], }',
    b"not json",
    b'{"a": 1} trailing',
]


class TestMalformedBodies:
    @pytest.mark.parametrize(
        "content", MALFORMED, ids=["cut-off", "single-quotes", "trailing-comma", "text", "trailing"]
    )
    async def test_malformed_json_is_refused_naming_the_body(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str], content: bytes
    ) -> None:
        response = await client.post("/v2/orders", content=content, headers={**auth_headers, **JSON})

        body = assert_error(response, 400, field="body")
        assert body["message"].startswith("body: malformed JSON")
        assert await order_count(client, auth_headers) == 0

    @pytest.mark.parametrize(
        "path",
        ["/v2/shipping/quote", "/v2/orders/12345678/status", "/v2/operator/accounts/1/orders/1/status"],
    )
    async def test_malformed_json_on_the_other_json_endpoints_is_refused_naming_the_body(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str], path: str
    ) -> None:
        response = await client.post(path, content=b'{"status": ', headers={**auth_headers, **JSON})

        assert_error(response, 400, field="body")

    @pytest.mark.parametrize("content", [b"[]", b'"order"', b"42", b"null", b"true", b""])
    async def test_a_body_that_is_not_an_object_is_refused(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str], content: bytes
    ) -> None:
        response = await client.post("/v2/orders", content=content, headers={**auth_headers, **JSON})

        assert_error(response, 400)
        assert await order_count(client, auth_headers) == 0

    async def test_bytes_that_are_not_utf8_are_refused(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        response = await client.post(
            "/v2/orders", content=b'{"metadata": "\xff\xfe"}', headers={**auth_headers, **JSON}
        )

        assert_error(response, 400)
        assert await order_count(client, auth_headers) == 0

    async def test_json_nested_beyond_reason_is_refused(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        content = b'{"metadata": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"

        response = await client.post("/v2/orders", content=content, headers={**auth_headers, **JSON})

        assert_error(response, 400)
        assert await order_count(client, auth_headers) == 0

    async def test_a_form_body_is_refused(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        response = await client.post("/v2/orders", data={"items": "boek_hc_a5_sta"}, headers=auth_headers)

        assert response.status_code in (400, 415), response.text
        assert_error(response, response.status_code)
        assert await order_count(client, auth_headers) == 0

    async def test_json_sent_as_plain_text_is_refused(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        response = await client.post(
            "/v2/orders",
            content=json.dumps(order_body()).encode(),
            headers={**auth_headers, "Content-Type": "text/plain"},
        )

        assert_error(response, 415, field="Content-Type")
        assert await order_count(client, auth_headers) == 0

    @pytest.mark.parametrize("literal", [b"NaN", b"Infinity", b"-Infinity", b"1e400"])
    async def test_a_retail_value_that_is_not_a_finite_number_is_refused(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str], literal: bytes
    ) -> None:
        content = (
            b'{"items": [{"productId": "boek_hc_a5_sta", "pageCount": 32, "quantity": 1, "retail": '
            + literal
            + b'}], "shipping": {"address": {"name": "J", "line1": "D 1", "postCode": "1234 AB", '
            b'"city": "U", "country": "NL"}}}'
        )

        response = await client.post("/v2/orders", content=content, headers={**auth_headers, **JSON})

        assert_error(response, 400, field="items[0].retail")
        assert await order_count(client, auth_headers) == 0


def assert_nul_refused_or_not_found(response: httpx.Response) -> None:
    """A NUL in a path id: refused as a bad URL, or simply no such thing; never a 500."""
    assert response.status_code in (400, 404), response.text
    if response.status_code == 400:
        assert_error(response, 400, field="url")
    else:
        assert_error(response, 404)


class TestTextTheDatabasesCannotStore:
    """Strings that JSON allows but a database column may not: kept as sent, or a 400; never a 500.

    (PostgreSQL ``text`` cannot hold U+0000; SQLite can. Refusing it everywhere keeps both alike.)
    """

    @pytest.mark.parametrize(
        ("body", "field", "path"),
        [
            (order_body(metadata="a\u0000b"), "metadata", ("metadata",)),
            (address_with(name="J.\u0000Jansen"), "shipping.address.name", ("shipping", "address", "name")),
            (item_with(title="t\u0000"), "items[0].title", ("items", 0, "title")),
        ],
        ids=["metadata", "address-name", "item-title"],
    )
    async def test_a_nul_character_is_kept_or_refused_naming_the_field(
        self,
        client: httpx.AsyncClient,
        auth_headers: dict[str, str],
        body: dict[str, Any],
        field: str,
        path: tuple[str | int, ...],
    ) -> None:
        response = await client.post("/v2/orders", json=body, headers=auth_headers)

        assert response.status_code in (201, 400), response.text
        if response.status_code == 400:
            assert_error(response, 400, field=field)
            assert await order_count(client, auth_headers) == 0
            return
        sent: Any = body
        read: Any = (await client.get(response.headers["location"], headers=auth_headers)).json()
        for key in path:
            sent, read = sent[key], read[key]
        assert read == sent

    async def test_a_lone_surrogate_is_refused(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        content = (
            b'{"metadata": "\\ud800", '
            b'"items": [{"productId": "boek_hc_a5_sta", "pageCount": 32, "quantity": 1}],'
            b' "shipping": {"address": {"name": "J", "line1": "D 1", "postCode": "1234 AB", "city": "U",'
            b' "country": "NL"}}}'
        )

        response = await client.post("/v2/orders", content=content, headers={**auth_headers, **JSON})

        assert response.status_code < 500, response.text
        assert_error(response, 400, field="metadata")
        assert await order_count(client, auth_headers) == 0

    @pytest.mark.parametrize(
        ("method", "path"),
        [
            ("GET", "/v2/orders/a%00b"),
            ("GET", "/v2/orders/a%00b/status"),
            ("POST", "/v2/orders/a%00b/status"),
        ],
    )
    async def test_a_nul_character_in_an_order_id_of_the_path_is_refused_or_not_found(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str], method: str, path: str
    ) -> None:
        body = {"status": "Cancelled"} if method == "POST" else None

        response = await client.request(method, path, json=body, headers=auth_headers)

        assert_nul_refused_or_not_found(response)

    async def test_a_nul_character_in_a_product_id_of_the_path_is_refused_or_not_found(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        response = await client.get("/v2/products/a%00b", headers=auth_headers)

        assert_nul_refused_or_not_found(response)

    async def test_a_nul_character_in_a_quoted_product_is_an_unknown_product(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        body = {"country": "NL", "items": [{"productId": "poster\u0000", "quantity": 1}]}

        response = await client.post("/v2/shipping/quote", json=body, headers=auth_headers)

        assert_error(response, 400, field="items[0].productId")

    async def test_a_nul_character_in_an_ordered_product_is_an_unknown_product(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        response = await client.post(
            "/v2/orders", json=item_with(productId="boek\u0000"), headers=auth_headers
        )

        assert_error(response, 400, field="items[0].productId")
        assert await order_count(client, auth_headers) == 0

    async def test_a_nul_character_in_a_client_id_is_an_oauth_error(self, client: httpx.AsyncClient) -> None:
        response = await client.post(
            "/v2/oauth",
            data={"grant_type": "client_credentials", "client_id": "test_\u0000", "client_secret": "secret"},
        )

        assert (response.status_code, response.json()["error"]) in {
            (400, "invalid_request"),
            (401, "invalid_client"),
        }, response.text


class TestNumbersBeyondTheDatabase:
    @pytest.mark.parametrize("path", ["/v2/orders", "/v2/products"])
    @pytest.mark.parametrize("offset", [2**63, 10**20])
    async def test_an_offset_beyond_any_list_is_refused_or_empty(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str], path: str, offset: int
    ) -> None:
        response = await client.get(path, params={"offset": offset}, headers=auth_headers)

        assert response.status_code < 500, response.text
        if response.status_code == 200:
            assert response.json()["results"] == []
        else:
            assert_error(response, 400, field="offset")

    async def test_an_account_id_beyond_the_database_is_not_found(
        self, client: httpx.AsyncClient, runtime: Runtime
    ) -> None:
        operator = await bearer(client, await make_credentials(runtime, role="operator"))

        response = await client.post(
            f"/v2/operator/accounts/{10**20}/orders/12345678/status",
            json={"status": "Processing"},
            headers=operator,
        )

        assert response.status_code < 500, response.text
        assert response.status_code in (400, 404)
        assert_error(response, response.status_code)

    @pytest.mark.parametrize(
        "since", ["9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00", "99999-01-01T00:00:00"]
    )
    async def test_a_since_at_the_edge_of_the_calendar_is_no_server_error(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str], since: str
    ) -> None:
        response = await client.get("/v2/sync/statuses", params={"since": since}, headers=auth_headers)

        assert response.status_code < 500, response.text
        if response.status_code != 200:
            assert_error(response, 400, field="since")

    async def test_a_digit_string_too_long_for_python_is_refused(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        content = (
            b'{"items": [{"productId": "boek_hc_a5_sta", "pageCount": 32, "quantity": '
            + b"9" * 5000
            + b'}], "shipping": {"address": {"name": "J", "line1": "D 1", "postCode": "1234 AB", '
            b'"city": "U", "country": "NL"}}}'
        )

        response = await client.post("/v2/orders", content=content, headers={**auth_headers, **JSON})

        assert_error(response, 400)
        assert await order_count(client, auth_headers) == 0


class TestNotYours:
    async def test_another_accounts_order_is_not_found_on_every_order_endpoint_and_stays_as_it_is(
        self, client: httpx.AsyncClient, runtime: Runtime, auth_headers: dict[str, str]
    ) -> None:
        theirs_headers = await bearer(client, await make_credentials(runtime))
        order_id = (await place(client, theirs_headers, order_body()))["id"]
        before = (await client.get(f"/v2/orders/{order_id}", headers=theirs_headers)).text

        assert_error(await client.get(f"/v2/orders/{order_id}", headers=auth_headers), 404)
        assert_error(await client.get(f"/v2/orders/{order_id}/status", headers=auth_headers), 404)
        moved = await client.post(
            f"/v2/orders/{order_id}/status", json={"status": "Cancelled"}, headers=auth_headers
        )
        assert_error(moved, 404)

        assert (await client.get(f"/v2/orders/{order_id}", headers=theirs_headers)).text == before
        assert len(await changes(client, theirs_headers)) == 1
        assert await changes(client, auth_headers) == []


class TestTooLargeBodies:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        return {"max_body_bytes": 2048}

    async def test_a_body_over_the_limit_is_refused_with_413_and_stores_nothing(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        response = await client.post("/v2/orders", json=order_body(metadata="m" * 3000), headers=auth_headers)

        body = assert_error(response, 413)
        assert "2048" in body["message"]
        assert response.headers["content-type"] == API_JSON
        assert await order_count(client, auth_headers) == 0

    async def test_a_body_over_the_limit_carries_the_api_headers(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        response = await client.post("/v2/orders", json=order_body(metadata="m" * 3000), headers=auth_headers)

        assert response.status_code == 413
        assert response.headers.get("cache-control") == "no-cache"
        assert "x-request-id" in response.headers

    async def test_a_streamed_body_over_the_limit_is_refused_with_413(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        payload = json.dumps(order_body(metadata="m" * 3000)).encode()

        async def chunks() -> Any:
            for start in range(0, len(payload), 512):
                yield payload[start : start + 512]

        response = await client.post("/v2/orders", content=chunks(), headers={**auth_headers, **JSON})

        assert_error(response, 413)
        assert await order_count(client, auth_headers) == 0

    async def test_a_valid_order_followed_by_too_many_bytes_is_413_and_places_nothing(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        # What arrives before the limit is a whole order: only an aborted request keeps it out.
        payload = json.dumps(order_body()).encode()

        async def chunks() -> Any:
            yield payload
            for _ in range(8):
                yield b" " * 512

        response = await client.post("/v2/orders", content=chunks(), headers={**auth_headers, **JSON})

        body = assert_error(response, 413, field="body")
        assert "2048" in body["message"]
        assert await order_count(client, auth_headers) == 0
        assert await changes(client, auth_headers) == []

    async def test_a_body_under_the_limit_is_placed(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        response = await client.post("/v2/orders", json=order_body(metadata="m" * 1000), headers=auth_headers)

        assert response.status_code == 201, response.text

    async def test_the_limit_holds_on_the_shipping_quote_too(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        items = [{"productId": "poster_a3_sta", "quantity": 1}] * 60
        response = await client.post(
            "/v2/shipping/quote", json={"country": "NL", "items": items}, headers=auth_headers
        )

        assert_error(response, 413)
