"""Signing up, in and out of the dashboard; the session cookie; the sign-in rate limit."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from printapi.kit.clock import FixedClock
from printapi.models import DashboardSession, SignInAttempt
from printapi.runtime import Runtime
from tests.dashboard.conftest import Person
from tests.dashboard.helpers import PASSWORD, browser, post_form, sign_in, sign_up, token_in


async def count(runtime: Runtime, model: Any, *where: Any) -> int:
    async with runtime.db.read() as session:
        query = select(func.count()).select_from(model).where(*where)
        return int((await session.execute(query)).scalar_one())


def session_cookie(response: httpx.Response) -> str:
    return next(h for h in response.headers.get_list("set-cookie") if h.startswith("printapi_session="))


class TestSigningUp:
    async def test_a_new_owner_signs_up_and_lands_on_the_overview(self, runtime: Runtime) -> None:
        async with browser(runtime) as http:
            response = await sign_up(http, "new@shop.example")
            overview = await http.get("/dashboard")

        assert response.status_code == 303
        assert response.headers["location"] == "/dashboard"
        assert overview.status_code == 200
        assert "Getting started" in overview.text
        assert "new@shop.example" in overview.text

    async def test_a_taken_email_a_short_password_or_a_mistyped_repeat_is_shown_on_the_form(
        self, runtime: Runtime, owner: Person
    ) -> None:
        async with browser(runtime) as http:
            taken = await sign_up(http, owner.email)
            short = await sign_up(http, "short@shop.example", "2short")
            repeat = await post_form(
                http,
                "/dashboard/sign-up",
                {"email": "x@shop.example", "password": PASSWORD, "password_again": PASSWORD + "!"},
            )

        assert taken.status_code == 409
        assert "already exists" in taken.text
        assert short.status_code == 400
        assert "at least 8 characters" in short.text
        assert repeat.status_code == 400
        assert "not the same password" in repeat.text
        assert await count(runtime, DashboardSession) == 1  # the owner fixture's only


class TestSigningIn:
    async def test_the_right_password_starts_a_session_with_a_safe_cookie(
        self, runtime: Runtime, owner: Person
    ) -> None:
        async with browser(runtime) as http:
            response = await sign_in(http, owner.email)
            page = await http.get("/dashboard/credentials")

        cookie = session_cookie(response).lower()
        assert response.status_code == 303
        assert "httponly" in cookie
        assert "samesite=lax" in cookie
        assert "path=/dashboard" in cookie
        assert "secure" not in cookie  # the public URL is http:// in tests
        assert page.status_code == 200

    async def test_the_email_is_not_case_sensitive_and_next_brings_you_back(
        self, runtime: Runtime, owner: Person
    ) -> None:
        async with browser(runtime) as http:
            page = await http.get("/dashboard/sign-in", params={"next": "/dashboard/webhooks"})
            response = await http.post(
                "/dashboard/sign-in",
                data={
                    "csrf_token": token_in(page.text),
                    "email": owner.email.upper(),
                    "password": PASSWORD,
                    "next": "/dashboard/webhooks",
                },
            )

        assert response.status_code == 303
        assert response.headers["location"] == "/dashboard/webhooks"

    @pytest.mark.parametrize(
        "target", ["https://evil.example/", "//evil.example/x", "/v2/orders", "/dashboard//evil"]
    )
    async def test_next_never_leaves_the_dashboard(
        self, runtime: Runtime, owner: Person, target: str
    ) -> None:
        async with browser(runtime) as http:
            page = await http.get("/dashboard/sign-in")
            response = await http.post(
                "/dashboard/sign-in",
                data={
                    "csrf_token": token_in(page.text),
                    "email": owner.email,
                    "password": PASSWORD,
                    "next": target,
                },
            )

        assert response.headers["location"] == "/dashboard"

    async def test_a_wrong_password_or_unknown_email_is_401_with_one_message(
        self, runtime: Runtime, owner: Person
    ) -> None:
        async with browser(runtime) as http:
            wrong = await sign_in(http, owner.email, "not-the-password")
            unknown = await sign_in(http, "nobody@shop.example")
            after = await http.get("/dashboard/credentials")

        for response in (wrong, unknown):
            assert response.status_code == 401
            assert "The e-mail address or the password is not right." in response.text
            assert "printapi_session=" not in response.headers.get("set-cookie", "")
        assert after.status_code == 303
        assert after.headers["location"].startswith("/dashboard/sign-in")

    async def test_signing_in_again_replaces_the_session(self, runtime: Runtime, owner: Person) -> None:
        old_cookie = owner.http.cookies["printapi_session"]

        response = await sign_in(owner.http, owner.email)
        new_cookie = owner.http.cookies["printapi_session"]
        async with browser(runtime) as thief:
            thief.cookies.set("printapi_session", old_cookie, domain="testserver.local", path="/dashboard")
            stolen = await thief.get("/dashboard/credentials")

        assert response.status_code == 303
        assert new_cookie != old_cookie
        assert stolen.status_code == 303  # the old session is gone
        assert await count(runtime, DashboardSession) == 1

    async def test_the_session_is_stored_only_as_a_keyed_hash(self, runtime: Runtime, owner: Person) -> None:
        token = owner.http.cookies["printapi_session"]
        async with runtime.db.read() as session:
            stored = (await session.execute(select(DashboardSession.id_hash))).scalars().all()

        assert token not in stored
        assert len(stored) == 1
        assert len(stored[0]) == 64

    async def test_a_session_ends_after_its_lifetime(
        self, runtime: Runtime, owner: Person, clock: FixedClock
    ) -> None:
        clock.advance(timedelta(hours=12, seconds=1))

        response = await owner.http.get("/dashboard/credentials")

        assert response.status_code == 303
        assert response.headers["location"] == "/dashboard/sign-in?next=%2Fdashboard%2Fcredentials"

    async def test_a_sign_in_form_without_its_token_is_refused(self, runtime: Runtime, owner: Person) -> None:
        async with browser(runtime) as http:
            await http.get("/dashboard/sign-in")
            missing = await http.post("/dashboard/sign-in", data={"email": owner.email, "password": PASSWORD})
            forged = await http.post(
                "/dashboard/sign-in",
                data={"csrf_token": "abc.def", "email": owner.email, "password": PASSWORD},
            )

        assert missing.status_code == 403
        assert forged.status_code == 403
        assert "printapi_session=" not in missing.headers.get("set-cookie", "")

    async def test_a_nul_character_is_a_400_page_not_a_database_error(self, runtime: Runtime) -> None:
        async with browser(runtime) as http:
            signing_in = await sign_in(http, "nul\x00@shop.example")
            signing_up = await sign_up(http, "nul\x00@shop.example")

        assert signing_in.status_code == 400
        assert signing_up.status_code == 400
        assert "text/html" in signing_up.headers["content-type"]


class TestSigningOut:
    async def test_signing_out_ends_the_session(self, runtime: Runtime, owner: Person) -> None:
        response = await post_form(owner.http, "/dashboard/sign-out", from_page="/dashboard")
        page = await owner.http.get(response.headers["location"])
        after = await owner.http.get("/dashboard/credentials")

        assert response.status_code == 303
        assert "You are signed out." in page.text
        assert after.status_code == 303
        assert await count(runtime, DashboardSession) == 0


class TestTheRateLimit:
    async def test_five_failures_for_an_email_lock_it_for_fifteen_minutes(
        self, runtime: Runtime, owner: Person, clock: FixedClock
    ) -> None:
        async with browser(runtime) as http:
            failures = [await sign_in(http, owner.email, "wrong-password") for _ in range(5)]
            locked = await sign_in(http, owner.email)  # even the right password
            clock.advance(timedelta(minutes=15))
            later = await sign_in(http, owner.email)

        assert [r.status_code for r in failures] == [401] * 5
        assert locked.status_code == 429
        assert locked.headers["retry-after"] == str(15 * 60)
        assert "Too many attempts" in locked.text
        assert later.status_code == 303

    async def test_a_locked_email_does_not_lock_another(
        self, runtime: Runtime, owner: Person, other_owner: Person
    ) -> None:
        async with browser(runtime) as http:
            for _ in range(5):
                await sign_in(http, owner.email, "wrong-password")
            other = await sign_in(http, other_owner.email)

        assert other.status_code == 303

    async def test_twenty_failures_from_one_address_lock_the_address(
        self, runtime: Runtime, owner: Person
    ) -> None:
        async with browser(runtime) as http:
            for number in range(20):
                await sign_in(http, f"guess-{number}@shop.example", "wrong-password")
            locked = await sign_in(http, owner.email)

        assert locked.status_code == 429
        assert int(locked.headers["retry-after"]) > 0
        assert await count(runtime, SignInAttempt, SignInAttempt.kind == "sign_in") == 20

    async def test_a_success_forgets_the_earlier_failures_of_that_email(
        self, runtime: Runtime, owner: Person
    ) -> None:
        async with browser(runtime) as http:
            for _ in range(4):
                await sign_in(http, owner.email, "wrong-password")
            await sign_in(http, owner.email)
            for _ in range(4):
                await sign_in(http, owner.email, "wrong-password")
            again = await sign_in(http, owner.email)

        assert again.status_code == 303
