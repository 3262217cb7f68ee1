"""The webhook extension API: managing endpoints, and bad input that changes nothing."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from printapi.auth.principal import Environment
from printapi.runtime import Runtime
from tests.conftest import bearer, make_credentials
from tests.webhooks.conftest import Shop, add_endpoint

HOOK = "https://shop.example.nl/hooks/printapi"


async def endpoints(api: httpx.AsyncClient, shop: Shop) -> list[dict[str, Any]]:
    response = await api.get("/v2/webhooks", headers=shop.headers)
    assert response.status_code == 200
    results: list[dict[str, Any]] = response.json()["results"]
    return results


def assert_error(response: httpx.Response, status: int, field: str | None = None) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"message", "hints", "errors"}
    if field:
        assert field in [error["field"] for error in body["errors"]]


class TestManagingEndpoints:
    async def test_an_endpoint_is_created_with_a_secret_shown_once(
        self, api: httpx.AsyncClient, shop_api: Shop
    ) -> None:
        response = await api.post(
            "/v2/webhooks", json={"url": HOOK, "description": "shop"}, headers=shop_api.headers
        )

        assert response.status_code == 201
        created = response.json()
        assert created["id"].startswith("ep_")
        assert created["secret"].startswith("whsec_")
        assert response.headers["location"].endswith(f"/v2/webhooks/{created['id']}")
        listed = await endpoints(api, shop_api)
        assert [(e["id"], e["url"], e["enabled"]) for e in listed] == [(created["id"], HOOK, True)]
        assert "secret" not in listed[0]
        one = (await api.get(f"/v2/webhooks/{created['id']}", headers=shop_api.headers)).json()
        assert "secret" not in one

    async def test_an_endpoint_is_updated_disabled_enabled_and_deleted(
        self, api: httpx.AsyncClient, shop_api: Shop
    ) -> None:
        created = await add_endpoint(api, shop_api, HOOK)
        path = f"/v2/webhooks/{created['id']}"

        patched = await api.patch(
            path, json={"url": HOOK + "/v2", "description": "new"}, headers=shop_api.headers
        )
        disabled = await api.post(path + "/disable", headers=shop_api.headers)
        enabled = await api.post(path + "/enable", headers=shop_api.headers)
        deleted = await api.delete(path, headers=shop_api.headers)

        assert patched.json()["url"] == HOOK + "/v2"
        assert patched.json()["description"] == "new"
        assert disabled.json()["enabled"] is False
        assert enabled.json()["enabled"] is True
        assert deleted.status_code == 204
        assert await endpoints(api, shop_api) == []
        assert (await api.get(path, headers=shop_api.headers)).status_code == 404

    async def test_rotating_gives_a_new_secret(self, api: httpx.AsyncClient, shop_api: Shop) -> None:
        created = await add_endpoint(api, shop_api, HOOK)
        rotated = (
            await api.post(f"/v2/webhooks/{created['id']}/rotate-secret", headers=shop_api.headers)
        ).json()

        assert rotated["secret"].startswith("whsec_")
        assert rotated["secret"] != created["secret"]
        assert "previousSecretExpiresAt" in rotated

    async def test_endpoints_are_per_environment(
        self, api: httpx.AsyncClient, shop_api: Shop, live_runtime: Runtime
    ) -> None:
        await add_endpoint(api, shop_api, HOOK)
        live = await make_credentials(
            live_runtime, email=shop_api.credentials.email, environment=Environment.LIVE
        )
        live_headers = await bearer(api, live)

        assert (await api.get("/v2/webhooks", headers=live_headers)).json()["results"] == []

    async def test_deleting_an_endpoint_cancels_its_pending_notifications(
        self, api: httpx.AsyncClient, shop_api: Shop
    ) -> None:
        created = await add_endpoint(api, shop_api, HOOK)
        ping = (await api.post(f"/v2/webhooks/{created['id']}/ping", headers=shop_api.headers)).json()
        await api.delete(f"/v2/webhooks/{created['id']}", headers=shop_api.headers)

        resend = await api.post(f"/v2/webhooks/notifications/{ping['id']}/resend", headers=shop_api.headers)
        assert resend.status_code == 404


class TestBadInputChangesNothing:
    @pytest.mark.parametrize(
        "url",
        [
            "ftp://shop.example.nl/hook",
            "javascript:alert(1)",
            "shop.example.nl/hook",
            "https://",
            "https://shop.example.nl/" + "x" * 2100,
        ],
    )
    async def test_a_bad_url_is_a_400(self, api: httpx.AsyncClient, shop_api: Shop, url: str) -> None:
        response = await api.post("/v2/webhooks", json={"url": url}, headers=shop_api.headers)

        assert_error(response, 400, "url")
        assert await endpoints(api, shop_api) == []

    @pytest.mark.parametrize(
        "body", [{}, {"url": 5}, {"url": HOOK, "enabled": "yes"}, {"url": HOOK, "description": "d" * 201}]
    )
    async def test_a_malformed_body_is_a_400(
        self, api: httpx.AsyncClient, shop_api: Shop, body: dict[str, Any]
    ) -> None:
        assert_error(await api.post("/v2/webhooks", json=body, headers=shop_api.headers), 400)
        assert await endpoints(api, shop_api) == []

    async def test_a_private_address_is_named_with_the_schemas_problems(
        self, api: httpx.AsyncClient, shop_api: Shop
    ) -> None:
        body = {"url": "http://169.254.169.254/latest", "description": "d" * 201, "enabled": "yes"}

        response = await api.post("/v2/webhooks", json=body, headers=shop_api.headers)

        assert_error(response, 400)
        assert [error["field"] for error in response.json()["errors"]] == ["url", "description", "enabled"]
        assert response.json()["errors"][0]["message"] == "169.254.169.254 is not a public address"
        assert await endpoints(api, shop_api) == []

    async def test_a_change_to_a_bad_url_is_named_with_the_schemas_problems_and_changes_nothing(
        self, api: httpx.AsyncClient, shop_api: Shop
    ) -> None:
        endpoint = await add_endpoint(api, shop_api, HOOK)

        response = await api.patch(
            f"/v2/webhooks/{endpoint['id']}",
            json={"url": "http://10.0.0.1/hook", "enabled": 1},
            headers=shop_api.headers,
        )

        assert_error(response, 400)
        assert [error["field"] for error in response.json()["errors"]] == ["url", "enabled"]
        assert [e["url"] for e in await endpoints(api, shop_api)] == [HOOK]

    async def test_an_unknown_endpoint_id_is_a_404(self, api: httpx.AsyncClient, shop_api: Shop) -> None:
        for method, path in [
            ("GET", "/v2/webhooks/ep_nope"),
            ("PATCH", "/v2/webhooks/ep_nope"),
            ("DELETE", "/v2/webhooks/ep_nope"),
            ("POST", "/v2/webhooks/ep_nope/ping"),
            ("POST", "/v2/webhooks/ep_nope/rotate-secret"),
            ("GET", "/v2/webhooks/ep_nope/notifications"),
            ("POST", "/v2/webhooks/notifications/msg_nope/resend"),
        ]:
            response = await api.request(
                method, path, json={} if method == "PATCH" else None, headers=shop_api.headers
            )
            assert_error(response, 404)

    async def test_another_account_s_endpoint_is_a_404_and_stays_as_it_was(
        self, api: httpx.AsyncClient, shop_api: Shop, live_runtime: Runtime
    ) -> None:
        mine = await add_endpoint(api, shop_api, HOOK)
        other = await make_credentials(live_runtime)
        other_headers = await bearer(api, other)
        path = f"/v2/webhooks/{mine['id']}"

        assert_error(await api.get(path, headers=other_headers), 404)
        assert_error(await api.patch(path, json={"enabled": False}, headers=other_headers), 404)
        assert_error(await api.delete(path, headers=other_headers), 404)
        assert_error(await api.post(path + "/rotate-secret", headers=other_headers), 404)
        after = (await api.get(path, headers=shop_api.headers)).json()
        assert after["enabled"] is True
        assert after["url"] == HOOK

    async def test_a_token_without_the_webhooks_scope_is_a_403(
        self, api: httpx.AsyncClient, shop_api: Shop
    ) -> None:
        token = (
            await api.post(
                "/v2/oauth",
                data={
                    "grant_type": "client_credentials",
                    "client_id": shop_api.credentials.client_id,
                    "client_secret": shop_api.credentials.client_secret,
                    "scope": "orders:track",
                },
            )
        ).json()["access_token"]

        response = await api.get("/v2/webhooks", headers={"Authorization": f"Bearer {token}"})
        assert_error(response, 403)

    async def test_without_a_token_it_is_a_401(self, api: httpx.AsyncClient) -> None:
        assert_error(await api.get("/v2/webhooks"), 401)


class TestOrderLog:
    async def test_the_order_log_of_an_unknown_order_is_a_404(
        self, api: httpx.AsyncClient, shop_api: Shop
    ) -> None:
        assert_error(await api.get("/v2/orders/nope/notifications", headers=shop_api.headers), 404)
