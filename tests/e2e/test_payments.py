"""The hosted payment screen against the processes as shipped, in Chromium: one customer pays, one
lets the payment fail, one walks away and the worker's expiry job cancels the unpaid link.

The deployment's links live ``PRINTAPI_PAYMENT_TTL_SECONDS`` (6 s here) and the expiry job runs
every 0.5 s. The walk-away's link is set up first, so that its lifetime passes while the other
two customers pay or fail; each of those sets up its own link right before the browser opens it.
"""

from __future__ import annotations

import re
from functools import partial
from pathlib import Path
from typing import Any

from playwright.async_api import Page, expect

from tests.browser.conftest import ShopSite, needs_chromium
from tests.conftest import address
from tests.e2e.processes import Deployment
from tests.e2e.shop import Shop, signed_correctly, until, webhook_for
from tests.files.make_files import make_pdf
from tests.webhooks.conftest import Receiver

pytestmark = needs_chromium

BOOK = {"productId": "boek_hc_a5_sta", "pageCount": 32, "quantity": 1}
CONTENT_MM = (154.0, 216.0)
COVER_MM = (348.56, 253.0)
HOOK = "/hooks/payments"
PAY = re.compile(r"^Pay € [0-9]+,[0-9]{2} \(test\)$")
EXPIRY_SECONDS = 6 + 0.5 + 10  # the lifetime, the job's interval, and room for a busy machine


async def set_up_checkout(shop: Shop, order: dict[str, Any], site: ShopSite) -> dict[str, Any]:
    """POST the order's setupUrl (docs/payments.md): the customer's billing address and returnUrl."""
    body = {
        "returnUrl": site.url(f"/paid?order={order['id']}"),
        "billing": {"address": address(name="K. Klant", city="Amersfoort", email="klant@example.nl")},
    }
    response = await shop.post(order["checkout"]["setupUrl"], json=body)
    assert response.status_code == 201, response.text
    checkout: dict[str, Any] = response.json()
    assert checkout["status"] == "Open"
    return checkout


async def press(page: Page, checkout: dict[str, Any], button: str | re.Pattern[str], site: ShopSite) -> None:
    """The customer opens the payment link, presses ``button`` and lands back at the shop."""
    await page.goto(checkout["paymentUrl"])
    await expect(page.get_by_role("note")).to_contain_text("Test payment")
    await page.get_by_role("button", name=button).click()
    await page.wait_for_url(checkout["returnUrl"])
    await expect(page.get_by_role("heading")).to_have_text("Back at the shop")


async def upload_print_files(shop: Shop, order: dict[str, Any], folder: Path) -> None:
    files = order["items"][0]["files"]
    content = make_pdf(folder / "content.pdf", size_mm=CONTENT_MM, pages=32).read_bytes()
    await shop.upload(files["content"]["uploadUrl"], content)
    await shop.upload(
        files["cover"]["uploadUrl"], make_pdf(folder / "cover.pdf", size_mm=COVER_MM).read_bytes()
    )


class TestThreeCustomersOnThePaymentScreen:
    async def test_a_payment_moves_the_order_on_a_failure_and_an_expired_link_cancel_it_each_with_a_webhook(
        self,
        deployment: Deployment,
        shop: Shop,
        receiver: Receiver,
        shop_site: ShopSite,
        page: Page,
        tmp_path: Path,
    ) -> None:
        switched = await deployment.cli("accounts", "update", "--email", shop.email, "--payment-screen", "on")
        assert switched.output == f"{shop.email}: payment screen on\n"
        endpoint = await shop.add_endpoint(receiver.url(HOOK))
        walks_away = await shop.place(BOOK, order_id="walks-away")
        walks_away_checkout = await set_up_checkout(shop, walks_away, shop_site)

        pays = await shop.place(BOOK, order_id="pays")
        await upload_print_files(shop, pays, tmp_path)
        await press(page, await set_up_checkout(shop, pays, shop_site), PAY, shop_site)
        fails = await shop.place(BOOK, order_id="fails")
        await press(page, await set_up_checkout(shop, fails, shop_site), "Let the payment fail", shop_site)

        assert await shop.statuses("pays") == {"id": "pays", "order": "Processing", "payment": "Successful"}
        assert await shop.statuses("fails") == {"id": "fails", "order": "Cancelled", "payment": "Failed"}
        expired = await until(
            lambda: settled(shop, "walks-away"), seconds=EXPIRY_SECONDS, what="the link expired"
        )
        assert expired == {"id": "walks-away", "order": "Cancelled", "payment": "Cancelled"}
        await page.goto(walks_away_checkout["paymentUrl"])
        await expect(page.get_by_test_id("status")).to_contain_text("This payment is Cancelled")
        await expect(page.get_by_role("button")).to_have_count(0)

        calls = [await webhook_for(receiver, HOOK, order_id) for order_id in ("pays", "fails", "walks-away")]
        assert all(signed_correctly(endpoint["secret"], call) for call in calls)
        assert await delivered_once(shop, receiver, ("pays", "fails", "walks-away"))


async def settled(shop: Shop, order_id: str) -> dict[str, Any] | None:
    statuses = await shop.statuses(order_id)
    return statuses if statuses.get("payment") != "Open" else None


async def delivered_once(shop: Shop, receiver: Receiver, order_ids: tuple[str, ...]) -> bool:
    """Each order had one notification (the payment and the order's move together), delivered in one call."""
    for order_id in order_ids:
        log = await until(
            partial(shop.delivered, order_id), seconds=10, what=f"{order_id}'s webhook delivered"
        )
        assert len(log) == 1, log
    bodies = sorted(call.body for call in receiver.to(HOOK))
    return bodies == sorted(f"orderId={order_id}".encode() for order_id in order_ids)
