"""A customer pays a live order through Mollie's and Stripe's (fake) hosted checkouts in Chromium:
our page, the provider's page, its notification to the served app, and back to the shop."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from playwright.async_api import Page, expect

from printapi.auth.principal import Environment
from printapi.payments.mollie_provider import MollieProvider
from printapi.payments.provider import PaymentProviders
from printapi.payments.stripe_provider import StripeProvider
from printapi.runtime import Runtime
from printapi.worker import Worker
from tests.browser.conftest import ShopSite, needs_chromium
from tests.browser.test_payment_page import HOOK, one_delivered_call
from tests.conftest import bearer, make_credentials
from tests.payments.conftest import place, set_up, statuses, switch_payment_screen
from tests.payments.fakes import FakeMollie, FakeStripe, serve
from tests.webhooks.conftest import Receiver, Shop, add_endpoint

pytestmark = needs_chromium


@pytest.fixture
async def live_shop(api: httpx.AsyncClient, live_runtime: Runtime, receiver: Receiver) -> Shop:
    credentials = await make_credentials(live_runtime, environment=Environment.LIVE)
    shop = Shop(credentials, await bearer(api, credentials))
    await switch_payment_screen(api, shop.headers, on=True)
    await add_endpoint(api, shop, receiver.url(HOOK))
    return shop


@pytest.fixture(params=["mollie", "stripe"])
async def provider(
    request: pytest.FixtureRequest, live_runtime: Runtime, served: str
) -> AsyncIterator[FakeMollie | FakeStripe]:
    """Each provider's fake, notifying the served app over HTTP as the real one would."""
    fake: FakeMollie | FakeStripe = FakeMollie() if request.param == "mollie" else FakeStripe()
    async with serve(fake):
        if isinstance(fake, FakeMollie):
            live = MollieProvider(api_key=fake.api_key, api_url=fake.base, timeout_seconds=5)
            hosted: MollieProvider | StripeProvider = live
        else:
            fake.webhook_url = f"{served}/v2/payment-notifications/stripe"
            hosted = StripeProvider(
                secret_key=fake.secret_key,
                webhook_secret=fake.webhook_secret,
                api_url=fake.base,
                timeout_seconds=5,
                tolerance=300,
            )
        live_runtime.payments = PaymentProviders(test=live_runtime.payments.test, live=hosted)
        yield fake


class TestPayingThroughAProvider:
    async def test_the_customer_pays_on_the_providers_page_and_comes_back_to_the_shop(
        self,
        page: Page,
        served: str,
        shop_site: ShopSite,
        api: httpx.AsyncClient,
        live_shop: Shop,
        receiver: Receiver,
        worker: Worker,
        provider: FakeMollie | FakeStripe,
    ) -> None:
        order = await place(api, live_shop.headers, id=f"web-{type(provider).__name__}")
        back = f"/paid?order={order['id']}"
        checkout = await set_up(api, live_shop.headers, order, return_url=shop_site.url(back))

        await page.goto(checkout["paymentUrl"])
        await expect(page.get_by_test_id("amount")).to_have_text("€ 22,87")
        await page.get_by_role("button", name="Pay € 22,87").click()
        await expect(page.get_by_test_id("provider-amount")).to_contain_text("22")
        await page.get_by_role("button", name="Pay", exact=True).click()

        await page.wait_for_url(shop_site.url(back))
        await shop_site.wait_for_visit(back)
        assert await statuses(api, live_shop.headers, order["id"]) == {
            "id": order["id"],
            "order": "Created",
            "payment": "Successful",
        }
        await one_delivered_call(api, live_shop, receiver, order["id"])
