"""Wire details shared by every endpoint (spec §1.1, §1.2, §3.12; architecture §7), docs and health."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.api.helpers import API_JSON, assert_error, place
from tests.conftest import order_body

V2_PATHS = {
    "/v2/oauth",
    "/v2/products",
    "/v2/products/{product_id}",
    "/v2/shipping/quote",
    "/v2/orders",
    "/v2/orders/{order_id}",
    "/v2/orders/{order_id}/status",
    "/v2/sync/statuses",
    "/v2/operator/accounts/{account_id}/orders/{order_id}/status",
}


class TestUnknownRoutes:
    @pytest.mark.parametrize(
        "path", ["/v2/nothing", "/v2/order", "/v3/orders", "/nothing", "/v2/products/x/y"]
    )
    async def test_an_unknown_path_is_not_found_in_the_error_body(
        self, client: httpx.AsyncClient, path: str
    ) -> None:
        body = assert_error(await client.get(path), 404)

        assert path in body["message"]

    @pytest.mark.parametrize(
        ("method", "path", "allowed"),
        [
            ("DELETE", "/v2/orders", "POST"),
            ("PUT", "/v2/products", "GET"),
            ("PATCH", "/v2/orders/12345678", "GET"),
            ("GET", "/v2/shipping/quote", "POST"),
        ],
    )
    async def test_a_wrong_method_is_not_allowed_in_the_error_body(
        self, client: httpx.AsyncClient, method: str, path: str, allowed: str
    ) -> None:
        response = await client.request(method, path)

        body = assert_error(response, 405)
        assert method in body["message"]
        assert allowed in response.headers["allow"]


class TestHeaders:
    async def test_api_responses_are_json_in_utf8_and_uncacheable(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        response = await client.get("/v2/products", headers=auth_headers)

        assert response.headers["content-type"] == API_JSON
        assert response.headers["cache-control"] == "no-cache"

    @pytest.mark.parametrize("path", ["/v2/orders", "/v2/nothing", "/v1/orders"])
    async def test_errors_are_uncacheable_too(self, client: httpx.AsyncClient, path: str) -> None:
        response = await client.get(path)

        assert response.status_code in (401, 404)
        assert response.headers["cache-control"] == "no-cache"

    async def test_the_token_response_is_not_stored(self, client: httpx.AsyncClient) -> None:
        response = await client.post("/v2/oauth", data={"grant_type": "client_credentials"})

        assert response.headers["cache-control"] == "no-store"

    @pytest.mark.parametrize("path", ["/v2/products", "/v2/nothing", "/healthz", "/docs"])
    async def test_every_response_carries_a_request_id(self, client: httpx.AsyncClient, path: str) -> None:
        response = await client.get(path)

        assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])

    async def test_each_request_gets_its_own_id(self, client: httpx.AsyncClient) -> None:
        first = await client.get("/healthz")
        second = await client.get("/healthz")

        assert first.headers["x-request-id"] != second.headers["x-request-id"]

    async def test_a_request_id_sent_by_the_client_is_echoed(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/v2/products", headers={"X-Request-Id": "shop-trace-42"})

        assert response.headers["x-request-id"] == "shop-trace-42"


class TestNumbersAndDates:
    async def test_money_keeps_two_decimals_and_the_zero_discount_is_written_as_0_0(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        response = await client.post("/v2/orders", json=order_body(), headers=auth_headers)

        assert '"handling":{"cost":0.87,' in response.text
        assert '"discount":{"cost":0.0,"taxes":[]}' in response.text
        assert '"rate":0.09' in response.text

    async def test_a_date_time_has_no_offset_and_no_trailing_zeros(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        order = await place(client, auth_headers, order_body())

        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d*[1-9])?", order["dateTime"])


class TestHealthAndDocs:
    async def test_health_answers_ok_with_the_version(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/healthz")

        assert response.status_code == 200
        body = response.json()
        assert body["status"] == "ok"
        assert isinstance(body["version"], str)
        assert body["version"]

    async def test_the_openapi_document_lists_every_v2_endpoint_and_no_v1_alias(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.get("/v2/openapi.json")

        assert response.status_code == 200
        document = response.json()
        assert document["openapi"].startswith("3.")
        assert set(document["paths"]) >= V2_PATHS
        assert not [path for path in document["paths"] if path.startswith("/v1/")]
        assert set(document["paths"]["/v2/orders"]) == {"get", "post"}

    async def test_the_docs_page_loads_swagger_ui_from_our_own_static_files(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.get("/docs")

        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        html = response.text
        assert "/static/swagger-ui/swagger-ui-bundle.js" in html
        assert "/static/swagger-ui/swagger-ui.css" in html
        assert "/v2/openapi.json" in html
        for cdn in ("cdn.jsdelivr", "unpkg.com", "cdnjs", "//cdn"):
            assert cdn not in html
        assert not re.search(r"""(src|href)=["']https?://""", html)

    @pytest.mark.parametrize(
        ("path", "media"),
        [
            ("/static/swagger-ui/swagger-ui-bundle.js", "javascript"),
            ("/static/swagger-ui/swagger-ui.css", "text/css"),
        ],
    )
    async def test_the_swagger_ui_assets_are_served(
        self, client: httpx.AsyncClient, path: str, media: str
    ) -> None:
        response = await client.get(path)

        assert response.status_code == 200
        assert media in response.headers["content-type"]
        assert len(response.content) > 10_000

    async def test_an_unknown_static_file_is_not_found(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/static/swagger-ui/nothing.js")

        assert response.status_code == 404
