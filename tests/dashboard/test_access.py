"""Who may see and change what: an owner only their own account, operators only their console."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import func, select

from printapi.auth.principal import Environment
from printapi.models import ApiClient, Coupon, Order, WebhookEndpoint, WebhookNotification
from printapi.runtime import Runtime
from tests.dashboard.conftest import Person, api_headers, place
from tests.dashboard.helpers import browser, post_form, token_in


async def rows(runtime: Runtime, model: type, *where: object) -> int:
    async with runtime.db.read() as session:
        query = select(func.count()).select_from(model).where(*where)  # type: ignore[arg-type]
        return int((await session.execute(query)).scalar_one())


async def post_with_token(person: Person, path: str, data: dict[str, str] | None = None) -> httpx.Response:
    """A change with the person's valid CSRF token (taken from their home page)."""
    page = await person.http.get("/dashboard", follow_redirects=True)
    return await person.http.post(path, data={"csrf_token": token_in(page.text), **(data or {})})


@pytest.fixture
async def others_things(runtime: Runtime, client: httpx.AsyncClient, other_owner: Person) -> dict[str, str]:
    """Another owner's test order, endpoint (with a ping in its log) and API client."""
    headers = await api_headers(runtime, client, other_owner.email)
    order = await place(client, headers)
    token = token_in((await other_owner.http.get("/dashboard/webhooks")).text)
    added = await other_owner.http.post(
        "/dashboard/webhooks",
        data={"csrf_token": token, "environment": "test", "url": "https://example.com/hook"},
    )
    endpoint_id = added.headers["location"].rsplit("/", 1)[1]
    await post_form(
        other_owner.http,
        f"/dashboard/webhooks/{endpoint_id}/ping",
        from_page=f"/dashboard/webhooks/{endpoint_id}",
    )
    async with runtime.db.read() as session:
        client_id = (
            await session.execute(
                select(ApiClient.client_id).where(ApiClient.account_id == other_owner.account_id)
            )
        ).scalar_one()
        notification = (await session.execute(select(WebhookNotification.id))).scalar_one()
    return {"order": order["id"], "endpoint": endpoint_id, "client": client_id, "notification": notification}


class TestAnOwnerSeesOnlyTheirOwnAccount:
    async def test_another_owners_order_and_endpoint_pages_are_not_found(
        self, owner: Person, others_things: dict[str, str]
    ) -> None:
        order, endpoint = others_things["order"], others_things["endpoint"]
        for path in (
            f"/dashboard/orders/test/{order}",
            f"/dashboard/orders/test/{order}/items/00000/files/content",
            f"/dashboard/webhooks/{endpoint}",
            f"/dashboard/webhooks/{endpoint}/log",
        ):
            response = await owner.http.get(path)
            assert response.status_code == 404, path
            assert response.headers["content-type"].startswith("text/html")

    async def test_another_owners_things_cannot_be_changed(
        self, runtime: Runtime, owner: Person, others_things: dict[str, str]
    ) -> None:
        order, endpoint = others_things["order"], others_things["endpoint"]
        actions = [
            (f"/dashboard/orders/test/{order}/status", {"status": "Processing"}),
            (f"/dashboard/webhooks/{endpoint}", {"url": "https://evil.example/steal"}),
            (f"/dashboard/webhooks/{endpoint}/enabled", {"enabled": "off"}),
            (f"/dashboard/webhooks/{endpoint}/rotate", {}),
            (f"/dashboard/webhooks/{endpoint}/ping", {}),
            (f"/dashboard/webhooks/{endpoint}/delete", {}),
            (f"/dashboard/webhooks/{endpoint}/notifications/{others_things['notification']}/resend", {}),
            (f"/dashboard/credentials/{others_things['client']}/revoke", {}),
        ]
        async with runtime.db.read() as session:
            before = (await session.execute(select(WebhookEndpoint))).scalar_one()

        for path, data in actions:
            response = await post_with_token(owner, path, data)
            assert response.status_code == 404, path

        async with runtime.db.read() as session:
            after = (await session.execute(select(WebhookEndpoint))).scalar_one()
            status = (await session.execute(select(Order.status))).scalar_one()
        assert (after.url, after.enabled, after.secret, after.deleted_at) == (
            before.url,
            before.enabled,
            before.secret,
            None,
        )
        assert status == "Created"
        assert await rows(runtime, WebhookNotification) == 1
        assert await rows(runtime, ApiClient, ApiClient.revoked_at.is_not(None)) == 0

    async def test_another_owners_orders_are_not_in_the_list(
        self, owner: Person, others_things: dict[str, str]
    ) -> None:
        page = await owner.http.get("/dashboard/orders", params={"q": others_things["order"]})

        assert page.status_code == 200
        assert "No orders match." in page.text


class TestRoles:
    @pytest.mark.parametrize(
        "path",
        [
            "/dashboard/operator",
            "/dashboard/operator/accounts",
            "/dashboard/operator/coupons",
            "/dashboard/operator/mail",
        ],
    )
    async def test_operator_pages_are_refused_to_owners(self, owner: Person, path: str) -> None:
        response = await owner.http.get(path)

        assert response.status_code == 403
        assert "for the print shop&#39;s operators" in response.text

    async def test_operator_actions_are_refused_to_owners(
        self, runtime: Runtime, client: httpx.AsyncClient, owner: Person
    ) -> None:
        order = await place(client, await api_headers(runtime, client, owner.email, Environment.LIVE))

        coupon = await post_with_token(
            owner, "/dashboard/operator/coupons", {"code": "FREE", "type": "Percentage", "value": "100"}
        )
        moved = await post_with_token(
            owner,
            f"/dashboard/operator/orders/{owner.account_id}/live/{order['id']}/status",
            {"status": "Processing"},
        )

        assert coupon.status_code == 403
        assert moved.status_code == 403
        assert await rows(runtime, Coupon) == 0
        assert await rows(runtime, Order, Order.status == "Created") == 1

    @pytest.mark.parametrize(
        "path", ["/dashboard/credentials", "/dashboard/webhooks", "/dashboard/orders", "/dashboard/settings"]
    )
    async def test_owner_pages_are_refused_to_operators(self, operator: Person, path: str) -> None:
        response = await operator.http.get(path)

        assert response.status_code == 403

    async def test_the_dashboards_home_sends_operators_to_their_console(self, operator: Person) -> None:
        response = await operator.http.get("/dashboard")

        assert response.status_code == 303
        assert response.headers["location"] == "/dashboard/operator"


class TestWithoutASession:
    async def test_pages_send_you_to_sign_in_and_back(self, runtime: Runtime) -> None:
        async with browser(runtime) as http:
            response = await http.get("/dashboard/orders", params={"status": "Created"})

        assert response.status_code == 303
        assert (
            response.headers["location"] == "/dashboard/sign-in?next=%2Fdashboard%2Forders%3Fstatus%3DCreated"
        )

    async def test_a_change_without_a_session_changes_nothing(self, runtime: Runtime, owner: Person) -> None:
        async with browser(runtime) as http:
            response = await http.post(
                "/dashboard/credentials", data={"environment": "test", "csrf_token": "x"}
            )

        assert response.status_code == 303
        assert response.headers["location"] == "/dashboard/sign-in"
        assert await rows(runtime, ApiClient) == 0

    async def test_htmx_requests_are_told_to_go_to_sign_in(self, runtime: Runtime) -> None:
        async with browser(runtime) as http:
            response = await http.get("/dashboard/webhooks/ep_x/log", headers={"HX-Request": "true"})

        assert response.status_code == 200
        assert response.headers["hx-redirect"].startswith("/dashboard/sign-in")


class TestTheApiIsUntouched:
    async def test_unknown_dashboard_pages_are_html_and_unknown_api_paths_json(self, owner: Person) -> None:
        page = await owner.http.get("/dashboard/no-such-page")
        api = await owner.http.get("/v2/no-such-endpoint")

        assert page.status_code == 404
        assert page.headers["content-type"].startswith("text/html")
        assert api.status_code == 404
        assert api.headers["content-type"].startswith("application/json")

    async def test_api_writes_still_need_json(
        self, client: httpx.AsyncClient, runtime: Runtime, owner: Person
    ) -> None:
        headers = await api_headers(runtime, client, owner.email)

        response = await client.post("/v2/orders", data={"items": "x"}, headers=headers)

        assert response.status_code == 415
        assert response.json()["message"].startswith("Send the body as JSON")

    async def test_a_malformed_dashboard_address_is_a_400_page(self, owner: Person) -> None:
        response = await owner.http.get("/dashboard/orders/production/A-1")

        assert response.status_code == 400
        assert response.headers["content-type"].startswith("text/html")
        assert "environment" in response.text

    async def test_the_root_leads_to_the_dashboard(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/")

        assert response.status_code == 303
        assert response.headers["location"] == "/dashboard"

    async def test_dashboard_pages_carry_the_security_headers(self, owner: Person) -> None:
        response = await owner.http.get("/dashboard")

        assert response.headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        assert "script-src 'self'" in response.headers["content-security-policy"]
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["x-content-type-options"] == "nosniff"
