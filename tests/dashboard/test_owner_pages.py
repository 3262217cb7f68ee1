"""The owner's pages over HTTP: credentials, webhooks, settings and consumer prices."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import select

from printapi.models import ApiClient, CheckoutPrice, WebhookAttempt, WebhookEndpoint, WebhookNotification
from printapi.runtime import Runtime
from tests.dashboard.conftest import Person
from tests.dashboard.helpers import flash_text, post_form

SECRET = 'data-testid="secret">'


def secret_on(page: str) -> str:
    start = page.index(SECRET) + len(SECRET)
    return page[start : page.index("<", start)]


async def add_endpoint(
    person: Person, url: str = "https://shop.example/hook", environment: str = "test"
) -> str:
    response = await post_form(person.http, "/dashboard/webhooks", {"environment": environment, "url": url})
    assert response.status_code == 303, response.text
    endpoint_id: str = response.headers["location"].rsplit("/", 1)[1]
    return endpoint_id


async def endpoint_row(runtime: Runtime) -> WebhookEndpoint:
    async with runtime.db.read() as session:
        return (await session.execute(select(WebhookEndpoint))).scalar_one()


class TestCredentials:
    async def test_new_credentials_show_the_secret_once_and_it_works(
        self, runtime: Runtime, client: httpx.AsyncClient, owner: Person
    ) -> None:
        response = await post_form(owner.http, "/dashboard/credentials", {"environment": "test"})
        first = (await owner.http.get(response.headers["location"])).text
        second = (await owner.http.get("/dashboard/credentials")).text
        async with runtime.db.read() as session:
            client_id = (await session.execute(select(ApiClient.client_id))).scalar_one()

        secret = secret_on(first)
        token = await client.post(
            "/v2/oauth",
            data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
        )
        assert "shown only this once" in first
        assert SECRET not in second
        assert client_id in second
        assert token.status_code == 200

    async def test_revoked_credentials_stop_working_at_once(
        self, runtime: Runtime, client: httpx.AsyncClient, owner: Person
    ) -> None:
        created = await post_form(owner.http, "/dashboard/credentials", {"environment": "live"})
        secret = secret_on((await owner.http.get(created.headers["location"])).text)
        async with runtime.db.read() as session:
            client_id = (await session.execute(select(ApiClient.client_id))).scalar_one()
        form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
        token = (await client.post("/v2/oauth", data=form)).json()["access_token"]

        revoked = await post_form(
            owner.http, f"/dashboard/credentials/{client_id}/revoke", from_page="/dashboard/credentials"
        )
        page = await owner.http.get("/dashboard/credentials")

        assert revoked.status_code == 303
        assert "is revoked" in flash_text(page.text)
        assert (await client.post("/v2/oauth", data=form)).status_code == 401
        assert (
            await client.get("/v2/orders", headers={"Authorization": f"Bearer {token}"})
        ).status_code == 401


class TestWebhookEndpoints:
    async def test_an_added_endpoint_shows_its_signing_secret_once(
        self, runtime: Runtime, owner: Person
    ) -> None:
        endpoint_id = await add_endpoint(owner)

        first = (await owner.http.get(f"/dashboard/webhooks/{endpoint_id}")).text
        second = (await owner.http.get(f"/dashboard/webhooks/{endpoint_id}")).text
        listing = (await owner.http.get("/dashboard/webhooks")).text

        assert secret_on(first) == (await endpoint_row(runtime)).secret
        assert SECRET not in second
        assert "https://shop.example/hook" in listing

    async def test_an_endpoint_is_edited_switched_off_and_on_and_its_secret_rotated(
        self, runtime: Runtime, owner: Person
    ) -> None:
        endpoint_id = await add_endpoint(owner)
        page = f"/dashboard/webhooks/{endpoint_id}"
        old_secret = (await endpoint_row(runtime)).secret

        await post_form(owner.http, page, {"url": "https://shop.example/v2/hook", "description": "main shop"})
        await post_form(owner.http, f"{page}/enabled", {"enabled": "off"}, from_page=page)
        disabled = await endpoint_row(runtime)
        rotated = await post_form(owner.http, f"{page}/rotate", from_page=page)
        shown = secret_on((await owner.http.get(rotated.headers["location"])).text)
        await post_form(owner.http, f"{page}/enabled", {"enabled": "on"}, from_page=page)
        after = await endpoint_row(runtime)

        assert (disabled.url, disabled.description, disabled.enabled) == (
            "https://shop.example/v2/hook",
            "main shop",
            False,
        )
        assert after.enabled is True
        assert shown == after.secret != old_secret
        assert after.previous_secret == old_secret

    async def test_a_bad_url_is_shown_on_the_page_and_nothing_is_added(
        self, runtime: Runtime, owner: Person
    ) -> None:
        response = await post_form(
            owner.http, "/dashboard/webhooks", {"environment": "test", "url": "ftp://shop.example/x"}
        )
        page = await owner.http.get(response.headers["location"])

        assert response.status_code == 303
        assert response.headers["location"] == "/dashboard/webhooks"
        assert "url:" in flash_text(page.text)
        assert 'class="flash error"' in page.text
        async with runtime.db.read() as session:
            assert (await session.execute(select(WebhookEndpoint))).first() is None

    async def test_a_test_ping_is_queued_and_the_log_refreshes_itself_until_it_is_sent(
        self, runtime: Runtime, owner: Person
    ) -> None:
        endpoint_id = await add_endpoint(owner)
        page = f"/dashboard/webhooks/{endpoint_id}"
        await owner.http.get(page)  # the secret's one showing

        response = await post_form(owner.http, f"{page}/ping", from_page=page)
        shown = (await owner.http.get(page)).text
        fragment = (await owner.http.get(f"{page}/log")).text

        assert response.headers["location"] == page
        assert "Test ping queued" in flash_text(shown)
        assert "test ping" in shown
        assert 'hx-trigger="every 2s"' in shown
        assert fragment.lstrip().startswith("<section")
        assert "<html" not in fragment

    async def test_the_log_shows_every_attempt_and_a_finished_notification_can_be_resent(
        self, runtime: Runtime, owner: Person
    ) -> None:
        endpoint_id = await add_endpoint(owner)
        page = f"/dashboard/webhooks/{endpoint_id}"
        await post_form(owner.http, f"{page}/ping", from_page=page)
        now = runtime.clock.now()
        async with runtime.db.write() as session:
            notification = (await session.execute(select(WebhookNotification))).scalar_one()
            notification.status, notification.attempts, notification.finished_at = "failed", 2, now
            session.add_all(
                [
                    WebhookAttempt(
                        notification_pk=notification.pk,
                        number=1,
                        started_at=now,
                        duration_ms=512,
                        status_code=None,
                        error_class="timeout",
                        error="no answer in 10 s",
                        url="x",
                    ),
                    WebhookAttempt(
                        notification_pk=notification.pk,
                        number=2,
                        started_at=now + timedelta(minutes=2),
                        duration_ms=37,
                        status_code=503,
                        response_snippet="busy, come back later",
                        url="x",
                    ),
                ]
            )

        shown = (await owner.http.get(page)).text
        resent = await post_form(owner.http, f"{page}/notifications/{notification.id}/resend", from_page=page)

        assert "512 ms" in shown
        assert "timeout" in shown
        assert "no answer in 10 s" in shown
        assert "HTTP 503" in shown
        assert "busy, come back later" in shown
        assert "hx-trigger" not in shown  # nothing pending: the log stops refreshing
        assert resent.status_code == 303
        async with runtime.db.read() as session:
            assert len((await session.execute(select(WebhookNotification))).all()) == 2

    async def test_a_long_log_is_paged(self, owner: Person) -> None:
        endpoint_id = await add_endpoint(owner)
        page = f"/dashboard/webhooks/{endpoint_id}"
        for _ in range(21):
            await post_form(owner.http, f"{page}/ping", from_page=page)

        first = (await owner.http.get(page)).text
        older = (await owner.http.get(page, params={"offset": "20"})).text

        assert "1–20 of 21" in first
        assert f'href="{page}?offset=20">Older' in first
        assert "21–21 of 21" in older
        assert older.count("data-notification=") == 1

    async def test_a_deleted_endpoint_leaves_the_list(self, runtime: Runtime, owner: Person) -> None:
        endpoint_id = await add_endpoint(owner)

        response = await post_form(
            owner.http,
            f"/dashboard/webhooks/{endpoint_id}/delete",
            from_page=f"/dashboard/webhooks/{endpoint_id}",
        )
        listing = (await owner.http.get("/dashboard/webhooks")).text

        assert response.headers["location"] == "/dashboard/webhooks"
        assert "No test endpoints." in listing
        assert (await endpoint_row(runtime)).deleted_at is not None


class TestSettings:
    async def test_the_payment_screen_shipping_rule_and_mail_address_are_saved(
        self, runtime: Runtime, owner: Person
    ) -> None:
        form = {
            "payment_screen": "on",
            "consumer_shipping": "flat",
            "consumer_shipping_flat": "4,95",
            "notification_email": "alerts@shop.example",
        }

        response = await post_form(owner.http, "/dashboard/settings", form)
        page = (await owner.http.get("/dashboard/settings")).text
        off = await post_form(
            owner.http, "/dashboard/settings", {"consumer_shipping": "free", "notification_email": ""}
        )

        assert response.status_code == 303
        assert "Settings saved." in flash_text(page)
        assert 'value="4.95"' in page
        assert 'value="alerts@shop.example"' in page
        assert 'name="payment_screen" value="on" checked' in page
        assert off.status_code == 303
        settings = (await owner.http.get("/dashboard/settings")).text
        assert 'name="payment_screen" value="on" checked' not in settings
        assert 'value="free" checked' in settings

    async def test_a_flat_rule_without_an_amount_is_refused_on_the_page(self, owner: Person) -> None:
        response = await post_form(owner.http, "/dashboard/settings", {"consumer_shipping": "flat"})
        page = (await owner.http.get(response.headers["location"])).text

        assert response.headers["location"] == "/dashboard/settings"
        assert "required for the flat rule" in flash_text(page)

    async def test_consumer_prices_of_a_product_and_its_options_are_saved(
        self, runtime: Runtime, owner: Person
    ) -> None:
        form_page = await owner.http.get("/dashboard/settings/prices", params={"product": "boek_hc_a5_sta"})
        response = await post_form(
            owner.http,
            "/dashboard/settings/prices/boek_hc_a5_sta",
            {"base": "29,95", "per_extra_page": "0.10", "option:cover_finish:laminate_matte:base": "2.50"},
            from_page="/dashboard/settings/prices?product=boek_hc_a5_sta",
        )
        settings = (await owner.http.get("/dashboard/settings")).text

        assert form_page.status_code == 200
        assert "Boek Hardcover A5 Staand" in form_page.text
        assert response.status_code == 303
        async with runtime.db.read() as session:
            prices = {
                (p.option_id, p.choice): (p.base, p.per_extra_page)
                for p in (await session.execute(select(CheckoutPrice))).scalars()
            }
        assert str(prices[("", "")][0]) == "29.95"
        assert str(prices[("cover_finish", "laminate_matte")][0]) == "2.50"
        assert "€ 29.95" in settings

    async def test_an_amount_that_is_not_money_is_refused(self, runtime: Runtime, owner: Person) -> None:
        response = await post_form(
            owner.http,
            "/dashboard/settings/prices/boek_hc_a5_sta",
            {"base": "12.345"},
            from_page="/dashboard/settings/prices?product=boek_hc_a5_sta",
        )
        page = (await owner.http.get(response.headers["location"])).text

        assert "base: must be an amount" in flash_text(page)
        async with runtime.db.read() as session:
            assert (await session.execute(select(CheckoutPrice))).first() is None

    async def test_an_unknown_product_is_a_404_page(self, owner: Person) -> None:
        response = await owner.http.get("/dashboard/settings/prices", params={"product": "no_such_product"})

        assert response.status_code == 404
        assert "does not exist" in response.text
