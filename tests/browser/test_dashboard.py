"""The dashboard in a real browser (Playwright on Debian's Chromium), against the app served by
uvicorn with its embedded worker, webhooks going to a loopback receiver.

The scenario of issue 6: an owner signs up, creates test credentials, adds a webhook endpoint
and pings it, places an order through the API, finds it and moves it through its statuses; an
operator ships a live order with a tracking URL and the owner's endpoint hears of it. Then the
refusals: a forged CSRF token, a foreign origin, another owner's order.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, Locator, Page, expect
from sqlalchemy import func, select

from printapi.auth import service as auth
from printapi.models import ApiClient, Order
from tests.conftest import Backend, order_body
from tests.dashboard.browser_support import (
    SCREENSHOTS,
    LiveServer,
    Receiver,
    chromium_missing,
    eventually,
    live_server,
    receiver,
    screenshots_wanted,
)
from tests.files.make_files import make_png, pixels_for

pytestmark = pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or "")

PASSWORD = "correct-horse-battery"
OPERATOR = "operator@printshop.example"
MUG_MM = (206.0, 86.0)


@pytest.fixture
async def server(backend: Backend, tmp_path: Path) -> AsyncIterator[LiveServer]:
    async with live_server(backend, tmp_path / "files") as running:
        yield running


@pytest.fixture
async def api(server: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    """A shop's software calling the API over real HTTP."""
    async with httpx.AsyncClient(base_url=server.base) as client:
        yield client


@pytest.fixture
async def hooks() -> AsyncIterator[Receiver]:
    async with receiver() as running:
        yield running


@pytest.fixture
async def chromium(browser: Browser) -> Browser:
    """The shared Chromium (tests/browser/conftest.py), each page in a context of its own."""
    return browser


class Console:
    """What the page complained about: script errors and CSP violations must not happen."""

    def __init__(self, page: Page) -> None:
        self.problems: list[str] = []
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.on("console", lambda message: self._note(message.type, message.text))

    def _note(self, kind: str, text: str) -> None:
        if kind == "error" and "Failed to load resource" not in text:
            self.problems.append(text)


async def new_page(chromium: Browser) -> tuple[BrowserContext, Page, Console]:
    context = await chromium.new_context(viewport={"width": 1280, "height": 860})
    context.set_default_timeout(30_000)  # generous: two test processes share two cores with Chromium
    page = await context.new_page()
    return context, page, Console(page)


def nav(page: Page, name: str) -> Locator:
    return page.get_by_role("navigation", name="Main").get_by_role("link", name=name, exact=True)


async def shot(page: Page, name: str, backend: Backend) -> None:
    if screenshots_wanted(backend):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


async def sign_up(page: Page, base: str, email: str) -> None:
    await page.goto(f"{base}/dashboard/sign-up")
    await page.get_by_label("E-mail address").fill(email)
    await page.get_by_label("Password", exact=True).fill(PASSWORD)
    await page.get_by_label("Password again").fill(PASSWORD)
    await page.get_by_role("button", name="Create account").click()
    await expect(page.get_by_role("heading", name="Overview")).to_be_visible()


async def sign_in(page: Page, base: str, email: str) -> None:
    await page.goto(f"{base}/dashboard/sign-in")
    await page.get_by_label("E-mail address").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()


async def new_credentials(page: Page, base: str, environment: str) -> tuple[str, str]:
    """Creates credentials in the dashboard; returns the client id and the secret shown once."""
    await page.goto(f"{base}/dashboard/credentials")
    await page.get_by_label("Environment").select_option(environment)
    await page.get_by_role("button", name="Create credentials").click()
    flash = await page.locator(".flash.secret").inner_text()
    client_id = re.search(r"client id ((?:test|live)_\w+)", flash)
    assert client_id, flash
    secret = await page.get_by_test_id("secret").inner_text()
    return client_id.group(1), secret.strip()


async def add_endpoint(page: Page, base: str, environment: str, url: str) -> None:
    await page.goto(f"{base}/dashboard/webhooks")
    await page.get_by_label("Environment").select_option(environment)
    await page.get_by_label("URL").fill(url)
    await page.get_by_role("button", name="Add endpoint").click()
    await expect(page.get_by_text("Endpoint added.")).to_be_visible()


async def token(api: httpx.AsyncClient, client_id: str, secret: str) -> dict[str, str]:
    form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    response = await api.post("/v2/oauth", data=form)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def place(api: httpx.AsyncClient, headers: dict[str, str], **overrides: Any) -> dict[str, Any]:
    response = await api.post("/v2/orders", json=order_body(**overrides), headers=headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def make_operator(server: LiveServer) -> None:
    async with server.runtime.db.write() as session:
        now = server.runtime.clock.now()
        password_hash = server.runtime.passwords.hash(PASSWORD)
        await auth.create_account(
            session, email=OPERATOR, password_hash=password_hash, role="operator", now=now
        )


async def count(server: LiveServer, query: Any) -> int:
    async with server.runtime.db.read() as session:
        return int((await session.execute(query)).scalar_one())


class TestAnIntegrationRunFromTheBrowser:
    async def test_an_owner_exercises_the_integration_and_an_operator_ships_a_live_order(
        self,
        server: LiveServer,
        api: httpx.AsyncClient,
        hooks: Receiver,
        chromium: Browser,
        backend: Backend,
        tmp_path: Path,
    ) -> None:
        base = server.base
        context, page, console = await new_page(chromium)

        # Sign up (the dashboard sends a visitor without a session to the sign-in page first).
        await page.goto(f"{base}/dashboard")
        await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
        await shot(page, "sign-in.png", backend)
        await page.get_by_role("link", name="Create an account").click()
        await sign_up(page, base, "shop@webwinkel.example")

        # Test credentials: the secret is shown once.
        client_id, secret = await new_credentials(page, base, "test")
        await page.reload()
        await expect(page.get_by_test_id("secret")).to_have_count(0)
        await expect(page.get_by_text(client_id)).to_be_visible()

        # A webhook endpoint on the loopback receiver, and a test ping through htmx with the CSRF header.
        await add_endpoint(page, base, "test", hooks.url("/test-hook"))
        async with page.expect_request(lambda r: r.method == "POST" and r.url.endswith("/ping")) as sent:
            await page.get_by_role("button", name="Send a test ping").click()
        ping = await sent.value
        assert (await ping.all_headers()).get("x-csrf-token")
        await hooks.wait_for("/test-hook", "orderId=ping")
        log = page.locator("#log")
        await expect(log.get_by_text("delivered")).to_be_visible(timeout=15_000)  # the log refreshes itself
        await expect(log.get_by_text("HTTP 200")).to_be_visible()
        await expect(log.get_by_text("thanks")).to_be_visible()
        await expect(page.get_by_text("Test ping queued")).to_be_visible()

        # An order through the API with the new credentials; found in the dashboard.
        test_api = await token(api, client_id, secret)
        order = await place(api, test_api, id="WEB-1001", email="klant@example.nl")
        await place(api, test_api, id="WEB-1002", email="andere@example.nl")
        await nav(page, "Orders").click()
        await page.get_by_label("Order id or e-mail").fill("klant@")
        await page.get_by_role("button", name="Filter").click()
        await expect(page.get_by_role("link", name="WEB-1001")).to_be_visible()
        await expect(page.get_by_role("link", name="WEB-1002")).to_have_count(0)
        await page.get_by_role("link", name="WEB-1001").click()

        # The simulator moves it; each change reaches the endpoint.
        await page.get_by_role("button", name="Start production").click()
        await expect(page.get_by_text("is Processing now")).to_be_visible()
        await hooks.wait_for("/test-hook", f"orderId={order['id']}")
        await page.get_by_label("Tracking URL").fill("https://tracking.example/WEB-1001")
        await page.get_by_role("button", name="Mark shipped").click()
        await expect(page.get_by_text("is Shipped now")).to_be_visible()
        await expect(page.get_by_text("Shipped is final")).to_be_visible()

        async def notifications_delivered() -> bool:
            await page.reload()
            return await page.locator("#notes-title ~ ul .badge.delivered").count() >= 1

        await eventually(notifications_delivered, what="the order's notifications")
        await shot(page, "order.png", backend)
        await page.goto(f"{base}/dashboard/webhooks")
        await page.get_by_role("link", name=hooks.url("/test-hook")).click()
        await expect(page.locator("#log").get_by_text("WEB-1001").first).to_be_visible()
        await shot(page, "webhooks.png", backend)

        # Live: credentials, an endpoint, and a mug whose accepted file sends it to production.
        live_id, live_secret = await new_credentials(page, base, "live")
        await add_endpoint(page, base, "live", hooks.url("/live-hook"))
        live_api = await token(api, live_id, live_secret)
        mug = await place(api, live_api, id="LIVE-77", items=[{"productId": "mok", "quantity": 1}])
        png = make_png(tmp_path / "mug.png", size_px=pixels_for(MUG_MM, 300)).read_bytes()
        upload = mug["items"][0]["files"]["content"]["uploadUrl"].removeprefix(base)
        uploaded = await api.post(upload, content=png, headers={**live_api, "Content-Type": "image/png"})
        assert uploaded.status_code == 200, uploaded.text
        await nav(page, "Orders").click()
        await expect(page.get_by_text("3 orders match.")).to_be_visible()
        await expect(page.locator("tr", has_text="LIVE-77").get_by_text("Processing")).to_be_visible()
        await shot(page, "orders.png", backend)

        # The operator's console: the queue, the file, shipped with a tracking URL.
        await page.get_by_role("button", name="Sign out").click()
        await expect(page.get_by_text("You are signed out.")).to_be_visible()
        await make_operator(server)
        await sign_in(page, base, OPERATOR)
        await expect(page.get_by_role("heading", name="Production queue")).to_be_visible()
        await expect(page.get_by_text("1 live order in production")).to_be_visible()
        await expect(page.get_by_text("shop@webwinkel.example")).to_be_visible()
        await shot(page, "operator-queue.png", backend)
        await page.get_by_role("link", name="LIVE-77").click()
        async with page.expect_download() as download_info:
            await page.get_by_role("link", name="Download PNG").click()
        download = await download_info.value
        # The browser runs behind Playwright's browser server: the download is copied here to be read.
        await download.save_as(tmp_path / "downloaded.png")
        assert await anyio.Path(tmp_path / "downloaded.png").read_bytes() == png
        await page.get_by_label("Tracking URL").fill("https://jouw.postnl.nl/track-and-trace/3SABC")
        await page.get_by_role("button", name="Mark shipped").click()
        await expect(page.get_by_text("Order LIVE-77 is Shipped.")).to_be_visible()
        await hooks.wait_for("/live-hook", "orderId=LIVE-77")

        async def live_notification_delivered() -> bool:
            await page.reload()
            return await page.locator("#notes-title ~ ul .badge.delivered").count() >= 1

        await eventually(live_notification_delivered, what="the live order's notification")
        await nav(page, "Production queue").click()
        await expect(page.get_by_text("Nothing in production.")).to_be_visible()

        assert console.problems == []
        await context.close()


class TestRefusalsInTheBrowser:
    async def test_a_forged_token_a_foreign_origin_and_another_owners_order_are_refused(
        self, server: LiveServer, api: httpx.AsyncClient, hooks: Receiver, chromium: Browser
    ) -> None:
        base = server.base
        context, page, _ = await new_page(chromium)
        await sign_up(page, base, "first@shop.example")
        client_id, secret = await new_credentials(page, base, "test")
        order = await place(api, await token(api, client_id, secret), id="MINE-1")
        clients = select(func.count()).select_from(ApiClient)

        # A forged CSRF token: a 403 page, nothing created.
        await page.goto(f"{base}/dashboard/credentials")
        await page.locator("form[action='/dashboard/credentials'] input[name=csrf_token]").evaluate(
            "input => { input.value = 'forged'; }"
        )
        await page.get_by_role("button", name="Create credentials").click()
        await expect(page.get_by_text("did not come from this dashboard")).to_be_visible()
        assert await count(server, clients) == 1

        # Another site's form, even one that knows the real token, is refused on its Origin.
        await page.goto(f"{base}/dashboard/credentials")
        real_token = await page.locator("input[name=csrf_token]").first.get_attribute("value")
        hooks.pages["/evil"] = (
            f'<form method="post" action="{base}/dashboard/credentials">'
            f'<input type="hidden" name="csrf_token" value="{real_token}">'
            '<input type="hidden" name="environment" value="live">'
            '<button type="submit">Win a prize</button></form>'
        )
        await page.goto(hooks.url("/evil"))
        await page.get_by_role("button", name="Win a prize").click()
        await expect(page.get_by_text("did not come from this dashboard")).to_be_visible()
        assert await count(server, clients) == 1

        # Another owner cannot see the first owner's order.
        other_context, other, _ = await new_page(chromium)
        await sign_up(other, base, "second@shop.example")
        response = await other.goto(f"{base}/dashboard/orders/test/{order['id']}")
        assert response is not None
        assert response.status == 404
        await expect(other.get_by_text("does not exist")).to_be_visible()
        await other.goto(f"{base}/dashboard/orders")
        await expect(other.get_by_text("No orders match.")).to_be_visible()
        assert await count(server, select(func.count()).select_from(Order)) == 1

        await other_context.close()
        await context.close()
