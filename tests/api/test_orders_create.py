"""``POST /v2/orders`` (spec §3.2, §3.3): ids, files, options, speed, limits and the order's wire shape."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import httpx
import pytest

from printapi.auth.principal import Environment
from printapi.kit import ids
from printapi.runtime import Runtime
from tests.api.helpers import API_JSON, START_LOCAL, assert_error, changes, order_count, place
from tests.conftest import Credentials, address, bearer, book_item, make_credentials, order_body

UPLOAD_URL = re.compile(r"http://testserver/v2/files/[A-Za-z0-9]{20}")
POSTER = {"productId": "poster_a3_sta", "quantity": 1}
CONTENT_URL = "https://files.example.nl/b1/content.pdf"
COVER_URL = "https://files.example.nl/b1/cover.pdf"


async def post(client: httpx.AsyncClient, headers: dict[str, str], body: dict[str, Any]) -> httpx.Response:
    return await client.post("/v2/orders", json=body, headers=headers)


async def refused(
    client: httpx.AsyncClient, headers: dict[str, str], body: dict[str, Any], field: str, status: int = 400
) -> dict[str, Any]:
    """Posts ``body``, expects the error naming ``field``, and checks that no order was stored."""
    before = await order_count(client, headers)
    error = assert_error(await post(client, headers, body), status, field=field)
    assert await order_count(client, headers) == before
    return error


class TestPlaceOrder:
    async def test_a_placed_order_is_created_at_its_location(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        response = await post(client, auth_headers, order_body())

        assert response.status_code == 201, response.text
        assert response.headers["content-type"] == API_JSON
        body = response.json()
        assert response.headers["location"] == f"http://testserver/v2/orders/{body['id']}"
        assert body["status"] == "Created"
        assert await order_count(client, auth_headers) == 1

    async def test_generated_order_ids_have_eight_digits_and_item_ids_five(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        order = await place(client, auth_headers, order_body(book_item(), dict(POSTER), book_item()))

        assert re.fullmatch(r"[1-9][0-9]{7}", order["id"]), order["id"]
        item_ids = [item["id"] for item in order["items"]]
        assert all(re.fullmatch(r"[0-9]{5}", item_id) for item_id in item_ids), item_ids
        assert len(set(item_ids)) == 3

    async def test_the_order_members_come_in_the_real_order_and_nulls_are_left_out(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        order = await place(client, auth_headers, order_body())

        assert list(order) == [
            "id",
            "dateTime",
            "status",
            "productionSpeed",
            "items",
            "shipping",
            "invoice",
            "invoicingState",
            "allowedActions",  # extension
        ]
        assert list(order["items"][0]) == ["id", "productId", "pageCount", "quantity", "files", "options"]
        assert list(order["shipping"]) == ["method", "address"]
        assert list(order["shipping"]["address"]) == ["name", "line1", "postCode", "city", "country"]
        assert list(order["invoice"]) == ["production", "shipping", "handling", "discount", "total"]

    async def test_every_optional_member_sits_in_its_place_when_given(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        body = order_body(
            book_item(title="Ons jaar", metadata='{"sku":"B-1"}'),
            email="klant@example.nl",
            username="Jan",
            metadata='{"order":1}',
            shipping={
                "address": address(company="Jansen BV", line2="2e etage", state="UT"),
                "preference": "Tracked",
            },
        )

        order = await place(client, auth_headers, body)

        assert list(order) == [
            "id",
            "dateTime",
            "status",
            "email",
            "username",
            "productionSpeed",
            "items",
            "metadata",
            "shipping",
            "invoice",
            "invoicingState",
            "allowedActions",  # extension
        ]
        assert (order["email"], order["username"], order["metadata"]) == (
            "klant@example.nl",
            "Jan",
            '{"order":1}',
        )
        item = order["items"][0]
        assert list(item) == [
            "id",
            "productId",
            "pageCount",
            "quantity",
            "files",
            "options",
            "title",
            "metadata",
        ]
        assert (item["title"], item["metadata"]) == ("Ons jaar", '{"sku":"B-1"}')
        assert list(order["shipping"]["address"]) == [
            "name",
            "company",
            "line1",
            "line2",
            "postCode",
            "city",
            "state",
            "country",
        ]

    async def test_empty_option_lists_and_tax_lists_are_written(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        response = await post(client, auth_headers, order_body())

        assert '"options":[]' in response.text
        assert '"discount":{"cost":0.0,"taxes":[]}' in response.text

    async def test_the_date_time_is_local_amsterdam_time_without_an_offset(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        order = await place(client, auth_headers, order_body())

        assert order["dateTime"] == START_LOCAL

    async def test_placing_an_order_writes_one_created_row_to_the_status_history(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        order = await place(client, auth_headers, order_body())

        assert await changes(client, auth_headers) == [
            {"id": order["id"], "status": "Created", "dateTime": START_LOCAL}
        ]

    async def test_the_address_and_the_chosen_method_are_echoed(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        order = await place(client, auth_headers, order_body())

        assert order["shipping"] == {
            "method": {"name": "Brievenbuspakje", "isTrackable": True},
            "address": address(),
        }

    async def test_the_invoicing_state_is_included(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        order = await place(client, auth_headers, order_body())

        assert order["invoicingState"] == "Included"

    async def test_unknown_members_are_ignored(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        order = await place(client, auth_headers, order_body(book_item(colour="red"), checkoutUrl="x"))

        assert "colour" not in order["items"][0]
        assert "checkoutUrl" not in order


class TestPricing:
    async def test_the_mixed_order_of_b1_is_priced_and_taxed_per_rate(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        body = order_body(
            book_item(
                pageCount=40,
                options=[{"id": "cover_finish", "value": "laminate_matte"}],
                files={"content": CONTENT_URL, "cover": COVER_URL},
            ),
            {"productId": "poster_a3_sta", "quantity": 2, "files": None, "metadata": '{"sku":"P-A3"}'},
        )

        response = await post(client, auth_headers, body)

        assert response.status_code == 201, response.text
        assert response.json()["shipping"]["method"] == {"name": "Pakket (M)", "isTrackable": True}
        for section in (
            '"production":{"cost":24.44,"taxes":[{"rate":0.09,"amount":1.39,"calculatedOver":15.44},'
            '{"rate":0.21,"amount":1.89,"calculatedOver":9.00}]}',
            '"shipping":{"cost":6.95,"taxes":[{"rate":0.21,"amount":1.46,"calculatedOver":6.95}]}',
            '"handling":{"cost":1.10,"taxes":[{"rate":0.21,"amount":0.23,"calculatedOver":1.10}]}',
            '"discount":{"cost":0.0,"taxes":[]}',
            '"total":{"cost":32.49,"taxes":[{"rate":0.09,"amount":1.39,"calculatedOver":15.44},'
            '{"rate":0.21,"amount":3.58,"calculatedOver":17.05}]}',
        ):
            assert section in response.text

    async def test_quantity_multiplies_the_production_cost(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        order = await place(client, auth_headers, order_body(book_item(quantity=3)))

        assert order["invoice"]["production"]["cost"] == 32.07

    async def test_photo_prints_tracked_ship_by_letterbox_parcel_at_the_photo_rate(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        body = order_body(
            {"productId": "fotoprints_15x10", "pageCount": 10, "quantity": 1},
            shipping={"address": address(), "preference": "Tracked"},
        )

        response = await post(client, auth_headers, body)

        assert response.status_code == 201, response.text
        assert response.json()["shipping"]["method"] == {"name": "Brievenbuspakje", "isTrackable": True}
        assert (
            '"shipping":{"cost":2.95,"taxes":[{"rate":0.21,"amount":0.62,"calculatedOver":2.95}]}'
            in response.text
        )
        assert '"handling":{"cost":0.40,' in response.text


class TestCustomIds:
    async def test_a_custom_id_of_36_characters_is_kept_and_located(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        custom = "shop-" + "x" * 31
        response = await post(client, auth_headers, order_body(book_item(id="regel-1"), id=custom))

        assert response.status_code == 201, response.text
        assert response.json()["id"] == custom
        assert response.json()["items"][0]["id"] == "regel-1"
        assert response.headers["location"] == f"http://testserver/v2/orders/{custom}"
        assert (await client.get(f"/v2/orders/{custom}", headers=auth_headers)).status_code == 200

    async def test_an_id_of_37_characters_is_refused(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        await refused(client, auth_headers, order_body(id="x" * 37), "id")

    async def test_an_item_id_of_37_characters_is_refused(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        await refused(client, auth_headers, order_body(book_item(id="x" * 37)), "items[0].id")

    @pytest.mark.parametrize("custom", ["a/b", "a b", "50%", "a?b", "a#b", "zoë"])
    async def test_an_id_that_would_not_survive_a_url_is_refused(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str], custom: str
    ) -> None:
        await refused(client, auth_headers, order_body(id=custom), "id")

    async def test_an_id_used_before_in_the_account_is_a_conflict_and_stores_nothing(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        await place(client, auth_headers, order_body(id="shop-100045"))

        error = await refused(client, auth_headers, order_body(dict(POSTER), id="shop-100045"), "id", 409)

        assert "shop-100045" in error["message"]
        order = (await client.get("/v2/orders/shop-100045", headers=auth_headers)).json()
        assert order["items"][0]["productId"] == "boek_hc_a5_sta"
        assert len(await changes(client, auth_headers)) == 1

    async def test_two_orders_racing_for_one_id_place_exactly_one(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        body = order_body(id="shop-race")

        responses = await asyncio.gather(post(client, auth_headers, body), post(client, auth_headers, body))

        assert sorted(response.status_code for response in responses) == [201, 409]
        assert_error(next(r for r in responses if r.status_code == 409), 409, field="id")
        assert await order_count(client, auth_headers) == 1
        assert len(await changes(client, auth_headers)) == 1

    async def test_another_account_may_use_the_same_id(
        self, client: httpx.AsyncClient, runtime: Runtime, auth_headers: dict[str, str]
    ) -> None:
        await place(client, auth_headers, order_body(id="shop-100045"))
        other = await bearer(client, await make_credentials(runtime))

        response = await post(client, other, order_body(id="shop-100045"))

        assert response.status_code == 201, response.text

    async def test_the_live_environment_of_the_same_account_may_use_the_same_id(
        self, client: httpx.AsyncClient, runtime: Runtime, shop: Credentials, auth_headers: dict[str, str]
    ) -> None:
        await place(client, auth_headers, order_body(id="shop-100045"))
        live = await bearer(
            client, await make_credentials(runtime, email=shop.email, environment=Environment.LIVE)
        )

        response = await post(client, live, order_body(id="shop-100045"))

        assert response.status_code == 201, response.text

    async def test_an_item_id_used_twice_in_one_order_is_refused(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        await refused(client, auth_headers, order_body(book_item(id="r1"), book_item(id="r1")), "items[1].id")

    async def test_a_generated_id_that_is_taken_is_drawn_again(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        await place(client, auth_headers, order_body(id="12345678"))
        drawn = iter(["12345678", "12345678", "87654321"])
        monkeypatch.setattr(ids, "random_order_id", lambda: next(drawn))

        order = await place(client, auth_headers, order_body())

        assert order["id"] == "87654321"
        assert await order_count(client, auth_headers) == 2
        assert len(await changes(client, auth_headers)) == 2

    async def test_an_empty_id_gets_a_generated_one(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        order = await place(client, auth_headers, order_body(id=""))

        assert re.fullmatch(r"[1-9][0-9]{7}", order["id"])


class TestFiles:
    async def test_items_without_files_wait_for_an_upload_of_each_file(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        order = await place(client, auth_headers, order_body(book_item(), dict(POSTER)))

        book, poster = (item["files"] for item in order["items"])
        assert list(book) == ["content", "cover"]
        assert list(poster) == ["content"]
        urls = []
        for file in (book["content"], book["cover"], poster["content"]):
            assert list(file) == ["status", "uploadUrl"]
            assert file["status"] == "AwaitingUpload"
            assert UPLOAD_URL.fullmatch(file["uploadUrl"]), file["uploadUrl"]
            urls.append(file["uploadUrl"])
        assert len(set(urls)) == 3

    async def test_null_files_wait_for_an_upload(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        order = await place(client, auth_headers, order_body(book_item(files=None)))

        assert order["items"][0]["files"]["content"]["status"] == "AwaitingUpload"

    async def test_items_with_urls_wait_for_the_download(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        item = book_item(files={"content": CONTENT_URL, "cover": COVER_URL})

        order = await place(client, auth_headers, order_body(item))

        assert order["items"][0]["files"] == {
            "content": {"status": "DownloadPending", "downloadUrl": CONTENT_URL},
            "cover": {"status": "DownloadPending", "downloadUrl": COVER_URL},
        }

    async def test_a_content_url_alone_leaves_the_cover_to_upload(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        order = await place(client, auth_headers, order_body(book_item(files={"content": CONTENT_URL})))

        files = order["items"][0]["files"]
        assert files["content"] == {"status": "DownloadPending", "downloadUrl": CONTENT_URL}
        assert files["cover"]["status"] == "AwaitingUpload"
        assert UPLOAD_URL.fullmatch(files["cover"]["uploadUrl"])

    async def test_a_cover_url_for_a_product_without_a_cover_is_refused(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        item = {**POSTER, "files": {"content": CONTENT_URL, "cover": COVER_URL}}

        await refused(client, auth_headers, order_body(item), "items[0].files.cover")

    @pytest.mark.parametrize(
        "url", ["ftp://files.example.nl/a.pdf", "file:///etc/passwd", "files.example.nl/a.pdf", ""]
    )
    async def test_a_url_that_is_not_http_is_refused(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str], url: str
    ) -> None:
        await refused(
            client, auth_headers, order_body(book_item(files={"content": url})), "items[0].files.content"
        )

    async def test_a_url_longer_than_2048_characters_is_refused(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        url = "https://files.example.nl/" + "a" * 2030

        await refused(
            client, auth_headers, order_body(book_item(files={"content": url})), "items[0].files.content"
        )


class TestOptions:
    async def test_a_chosen_option_is_echoed_with_its_name_and_priced(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        item = book_item(options=[{"id": "cover_finish", "value": "laminate_matte"}])

        order = await place(client, auth_headers, order_body(item))

        assert order["items"][0]["options"] == [
            {"id": "cover_finish", "value": "laminate_matte", "name": "Mat laminaat"}
        ]
        assert list(order["items"][0]["options"][0]) == ["id", "value", "name"]
        assert order["invoice"]["production"]["cost"] == 13.44  # 10.69 + 2.75

    async def test_an_option_priced_per_extra_page_counts_the_pages_above_the_minimum(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        item = book_item(options=[{"id": "content_finish", "value": "uv_gloss"}])

        order = await place(client, auth_headers, order_body(item))

        assert order["invoice"]["production"]["cost"] == 13.23  # 10.69 + 1.98 + 8 × 0.07

    async def test_a_default_choice_sent_explicitly_costs_nothing_extra(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        item = book_item(options=[{"id": "cover_finish", "value": "laminate_gloss"}])

        order = await place(client, auth_headers, order_body(item))

        assert order["invoice"]["production"]["cost"] == 10.69
        assert order["items"][0]["options"][0]["name"] == "Glans laminaat"

    async def test_an_unknown_option_is_refused(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        item = book_item(options=[{"id": "gold_leaf", "value": "yes"}])

        await refused(client, auth_headers, order_body(item), "items[0].options[0].id")

    async def test_an_unknown_choice_is_refused(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        item = book_item(options=[{"id": "cover_finish", "value": "velvet"}])

        await refused(client, auth_headers, order_body(item), "items[0].options[0].value")

    async def test_an_option_given_twice_is_refused(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        item = book_item(
            options=[
                {"id": "cover_finish", "value": "laminate_matte"},
                {"id": "cover_finish", "value": "laminate_gloss"},
            ]
        )

        await refused(client, auth_headers, order_body(item), "items[0].options[1].id")

    async def test_an_option_on_a_product_without_options_is_refused(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        item = {**POSTER, "options": [{"id": "cover_finish", "value": "laminate_matte"}]}

        await refused(client, auth_headers, order_body(item), "items[0].options[0].id")

    @pytest.mark.parametrize(
        ("option", "field"),
        [
            ({"id": "cover_finish"}, "items[0].options[0].value"),
            ({"value": "laminate_matte"}, "items[0].options[0].id"),
            ({"id": "cover_finish", "value": 2}, "items[0].options[0].value"),
            ("cover_finish", "items[0].options[0]"),
        ],
        ids=["no-value", "no-id", "number-value", "not-an-object"],
    )
    async def test_an_incomplete_option_is_refused(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str], option: Any, field: str
    ) -> None:
        await refused(client, auth_headers, order_body(book_item(options=[option])), field)


class TestProductionSpeed:
    async def test_standard_is_the_default_speed(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        order = await place(client, auth_headers, order_body())

        assert order["productionSpeed"] == "Standard"

    async def test_express_adds_a_quarter_to_the_production_cost(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        order = await place(client, auth_headers, order_body(productionSpeed="Express"))

        assert order["productionSpeed"] == "Express"
        assert order["invoice"]["production"]["cost"] == 13.36  # 10.69 × 1.25 = 13.3625

    async def test_express_only_surcharges_the_items_that_offer_it(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        order = await place(
            client, auth_headers, order_body(book_item(), dict(POSTER), productionSpeed="Express")
        )

        assert order["invoice"]["production"]["cost"] == 17.86  # 13.36 + 4.50

    async def test_express_on_an_order_where_no_item_offers_it_is_refused(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        await refused(
            client, auth_headers, order_body(dict(POSTER), productionSpeed="Express"), "productionSpeed"
        )

    @pytest.mark.parametrize("speed", ["Turbo", "express", 1])
    async def test_an_unknown_speed_is_refused(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str], speed: Any
    ) -> None:
        await refused(client, auth_headers, order_body(productionSpeed=speed), "productionSpeed")


class TestLimits:
    async def test_order_metadata_of_4092_characters_is_kept(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        order = await place(client, auth_headers, order_body(metadata="m" * 4092))

        assert order["metadata"] == "m" * 4092

    async def test_order_metadata_of_4093_characters_is_refused(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        await refused(client, auth_headers, order_body(metadata="m" * 4093), "metadata")

    async def test_item_metadata_of_1024_characters_is_kept(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        order = await place(client, auth_headers, order_body(book_item(metadata="m" * 1024)))

        assert order["items"][0]["metadata"] == "m" * 1024

    async def test_item_metadata_of_1025_characters_is_refused(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        await refused(client, auth_headers, order_body(book_item(metadata="m" * 1025)), "items[0].metadata")

    async def test_a_title_of_64_characters_is_kept(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        order = await place(client, auth_headers, order_body(book_item(title="t" * 64)))

        assert order["items"][0]["title"] == "t" * 64

    async def test_a_title_of_65_characters_is_refused(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        await refused(client, auth_headers, order_body(book_item(title="t" * 65)), "items[0].title")

    @pytest.mark.parametrize(
        "email",
        ["klant", "klant@", "@example.nl", "klant@example", "kl ant@example.nl", "a@b.nl" + "x" * 250],
    )
    async def test_an_invalid_email_is_refused(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str], email: str
    ) -> None:
        await refused(client, auth_headers, order_body(email=email), "email")

    async def test_a_username_of_65_characters_is_refused(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        await refused(client, auth_headers, order_body(username="u" * 65), "username")

    async def test_a_coupon_of_65_characters_is_refused(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        await refused(client, auth_headers, order_body(coupon="c" * 65), "coupon")

    @pytest.mark.parametrize(
        ("member", "value"),
        [
            ("name", "n" * 101),
            ("company", "c" * 101),
            ("line1", "l" * 101),
            ("line2", "l" * 101),
            ("postCode", "1" * 17),
            ("city", "c" * 65),
            ("state", "ABCD"),
            ("name", "   "),
            ("name", ""),
        ],
    )
    async def test_an_address_field_too_long_or_blank_is_refused(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str], member: str, value: str
    ) -> None:
        body = order_body(shipping={"address": address(**{member: value})})

        await refused(client, auth_headers, body, f"shipping.address.{member}")

    @pytest.mark.parametrize("member", ["name", "line1", "postCode", "city", "country"])
    async def test_an_address_without_a_required_field_is_refused(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str], member: str
    ) -> None:
        incomplete = address()
        del incomplete[member]

        await refused(
            client, auth_headers, order_body(shipping={"address": incomplete}), f"shipping.address.{member}"
        )

    @pytest.mark.parametrize(("country", "state"), [("XX", None), ("nl", None), ("US", "ZZZ")])
    async def test_an_unknown_destination_is_refused(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str], country: str, state: str | None
    ) -> None:
        body = order_body(shipping={"address": address(country=country, state=state)})

        await refused(
            client, auth_headers, body, "shipping.address.state" if state else "shipping.address.country"
        )

    async def test_a_shipping_without_an_address_is_refused(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        await refused(client, auth_headers, order_body(shipping={"preference": "Auto"}), "shipping.address")

    async def test_an_unknown_shipping_preference_is_refused(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        body = order_body(shipping={"address": address(), "preference": "Fastest"})

        await refused(client, auth_headers, body, "shipping.preference")

    async def test_an_order_of_100_items_is_accepted_and_101_refused(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        items = [dict(POSTER) for _ in range(100)]
        order = await place(client, auth_headers, order_body(*items))
        assert len(order["items"]) == 100

        await refused(client, auth_headers, order_body(*items, dict(POSTER)), "items")
