"""The catalogue: ``GET /v2/products`` (paged, sorted by name) and ``GET /v2/products/{id}`` (spec §3.7)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.api.helpers import API_JSON, assert_error, compact

# Spec Appendix B.2, the real 2025 response for boek_hc_a4_lig, in its member order and number formats.
B2 = """
{
  "id": "boek_hc_a4_lig",
  "name": "Boek Hardcover A4 Liggend",
  "category": "Hardcover boeken",
  "taxRate": 0.09,
  "cost": { "base": 10.88, "perExtraPage": 0.25 },
  "minQuantity": 1,
  "maxQuantity": 1000,
  "hasVariablePageCount": true,
  "minPageCount": 24,
  "maxPageCount": 200,
  "pageCountIncrement": 2,
  "paperThickness": 0.14,
  "options": [
    { "id": "cover_finish", "default": "laminate_gloss", "label": "Afwerking omslag",
      "choices": [
        { "value": "laminate_gloss", "name": "Glans laminaat",
          "cost": { "base": 0.00, "perExtraPage": 0.00 } },
        { "value": "laminate_matte", "name": "Mat laminaat",
          "cost": { "base": 2.75, "perExtraPage": 0.00 } } ] },
    { "id": "content_finish", "default": "standard", "label": "Afwerking binnenwerk",
      "choices": [
        { "value": "standard", "name": "Standaard",    "cost": { "base": 0.00, "perExtraPage": 0.00 } },
        { "value": "uv_gloss", "name": "UV Hoogglans", "cost": { "base": 1.98, "perExtraPage": 0.07 } } ] }
  ],
  "files": [
    { "id": "content", "height": 216.00, "width": 303.00, "bleed": 3.00, "accepts": [ "PDF" ] },
    { "id": "cover",   "height": 253.00, "width": 646.00, "bleed": 19.00, "accepts": [ "PDF" ] }
  ],
  "productionTimeInDays": 3,
  "productionTimes": [
    { "speed": "Standard", "days": 3, "limitHour": 11 },
    { "speed": "Express",  "days": 2, "limitHour": 11 }
  ]
}
"""


async def listing(client: httpx.AsyncClient, headers: dict[str, str], **params: Any) -> httpx.Response:
    return await client.get("/v2/products", params=params, headers=headers)


async def every_product(client: httpx.AsyncClient, headers: dict[str, str]) -> list[dict[str, str]]:
    results: list[dict[str, str]] = []
    offset = 0
    while True:
        body = (await listing(client, headers, offset=offset, limit=100)).json()
        results.extend(body["results"])
        offset += 100
        if offset >= body["count"]:
            return results


class TestProductList:
    async def test_the_first_page_has_twenty_of_the_499_products_starting_with_the_legacy_book(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        response = await listing(client, auth_headers)

        assert response.status_code == 200
        assert response.headers["content-type"] == API_JSON
        body = response.json()
        assert list(body) == ["count", "offset", "limit", "results"]
        assert (body["count"], body["offset"], body["limit"]) == (499, 0, 20)
        assert len(body["results"]) == 20
        first = body["results"][0]
        assert list(first) == ["id", "name", "url"]
        assert first == {
            "id": "boek_ge_21x21",
            "name": "(Legacy) Boek Geniet 21 x 21",
            "url": "http://testserver/v2/products/boek_ge_21x21",
        }

    async def test_the_last_page_is_short_and_ends_with_the_xl_tile(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        body = (await listing(client, auth_headers, offset=450, limit=50)).json()

        assert (body["count"], body["offset"], body["limit"]) == (499, 450, 50)
        assert len(body["results"]) == 49
        assert body["results"][-1]["name"] == "XL Tegeltje 20x20"

    async def test_paging_through_the_whole_list_gives_every_product_once_sorted_ordinally_by_name(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        products = await every_product(client, auth_headers)

        names = [product["name"] for product in products]
        assert len(products) == 499
        assert len({product["id"] for product in products}) == 499
        assert names == sorted(names)
        assert names[0] == "(Legacy) Boek Geniet 21 x 21"
        assert names[-1] == "XL Tegeltje 20x20"
        assert all(p["url"] == f"http://testserver/v2/products/{p['id']}" for p in products)

    async def test_offset_and_limit_pick_a_window_and_are_echoed(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        whole = (await listing(client, auth_headers, limit=10)).json()["results"]

        body = (await listing(client, auth_headers, offset=5, limit=3)).json()

        assert (body["count"], body["offset"], body["limit"]) == (499, 5, 3)
        assert body["results"] == whole[5:8]

    async def test_an_offset_past_the_end_is_an_empty_page(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        response = await listing(client, auth_headers, offset=499)

        assert response.status_code == 200
        assert '"results":[]' in response.text
        assert response.json()["count"] == 499

    async def test_a_limit_of_100_is_the_largest_page(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        body = (await listing(client, auth_headers, limit=100)).json()

        assert body["limit"] == 100
        assert len(body["results"]) == 100

    async def test_a_limit_above_100_is_refused_with_a_hint(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        body = assert_error(await listing(client, auth_headers, limit=101), 400, field="limit")

        assert body["hints"]
        assert "100" in body["hints"][0]

    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({"offset": -1}, "offset"),
            ({"limit": 0}, "limit"),
            ({"limit": -5}, "limit"),
            ({"limit": "abc"}, "limit"),
            ({"offset": "1.5"}, "offset"),
            ({"offset": ""}, "offset"),
        ],
        ids=[
            "negative-offset",
            "zero-limit",
            "negative-limit",
            "text-limit",
            "decimal-offset",
            "empty-offset",
        ],
    )
    async def test_a_bad_offset_or_limit_is_refused_naming_it(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str], params: dict[str, Any], field: str
    ) -> None:
        assert_error(await listing(client, auth_headers, **params), 400, field=field)

    async def test_the_v1_alias_lists_v1_urls(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        body = (await client.get("/v1/products", headers=auth_headers)).json()

        assert body["results"][0]["url"] == "http://testserver/v1/products/boek_ge_21x21"


class TestProductDetail:
    async def test_the_a4_landscape_hardcover_is_exactly_the_real_response_of_b2(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        response = await client.get("/v2/products/boek_hc_a4_lig", headers=auth_headers)

        assert response.status_code == 200
        assert response.headers["content-type"] == API_JSON
        assert response.text == compact(B2)

    async def test_decimals_keep_their_scale(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        text = (await client.get("/v2/products/boek_hc_a4_lig", headers=auth_headers)).text

        for fragment in ('"height":216.00', '"bleed":19.00', '"taxRate":0.09', '"base":0.00', '"base":1.98'):
            assert fragment in text

    async def test_a_fixed_page_product_has_a_fixed_page_count_and_no_page_range(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        body = (await client.get("/v2/products/poster_a3_sta", headers=auth_headers)).json()

        assert body["hasVariablePageCount"] is False
        assert body["fixedPageCount"] == 1
        for absent in ("minPageCount", "maxPageCount", "pageCountIncrement", "paperThickness"):
            assert absent not in body
        assert body["options"] == []
        assert [file["id"] for file in body["files"]] == ["content"]
        assert body["taxRate"] == 0.21

    async def test_the_photo_prints_count_prints_as_pages(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        body = (await client.get("/v2/products/fotoprints_15x10", headers=auth_headers)).json()

        assert body["hasVariablePageCount"] is True
        assert (body["minPageCount"], body["maxPageCount"], body["pageCountIncrement"]) == (1, 500, 1)

    async def test_an_unknown_product_is_not_found(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        body = assert_error(await client.get("/v2/products/boek_xx", headers=auth_headers), 404)

        assert "boek_xx" in body["message"]

    async def test_product_ids_are_case_sensitive(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        assert_error(await client.get("/v2/products/BOEK_HC_A4_LIG", headers=auth_headers), 404)

    async def test_every_listed_product_has_a_detail(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        for product in await every_product(client, auth_headers):
            response = await client.get(f"/v2/products/{product['id']}", headers=auth_headers)
            assert response.status_code == 200, product
            assert response.json()["name"] == product["name"]
