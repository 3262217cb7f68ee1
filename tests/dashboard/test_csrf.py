"""Every state-changing dashboard request proves it comes from our own page, or changes nothing."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from printapi.models import ApiClient
from printapi.runtime import Runtime
from tests.dashboard.conftest import Person
from tests.dashboard.helpers import browser, sign_up, token_in


async def clients_of(runtime: Runtime, account_id: int) -> int:
    async with runtime.db.read() as session:
        query = select(func.count()).select_from(ApiClient).where(ApiClient.account_id == account_id)
        return int((await session.execute(query)).scalar_one())


async def create_credentials(http: httpx.AsyncClient, **request: Any) -> httpx.Response:
    return await http.post("/dashboard/credentials", **request)


class TestTheCsrfToken:
    async def test_a_form_with_the_pages_token_is_accepted(self, runtime: Runtime, owner: Person) -> None:
        token = token_in((await owner.http.get("/dashboard/credentials")).text)

        response = await create_credentials(owner.http, data={"csrf_token": token, "environment": "test"})

        assert response.status_code == 303
        assert await clients_of(runtime, owner.account_id) == 1

    @pytest.mark.parametrize("token", [None, "", "not-the-token", "ünïcode"])
    async def test_a_missing_or_wrong_token_is_a_403_page_and_nothing_changes(
        self, runtime: Runtime, owner: Person, token: str | None
    ) -> None:
        data = {"environment": "test"} | ({} if token is None else {"csrf_token": token})

        response = await create_credentials(owner.http, data=data)

        assert response.status_code == 403
        assert response.headers["content-type"].startswith("text/html")
        assert "did not come from this dashboard" in response.text
        assert await clients_of(runtime, owner.account_id) == 0

    async def test_htmx_requests_may_send_the_token_as_a_header(
        self, runtime: Runtime, owner: Person
    ) -> None:
        token = token_in((await owner.http.get("/dashboard/credentials")).text)

        response = await create_credentials(
            owner.http, data={"environment": "test"}, headers={"X-CSRF-Token": token, "HX-Request": "true"}
        )

        assert response.status_code == 303
        assert await clients_of(runtime, owner.account_id) == 1

    async def test_another_sessions_token_is_not_accepted(
        self, runtime: Runtime, owner: Person, other_owner: Person
    ) -> None:
        foreign = token_in((await other_owner.http.get("/dashboard/credentials")).text)

        response = await create_credentials(owner.http, data={"csrf_token": foreign, "environment": "test"})

        assert response.status_code == 403
        assert await clients_of(runtime, owner.account_id) == 0
        assert await clients_of(runtime, other_owner.account_id) == 0

    async def test_the_body_token_of_the_page_also_sits_in_the_htmx_header_of_the_body(
        self, owner: Person
    ) -> None:
        page = (await owner.http.get("/dashboard/credentials")).text

        assert f'hx-headers=\'{{"X-CSRF-Token": "{token_in(page)}"}}\'' in page


class TestTheOrigin:
    @pytest.mark.parametrize(
        "headers",
        [
            {"Origin": "https://evil.example"},
            {"Origin": "null"},
            {"Origin": "http://testserver.evil.example"},
            {"Referer": "https://evil.example/page"},
        ],
    )
    async def test_a_foreign_origin_is_refused_even_with_the_right_token(
        self, runtime: Runtime, owner: Person, headers: dict[str, str]
    ) -> None:
        token = token_in((await owner.http.get("/dashboard/credentials")).text)

        response = await create_credentials(
            owner.http, data={"csrf_token": token, "environment": "test"}, headers=headers
        )

        assert response.status_code == 403
        assert await clients_of(runtime, owner.account_id) == 0

    @pytest.mark.parametrize(
        "headers", [{"Origin": "http://testserver"}, {"Referer": "http://testserver/dashboard/credentials"}]
    )
    async def test_our_own_origin_is_accepted(
        self, runtime: Runtime, owner: Person, headers: dict[str, str]
    ) -> None:
        token = token_in((await owner.http.get("/dashboard/credentials")).text)

        response = await create_credentials(
            owner.http, data={"csrf_token": token, "environment": "test"}, headers=headers
        )

        assert response.status_code == 303
        assert await clients_of(runtime, owner.account_id) == 1

    async def test_a_foreign_origin_cannot_sign_anyone_in(self, runtime: Runtime, owner: Person) -> None:
        async with browser(runtime) as http:
            page = await http.get("/dashboard/sign-in")
            response = await http.post(
                "/dashboard/sign-in",
                data={"csrf_token": token_in(page.text), "email": owner.email, "password": "x"},
                headers={"Origin": "https://evil.example"},
            )

        assert response.status_code == 403


class TestHttpsDeployments:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        return {"public_url": "https://print.example"}

    async def test_cookies_are_secure_when_the_public_url_is_https(self, runtime: Runtime) -> None:
        async with browser(runtime, "https://testserver") as http:
            page = await http.get("/dashboard/sign-up")
            response = await sign_up(http, "secure@shop.example")

        assert "secure" in page.headers["set-cookie"].lower()
        assert "secure" in response.headers["set-cookie"].lower()
