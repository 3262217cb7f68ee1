"""The owner's orders: the list with its filters and pages, one order, its files, and the simulator."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from printapi.auth.principal import Environment
from printapi.kit.clock import FixedClock
from printapi.models import Order, OrderStatusChange, Payment, WebhookNotification
from printapi.runtime import Runtime
from tests.conftest import book_item
from tests.dashboard.conftest import Person, api_headers, place
from tests.dashboard.helpers import flash_text, post_form
from tests.files.make_files import make_png, pixels_for

MUG_MM = (206.0, 86.0)


def listed(page: str, order_id: str) -> bool:
    return f">{order_id}</a>" in page


@pytest.fixture
async def shop_headers(runtime: Runtime, client: httpx.AsyncClient, owner: Person) -> dict[str, str]:
    return await api_headers(runtime, client, owner.email)


class TestTheOrderList:
    async def test_filters_by_status_environment_text_and_dates(
        self, runtime: Runtime, client: httpx.AsyncClient, owner: Person, shop_headers: dict[str, str]
    ) -> None:
        live_headers = await api_headers(runtime, client, owner.email, Environment.LIVE)
        first = await place(client, shop_headers, id="A-1001", email="anna@example.nl")
        second = await place(client, shop_headers, id="B-2002", email="bob@example.nl")
        live = await place(client, live_headers, id="A-3003")
        await post_form(
            owner.http,
            "/dashboard/orders/test/B-2002/status",
            {"status": "Processing"},
            from_page="/dashboard/orders/test/B-2002",
        )

        async def ids(**filters: str) -> list[str]:
            page = (await owner.http.get("/dashboard/orders", params=filters)).text
            return [o for o in (first["id"], second["id"], live["id"]) if listed(page, o)]

        assert await ids() == ["A-1001", "B-2002", "A-3003"]
        assert await ids(status="Processing") == ["B-2002"]
        assert await ids(environment="live") == ["A-3003"]
        assert await ids(q="A-") == ["A-1001", "A-3003"]
        assert await ids(q="BOB@") == ["B-2002"]
        # The conftest clock says 2025-03-29 21:40 in Amsterdam.
        assert await ids(created_from="2025-03-29", created_to="2025-03-29") == ["A-1001", "B-2002", "A-3003"]
        assert await ids(created_from="2025-03-30") == []
        assert await ids(created_to="2025-03-28") == []

    async def test_bad_filters_are_a_400_page(self, owner: Person) -> None:
        response = await owner.http.get("/dashboard/orders", params={"created_from": "yesterday"})

        assert response.status_code == 400
        assert "must be a date" in response.text

    async def test_the_list_pages_by_25_newest_first(
        self, clock: FixedClock, client: httpx.AsyncClient, owner: Person, shop_headers: dict[str, str]
    ) -> None:
        for number in range(27):
            await place(client, shop_headers, id=f"O-{number:02d}")
            clock.advance(timedelta(seconds=1))

        first = (await owner.http.get("/dashboard/orders")).text
        second = (await owner.http.get("/dashboard/orders", params={"page": "2"})).text

        assert "27 orders match." in first
        ids = [f"O-{number:02d}" for number in range(27)]
        assert [i for i in ids if listed(first, i)] == ids[2:]
        assert [i for i in ids if listed(second, i)] == ids[:2]
        assert "Page 2 of 2" in second


class TestTheOverview:
    async def test_it_ticks_the_steps_done_and_lists_the_latest_orders(
        self, client: httpx.AsyncClient, owner: Person, shop_headers: dict[str, str]
    ) -> None:
        await place(client, shop_headers, id="FIRST-1", email="anna@example.nl")

        page = (await owner.http.get("/dashboard")).text

        assert page.count('class="done"') == 2  # credentials (made by shop_headers) and an order
        assert 'href="/dashboard/orders/test/FIRST-1"' in page


class TestAnOrderPage:
    async def test_it_shows_items_files_costs_and_the_timeline(
        self, client: httpx.AsyncClient, owner: Person, shop_headers: dict[str, str]
    ) -> None:
        order = await place(client, shop_headers, items=[book_item()], email="anna@example.nl")

        page = (await owner.http.get(f"/dashboard/orders/test/{order['id']}")).text

        assert "Boek Hardcover A5 Staand" in page
        assert "AwaitingUpload" in page
        assert "€ 14.51" in page  # the total of the reference order
        assert "Brievenbuspakje" in page
        assert "anna@example.nl" in page
        assert "by api" in page
        assert "Start production" in page

    async def test_with_the_payment_screen_it_shows_what_the_customer_pays_and_the_payment(
        self, client: httpx.AsyncClient, owner: Person, shop_headers: dict[str, str]
    ) -> None:
        await post_form(
            owner.http, "/dashboard/settings", {"payment_screen": "on", "consumer_shipping": "method"}
        )
        order = await place(client, shop_headers)

        page = (await owner.http.get(f"/dashboard/orders/test/{order['id']}")).text

        assert "Customer pays" in page
        assert "not set up yet" in page
        assert "NotIncluded" in page

    async def test_an_order_id_with_reserved_characters_has_a_working_page(
        self, client: httpx.AsyncClient, owner: Person, shop_headers: dict[str, str]
    ) -> None:
        await place(client, shop_headers, id="shop!order&1;=$")

        listing = (await owner.http.get("/dashboard/orders")).text
        page = await owner.http.get("/dashboard/orders/test/shop%21order%261%3B%3D%24")

        assert 'href="/dashboard/orders/test/shop%21order%261%3B%3D%24"' in listing
        assert page.status_code == 200


class TestTheSimulator:
    async def test_a_test_order_moves_through_its_statuses_and_notifies_the_endpoints(
        self, runtime: Runtime, client: httpx.AsyncClient, owner: Person, shop_headers: dict[str, str]
    ) -> None:
        await post_form(
            owner.http, "/dashboard/webhooks", {"environment": "test", "url": "https://shop.example/hook"}
        )
        order = await place(client, shop_headers)
        page = f"/dashboard/orders/test/{order['id']}"

        started = await post_form(owner.http, f"{page}/status", {"status": "Processing"}, from_page=page)
        shipped = await post_form(
            owner.http,
            f"{page}/status",
            {"status": "Shipped", "tracking_url": "https://track.example/1"},
            from_page=page,
        )
        shown = (await owner.http.get(page)).text

        assert started.status_code == shipped.status_code == 303
        assert "is Shipped now" in flash_text(shown)
        assert "Shipped is final" in shown
        assert "https://track.example/1" in shown
        async with runtime.db.read() as session:
            history = (
                await session.execute(select(OrderStatusChange.status, OrderStatusChange.source))
            ).all()
            notifications = (await session.execute(select(WebhookNotification.order_id))).scalars().all()
        assert [tuple(row) for row in history] == [
            ("Created", "api"),
            ("Processing", "simulator"),
            ("Shipped", "simulator"),
        ]
        assert notifications == [order["id"]]  # folded into one pending notification

    async def test_a_move_the_state_machine_forbids_is_shown_and_changes_nothing(
        self, runtime: Runtime, client: httpx.AsyncClient, owner: Person, shop_headers: dict[str, str]
    ) -> None:
        order = await place(client, shop_headers)
        page = f"/dashboard/orders/test/{order['id']}"

        response = await post_form(owner.http, f"{page}/status", {"status": "Shipped"}, from_page=page)
        shown = (await owner.http.get(response.headers["location"])).text

        assert response.headers["location"] == page
        assert "cannot move from Created to Shipped" in flash_text(shown)
        async with runtime.db.read() as session:
            assert (await session.execute(select(Order.status))).scalar_one() == "Created"

    async def test_live_orders_cannot_be_simulated(
        self, runtime: Runtime, client: httpx.AsyncClient, owner: Person
    ) -> None:
        order = await place(client, await api_headers(runtime, client, owner.email, Environment.LIVE))

        response = await post_form(
            owner.http,
            f"/dashboard/orders/test/{order['id']}/status",
            {"status": "Processing"},
            from_page="/dashboard",
        )
        live_page = (await owner.http.get(f"/dashboard/orders/live/{order['id']}")).text

        assert response.status_code == 404
        assert "Simulate the print shop" not in live_page


class TestStoredFiles:
    @pytest.fixture
    def settings_overrides(self, tmp_path: Path) -> dict[str, Any]:
        return {"storage_dir": str(tmp_path / "files")}

    async def test_an_accepted_file_can_be_downloaded_from_the_order_page(
        self, client: httpx.AsyncClient, owner: Person, shop_headers: dict[str, str], tmp_path: Path
    ) -> None:
        order = await place(client, shop_headers, items=[{"productId": "mok", "quantity": 1}])
        png = make_png(tmp_path / "mug.png", size_px=pixels_for(MUG_MM, 300)).read_bytes()
        upload = order["items"][0]["files"]["content"]["uploadUrl"].removeprefix("http://testserver")
        uploaded = await client.post(
            upload, content=png, headers={**shop_headers, "Content-Type": "image/png"}
        )
        item = order["items"][0]["id"]

        page = (await owner.http.get(f"/dashboard/orders/test/{order['id']}")).text
        download = await owner.http.get(f"/dashboard/orders/test/{order['id']}/items/{item}/files/content")

        assert uploaded.status_code == 200, uploaded.text
        assert f"/items/{item}/files/content" in page
        assert "Processing" in page
        assert download.status_code == 200
        assert download.content == png
        assert download.headers["content-type"] == "image/png"
        assert f'filename="{order["id"]}-{item}-content.png"' in download.headers["content-disposition"]


class TestThePaymentOnTheOrderPage:
    async def test_the_provider_method_and_refund_are_shown(
        self, runtime: Runtime, client: httpx.AsyncClient, owner: Person, shop_headers: dict[str, str]
    ) -> None:
        await client.patch("/v2/account", json={"paymentScreen": True}, headers=shop_headers)
        order = await place(client, shop_headers, id="P-1")
        from tests.payments.conftest import choose, set_up  # noqa: PLC0415 - the payment tests' builders

        checkout = await set_up(client, shop_headers, order)
        await choose(client, checkout["paymentUrl"], "Successful")
        async with runtime.db.write() as session:
            await session.execute(
                Payment.__table__.update().values(method="ideal")  # as a provider would have said
            )
        moved = await client.post("/v2/orders/P-1/status", json={"status": "Cancelled"}, headers=shop_headers)
        assert moved.status_code == 200, moved.text

        page = (await owner.http.get("/dashboard/orders/test/P-1")).text

        assert "test · <code>test-" in page
        assert 'data-testid="payment-method">ideal<' in page
        assert "Refunded" in page
        assert "22.87" in page or "22,87" in page

    async def test_the_settings_name_the_live_provider_and_no_key(self, owner: Person) -> None:
        page = (await owner.http.get("/dashboard/settings")).text

        assert "Live payments: on the test page" in page  # development mode, no provider set
