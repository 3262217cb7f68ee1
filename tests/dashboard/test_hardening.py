"""Bad input a browser (or a script posing as one) can send: a clear 4xx or a message, never a 500,
and the sign-up limit counts refused tries too (found by a review of the dashboard)."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from printapi.dashboard import service
from printapi.models import DashboardSession, SignInAttempt, WebhookEndpoint
from printapi.runtime import Runtime
from tests.dashboard.conftest import Person
from tests.dashboard.helpers import browser, flash_text, post_form, sign_up, token_in
from tests.dashboard.test_owner_pages import SECRET, add_endpoint, secret_on
from tests.dashboard.test_sign_in import count


class TestMalformedOrigins:
    @pytest.mark.parametrize(
        "headers",
        [
            {"Origin": "http://testserver:abc"},
            {"Origin": "http://testserver:99999"},
            {"Referer": "http://[::1/dashboard"},
        ],
    )
    async def test_a_form_with_an_unreadable_origin_is_refused_not_crashed(
        self, runtime: Runtime, owner: Person, headers: dict[str, str]
    ) -> None:
        page = await owner.http.get("/dashboard/credentials")
        data = {"csrf_token": token_in(page.text), "environment": "test"}

        response = await owner.http.post("/dashboard/credentials", data=data, headers=headers)

        assert response.status_code == 403
        assert "did not come from this dashboard" in response.text

    async def test_a_sign_in_with_an_unreadable_origin_is_refused(self, runtime: Runtime) -> None:
        async with browser(runtime) as http:
            page = await http.get("/dashboard/sign-in")
            form = {"csrf_token": token_in(page.text), "email": "a@b.example", "password": "x" * 10}
            response = await http.post("/dashboard/sign-in", data=form, headers={"Origin": "http://x:-1"})

        assert response.status_code == 403
        assert await count(runtime, SignInAttempt) == 0


class TestOrderFilterDates:
    @pytest.mark.parametrize(
        ("name", "value"), [("created_to", "9999-12-31"), ("created_from", "0001-01-01")]
    )
    async def test_a_date_at_the_end_of_the_calendar_is_a_400_with_the_field(
        self, owner: Person, name: str, value: str
    ) -> None:
        response = await owner.http.get("/dashboard/orders", params={name: value})

        assert response.status_code == 400
        assert "between 1970 and 9998" in response.text

    async def test_an_ordinary_range_still_filters(self, owner: Person) -> None:
        response = await owner.http.get(
            "/dashboard/orders", params={"created_from": "2026-01-01", "created_to": "2026-12-31"}
        )

        assert response.status_code == 200


class TestEndpointDescriptions:
    async def test_a_description_over_200_characters_is_refused_and_nothing_changes(
        self, runtime: Runtime, owner: Person
    ) -> None:
        endpoint_id = await add_endpoint(owner)
        page = f"/dashboard/webhooks/{endpoint_id}"

        response = await post_form(
            owner.http, page, {"url": "https://shop.example/other", "description": "d" * 201}
        )
        shown = await owner.http.get(response.headers["location"])
        async with runtime.db.read() as session:
            endpoint = (await session.execute(select(WebhookEndpoint))).scalar_one()

        assert response.status_code == 303
        assert "at most 200 characters" in flash_text(shown.text)
        assert (endpoint.url, endpoint.description) == ("https://shop.example/hook", None)

    async def test_a_new_endpoint_with_a_long_description_is_not_added(
        self, runtime: Runtime, owner: Person
    ) -> None:
        response = await post_form(
            owner.http,
            "/dashboard/webhooks",
            {"environment": "test", "url": "https://shop.example/hook", "description": "d" * 300},
        )
        shown = await owner.http.get(response.headers["location"])

        assert "at most 200 characters" in flash_text(shown.text)
        assert await count(runtime, WebhookEndpoint) == 0


class TestSignUpProbing:
    async def test_tries_with_a_taken_email_count_towards_the_limit(
        self, runtime: Runtime, owner: Person
    ) -> None:
        async with browser(runtime) as http:
            taken = [await sign_up(http, owner.email) for _ in range(9)]  # the owner's own sign-up is 1
            limited = await sign_up(http, owner.email)
            new = await sign_up(http, "someone-new@shop.example")

        assert [r.status_code for r in taken] == [409] * 9
        assert limited.status_code == 429
        assert "Too many attempts" in limited.text
        assert new.status_code == 429  # the address is spent: no more tries this hour
        assert await count(runtime, SignInAttempt, SignInAttempt.kind == "sign_up") == 10


class TestANewClientSecretOnItsWayToThePage:
    async def test_it_never_lies_readable_in_the_database(self, runtime: Runtime, owner: Person) -> None:
        response = await post_form(owner.http, "/dashboard/credentials", {"environment": "test"})
        async with runtime.db.read() as session:
            waiting = (await session.execute(select(DashboardSession.flash))).scalar_one()
        shown = secret_on((await owner.http.get(response.headers["location"])).text)

        assert waiting is not None
        assert len(shown) >= 40
        assert shown not in waiting
        assert '"sealed": true' in waiting

    async def test_changed_on_its_way_it_is_not_shown_and_the_page_says_so(
        self, runtime: Runtime, owner: Person
    ) -> None:
        response = await post_form(owner.http, "/dashboard/credentials", {"environment": "test"})
        async with runtime.db.write() as session:
            row = (await session.execute(select(DashboardSession))).scalar_one()
            sealed = json.loads(row.flash)[0]["secret"]
            row.flash = row.flash.replace(sealed, changed(sealed))
        page = (await owner.http.get(response.headers["location"])).text

        assert SECRET not in page
        assert "could not be shown" in flash_text(page)


def changed(sealed: str) -> str:
    """The sealed text with one bit of its ciphertext flipped (base64 of Fernet's token)."""
    raw = bytearray(base64.urlsafe_b64decode(sealed))
    raw[30] ^= 1
    return base64.urlsafe_b64encode(bytes(raw)).decode()


class TestSealing:
    NOW = datetime(2025, 3, 29, 20, 40, 20, tzinfo=UTC)
    KEY = "a-secret-key-of-the-server-0123456789-abcdef"

    def test_a_sealed_value_reads_back_and_does_not_show_itself(self) -> None:
        sealed = service.seal("s3cr3t-client-secret", secret_key=self.KEY, now=self.NOW)

        assert "s3cr3t" not in sealed
        assert service.unseal(sealed, secret_key=self.KEY, now=self.NOW) == "s3cr3t-client-secret"

    def test_sealing_twice_gives_two_different_texts(self) -> None:
        first = service.seal("same", secret_key=self.KEY, now=self.NOW)

        assert service.seal("same", secret_key=self.KEY, now=self.NOW) != first

    @pytest.mark.parametrize("position", [0, 9, 30, -1])
    def test_a_changed_byte_anywhere_is_refused(self, position: int) -> None:
        raw = bytearray(base64.urlsafe_b64decode(service.seal("secret", secret_key=self.KEY, now=self.NOW)))
        raw[position] ^= 0x20

        with pytest.raises(service.Unsealable):
            service.unseal(base64.urlsafe_b64encode(bytes(raw)).decode(), secret_key=self.KEY, now=self.NOW)

    def test_a_value_sealed_under_another_key_is_refused(self) -> None:
        sealed = service.seal("secret", secret_key="another-key-of-another-server-0123456789", now=self.NOW)

        with pytest.raises(service.Unsealable):
            service.unseal(sealed, secret_key=self.KEY, now=self.NOW)

    def test_a_value_that_waited_longer_than_the_limit_is_refused(self) -> None:
        sealed = service.seal("secret", secret_key=self.KEY, now=self.NOW)
        later = self.NOW + service.SEAL_TTL + timedelta(seconds=1)

        assert service.unseal(sealed, secret_key=self.KEY, now=self.NOW + service.SEAL_TTL) == "secret"
        with pytest.raises(service.Unsealable):
            service.unseal(sealed, secret_key=self.KEY, now=later)

    def test_a_value_that_is_no_sealed_text_at_all_is_refused(self) -> None:
        with pytest.raises(service.Unsealable):
            service.unseal("not-sealed", secret_key=self.KEY, now=self.NOW)
