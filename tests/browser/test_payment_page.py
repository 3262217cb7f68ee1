"""The hosted payment page in headless Chromium: a customer pays, fails or cancels, and comes back.

Each test serves the app over HTTP, places an order on the payment screen through the API, sends
the browser to its paymentUrl, presses a button, and checks where the customer lands, what the
API says afterwards, and which webhook calls the shop got.
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page, Route, expect

from printapi.runtime import Runtime
from printapi.worker import Worker
from tests.browser.conftest import ShopSite, needs_chromium
from tests.conftest import Backend
from tests.dashboard.browser_support import screenshots_wanted
from tests.payments.conftest import payment_notes, place, set_up, statuses, switch_payment_screen
from tests.webhooks.conftest import Receiver, Shop, add_endpoint, eventually

pytestmark = needs_chromium

HOOK = "/hooks/printapi"
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "payment-page.png"
BUTTONS = {"Successful": "Pay € 22,87 (test)", "Failed": "Let the payment fail", "Cancelled": "Cancel"}


@pytest.fixture
async def paying_shop(api: httpx.AsyncClient, shop_api: Shop, receiver: Receiver) -> Shop:
    """A shop with the payment screen on and a webhook endpoint at the loopback receiver."""
    await switch_payment_screen(api, shop_api.headers, on=True)
    await add_endpoint(api, shop_api, receiver.url(HOOK))
    return shop_api


async def checkout_for(
    api: httpx.AsyncClient, shop: Shop, site: ShopSite, order_id: str
) -> tuple[dict[str, Any], dict[str, Any], str]:
    """A new order with its checkout: (the order, the checkout, the returnUrl's path and query)."""
    order = await place(api, shop.headers, id=order_id)
    back = f"/paid?order={order_id}"
    checkout = await set_up(api, shop.headers, order, return_url=site.url(back), name="K. Klant")
    return order, checkout, back


async def one_delivered_call(api: httpx.AsyncClient, shop: Shop, receiver: Receiver, order_id: str) -> None:
    """The order has exactly one webhook notification, delivered in one call to the receiver."""

    async def delivered() -> bool:
        response = await api.get(f"/v2/orders/{order_id}/notifications", headers=shop.headers)
        log = response.json()["results"]
        return len(log) == 1 and log[0]["status"] == "delivered"

    await eventually(delivered, seconds=5)
    assert [call.body for call in receiver.to(HOOK)] == [f"orderId={order_id}".encode()]


async def slow_network(page: Page) -> list[str]:
    """Outcome posts reach the server at once, but the first answer reaches the browser only once
    a second post was made (or after 3 s): a customer on a slow line pressing again."""
    posts: list[str] = []
    second = asyncio.Event()

    async def hold(route: Route) -> None:
        posts.append(route.request.url)
        first = len(posts) == 1
        if not first:
            second.set()
        answer = await route.fetch(max_redirects=0)
        if first:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(second.wait(), timeout=3)
        with contextlib.suppress(PlaywrightError):  # the browser dropped the first navigation
            await route.fulfill(response=answer)

    await page.route("**/test", hold)
    return posts


class TestACustomerOnThePaymentPage:
    @pytest.mark.parametrize(
        ("outcome", "order_status"),
        [("Successful", "Created"), ("Failed", "Cancelled"), ("Cancelled", "Cancelled")],
    )
    async def test_each_button_takes_the_customer_back_to_the_shop_and_moves_the_payment(
        self,
        page: Page,
        served: str,
        shop_site: ShopSite,
        api: httpx.AsyncClient,
        paying_shop: Shop,
        receiver: Receiver,
        worker: Worker,
        outcome: str,
        order_status: str,
    ) -> None:
        order, checkout, back = await checkout_for(api, paying_shop, shop_site, f"web-{outcome.lower()}")
        assert checkout["paymentUrl"].startswith(served)

        await page.goto(checkout["paymentUrl"])
        await expect(page.get_by_test_id("amount")).to_have_text("€ 22,87")
        await expect(page.get_by_role("note")).to_contain_text("Test payment")
        await page.get_by_role("button", name=BUTTONS[outcome]).click()

        await page.wait_for_url(shop_site.url(back))
        await expect(page.get_by_role("heading")).to_have_text("Back at the shop")
        await shop_site.wait_for_visit(back)
        assert await statuses(api, paying_shop.headers, order["id"]) == {
            "id": order["id"],
            "order": order_status,
            "payment": outcome,
        }
        await one_delivered_call(api, paying_shop, receiver, order["id"])

    async def test_a_double_click_on_pay_pays_once(
        self,
        page: Page,
        served: str,
        shop_site: ShopSite,
        api: httpx.AsyncClient,
        paying_shop: Shop,
        receiver: Receiver,
        worker: Worker,
        live_runtime: Runtime,
    ) -> None:
        order, checkout, back = await checkout_for(api, paying_shop, shop_site, "web-double")
        await page.goto(checkout["paymentUrl"])

        await page.get_by_role("button", name=BUTTONS["Successful"]).dblclick()

        # The second click's form post aborts the first's navigation (ERR_ABORTED), which
        # page.wait_for_url may catch and raise; expect() waits for the page that stays.
        await expect(page).to_have_url(shop_site.url(back))
        await shop_site.wait_for_visit(back)
        assert (await statuses(api, paying_shop.headers, order["id"]))["payment"] == "Successful"
        assert await payment_notes(live_runtime, order["id"]) == ["payment Successful"]
        await one_delivered_call(api, paying_shop, receiver, order["id"])

    async def test_pressing_pay_again_while_the_first_press_is_on_its_way_pays_once(
        self,
        page: Page,
        served: str,
        shop_site: ShopSite,
        api: httpx.AsyncClient,
        paying_shop: Shop,
        receiver: Receiver,
        worker: Worker,
        live_runtime: Runtime,
    ) -> None:
        order, checkout, back = await checkout_for(api, paying_shop, shop_site, "web-slow")
        posts = await slow_network(page)
        await page.goto(checkout["paymentUrl"])
        pay = page.get_by_role("button", name=BUTTONS["Successful"])
        # Two presses 100 ms apart, made by the page itself: Playwright's click would wait for the
        # navigation of the first press to finish, a customer does not.
        await pay.evaluate("button => { button.click(); setTimeout(() => button.click(), 100); }")

        # The first press's navigation is dropped by the browser, so wait for the address, not a load.
        await expect(page).to_have_url(shop_site.url(back))
        await shop_site.wait_for_visit(back)
        assert len(posts) == 2  # both presses reached the server
        assert (await statuses(api, paying_shop.headers, order["id"]))["payment"] == "Successful"
        assert await payment_notes(live_runtime, order["id"]) == ["payment Successful"]
        await one_delivered_call(api, paying_shop, receiver, order["id"])

    async def test_coming_back_to_a_paid_link_shows_the_status_and_the_way_back(
        self, page: Page, served: str, shop_site: ShopSite, api: httpx.AsyncClient, paying_shop: Shop
    ) -> None:
        _, checkout, back = await checkout_for(api, paying_shop, shop_site, "web-again")
        await page.goto(checkout["paymentUrl"])
        await page.get_by_role("button", name=BUTTONS["Successful"]).click()
        await page.wait_for_url(shop_site.url(back))

        await page.goto(checkout["paymentUrl"])

        await expect(page.get_by_test_id("status")).to_have_text("This payment is Successful.")
        await expect(page.get_by_role("button")).to_have_count(0)
        await page.get_by_role("link", name="Back to the shop").click()
        await page.wait_for_url(shop_site.url(back))


class TestThePaymentPageScreenshot:
    async def test_the_page_is_photographed_for_the_docs(
        self,
        page: Page,
        served: str,
        shop_site: ShopSite,
        api: httpx.AsyncClient,
        paying_shop: Shop,
        backend: Backend,
        tmp_path: Path,
    ) -> None:
        _, checkout, _ = await checkout_for(api, paying_shop, shop_site, "shop-100045")
        await page.goto(checkout["paymentUrl"])
        await expect(page.get_by_test_id("amount")).to_be_visible()
        # docs/ gets it once per run (the page is the same on both databases); elsewhere it is thrown away.
        target = SCREENSHOT if screenshots_wanted(backend) else tmp_path / "payment-page.png"

        target.parent.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=target, full_page=True)

        assert target.read_bytes().startswith(b"\x89PNG")
