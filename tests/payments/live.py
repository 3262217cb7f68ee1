"""Builders of the live-payment tests: a live shop on the payment screen whose payments go through
a provider's official SDK to a loopback fake (``fakes.py``), with the fake's notifications
delivered straight into the ASGI app."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from printapi.auth.principal import Environment
from printapi.models import Order, Payment, WebhookNotification
from printapi.payments.mollie_provider import MollieProvider
from printapi.payments.provider import PaymentProviders
from printapi.payments.stripe_provider import StripeProvider
from printapi.runtime import Runtime
from printapi.worker import expire_payments, run_payment_tasks
from tests.conftest import bearer, make_credentials
from tests.payments.conftest import path_of, place, set_up, switch_payment_screen
from tests.payments.fakes import FakeMollie, FakeStripe, serve

HOOK = "https://hooks.example.nl/printapi"


@dataclass
class LiveShop:
    headers: dict[str, str]
    account_id: int


@pytest.fixture
async def live_shop(client: httpx.AsyncClient, runtime: Runtime) -> LiveShop:
    """A shop's live credentials, with the payment screen on and one webhook endpoint."""
    credentials = await make_credentials(runtime, environment=Environment.LIVE)
    headers = await bearer(client, credentials)
    await switch_payment_screen(client, headers, on=True)
    response = await client.post("/v2/webhooks", json={"url": HOOK}, headers=headers)
    assert response.status_code == 201, response.text
    return LiveShop(headers, credentials.account_id)


def _into(client: httpx.AsyncClient) -> Any:
    async def deliver(url: str, body: bytes, headers: dict[str, str]) -> int:
        response = await client.post(path_of(url), content=body, headers=headers)
        return response.status_code

    return deliver


@pytest.fixture
async def mollie(client: httpx.AsyncClient, runtime: Runtime) -> AsyncIterator[FakeMollie]:
    """Mollie's fake, taking this runtime's live payments through the SDK."""
    async with serve(FakeMollie()) as fake:
        assert isinstance(fake, FakeMollie)
        fake.deliver = _into(client)
        provider = MollieProvider(api_key=fake.api_key, api_url=fake.base, timeout_seconds=2)
        runtime.payments = PaymentProviders(test=runtime.payments.test, live=provider)
        yield fake


@pytest.fixture
async def stripe(client: httpx.AsyncClient, runtime: Runtime) -> AsyncIterator[FakeStripe]:
    """Stripe's fake, taking this runtime's live payments through the SDK."""
    async with serve(FakeStripe()) as fake:
        assert isinstance(fake, FakeStripe)
        fake.deliver = _into(client)
        fake.webhook_url = "http://testserver/v2/payment-notifications/stripe"
        provider = StripeProvider(
            secret_key=fake.secret_key,
            webhook_secret=fake.webhook_secret,
            api_url=fake.base,
            timeout_seconds=2,
            tolerance=300,
        )
        runtime.payments = PaymentProviders(test=runtime.payments.test, live=provider)
        yield fake


@dataclass
class Checkout:
    order: dict[str, Any]
    checkout: dict[str, Any]

    @property
    def order_id(self) -> str:
        return str(self.order["id"])

    @property
    def page(self) -> str:
        return path_of(self.checkout["paymentUrl"])

    def action(self, name: str) -> str:
        return self.page.removesuffix("/start") + f"/{name}"


async def open_checkout(client: httpx.AsyncClient, shop: LiveShop, **order: Any) -> Checkout:
    placed = await place(client, shop.headers, **order)
    return Checkout(placed, await set_up(client, shop.headers, placed))


async def go_to_provider(client: httpx.AsyncClient, checkout: Checkout) -> str:
    """The customer presses Pay on our page: the provider's checkout URL we are sent to."""
    response = await client.post(checkout.action("pay"))
    assert response.status_code == 303, response.text
    location: str = response.headers["location"]
    return location


async def press(checkout_url: str, button: str) -> str:
    """A button of the provider's checkout page, as the browser posts it: where it sends us."""
    base = re.match(r"^https?://[^/]+", checkout_url)
    assert base is not None
    async with httpx.AsyncClient() as browser:
        page = await browser.get(checkout_url)
        found = re.search(rf'action="([^"]+)"><button type="submit">{button}<', page.text)
        assert found, page.text
        response = await browser.post(base.group(0) + found.group(1))
    assert response.status_code == 303, response.text
    return response.headers["location"]


async def come_back(client: httpx.AsyncClient, url: str) -> str:
    """The browser follows the provider back to our return page: where that sends it."""
    response = await client.get(path_of(url))
    assert response.status_code == 303, response.text
    location: str = response.headers["location"]
    return location


async def pay_through(client: httpx.AsyncClient, checkout: Checkout, button: str) -> str:
    """Pay (or not) on the provider's page and come back: the URL the customer ends at."""
    back = await press(await go_to_provider(client, checkout), button)
    return await come_back(client, back)


async def checkout_of(client: httpx.AsyncClient, shop: LiveShop, checkout: Checkout) -> dict[str, Any]:
    response = await client.get(path_of(checkout.order["checkout"]["setupUrl"]), headers=shop.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def payment_row(runtime: Runtime, order_id: str) -> Payment:
    async with runtime.db.read() as session:
        query = select(Payment).join(Order, Order.pk == Payment.order_pk).where(Order.id == order_id)
        return (await session.execute(query)).scalar_one()


async def notifications(runtime: Runtime, order_id: str) -> int:
    """The order's webhook notifications (each a row per endpoint; the shop has one)."""
    async with runtime.db.read() as session:
        query = (
            select(func.count())
            .select_from(WebhookNotification)
            .where(WebhookNotification.order_id == order_id)
        )
        return int((await session.execute(query)).scalar_one())


async def run_tasks(runtime: Runtime) -> int:
    return await run_payment_tasks(runtime, worker="test-worker")


async def expire(runtime: Runtime) -> int:
    return await expire_payments(runtime, worker="test-worker")
