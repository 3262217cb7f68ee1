"""The operator's console over HTTP: the queue with due dates, shipping and cancelling, accounts,
coupons and the mail outbox."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from printapi.auth.principal import Environment
from printapi.kit.clock import FixedClock
from printapi.mail import service as mail
from printapi.models import Coupon, Order, OrderStatusChange, WebhookNotification
from printapi.orders.states import OrderStatus
from printapi.runtime import Runtime
from tests.conftest import book_item
from tests.dashboard.conftest import Person, api_headers, move, place
from tests.dashboard.helpers import flash_text, post_form

MUG = {"productId": "mok", "quantity": 2}


@pytest.fixture
async def live_headers(runtime: Runtime, client: httpx.AsyncClient, owner: Person) -> dict[str, str]:
    return await api_headers(runtime, client, owner.email, Environment.LIVE)


async def in_production(
    runtime: Runtime, owner: Person, order: dict[str, object], environment: str = "live"
) -> str:
    order_id = str(order["id"])
    await move(
        runtime,
        account_id=owner.account_id,
        environment=environment,
        order_id=order_id,
        status=OrderStatus.PROCESSING,
    )
    return order_id


class TestTheProductionQueue:
    async def test_it_lists_live_orders_in_production_oldest_first_with_their_due_dates(
        self,
        runtime: Runtime,
        clock: FixedClock,
        client: httpx.AsyncClient,
        owner: Person,
        operator: Person,
        live_headers: dict[str, str],
    ) -> None:
        # The clock starts on Saturday 2025-03-29, 21:40 in Amsterdam: day 1 is Monday the 31st.
        await in_production(runtime, owner, await place(client, live_headers, id="BOOK", items=[book_item()]))
        clock.advance(timedelta(hours=1))
        await in_production(runtime, owner, await place(client, live_headers, id="MUG", items=[MUG]))
        await place(client, live_headers, id="WAITING")  # Created: not in production yet
        test_headers = await api_headers(runtime, client, owner.email)
        await in_production(runtime, owner, await place(client, test_headers, id="TEST"), "test")

        page = (await operator.http.get("/dashboard/operator")).text

        assert "2 live orders in production" in page
        assert page.index('data-order="BOOK"') < page.index('data-order="MUG"')
        assert "WAITING" not in page
        assert 'data-order="TEST"' not in page
        assert "Wed 02 Apr 2025" in page  # the book: 3 working days
        assert "Tue 01 Apr 2025" in page  # the mug: 2 working days
        assert owner.email in page

    async def test_an_order_past_its_due_date_is_marked_overdue(
        self,
        runtime: Runtime,
        clock: FixedClock,
        client: httpx.AsyncClient,
        owner: Person,
        operator: Person,
        live_headers: dict[str, str],
    ) -> None:
        now = clock.now()  # Saturday 21:40; the sessions began now and stay valid before it
        clock.set(now - timedelta(days=3))  # Wednesday 21:40: day 1 is Thursday, the mug is due Friday
        await in_production(runtime, owner, await place(client, live_headers, items=[MUG]))

        on_time = (await operator.http.get("/dashboard/operator")).text
        clock.set(now - timedelta(days=1))
        today = (await operator.http.get("/dashboard/operator")).text
        clock.set(now)
        late = (await operator.http.get("/dashboard/operator")).text

        assert "Fri 28 Mar 2025" in on_time
        assert "overdue" not in on_time
        assert "due today" in today
        assert '<span class="badge overdue">overdue</span>' in late

    async def test_any_order_can_be_found_by_its_id(
        self, client: httpx.AsyncClient, owner: Person, operator: Person, live_headers: dict[str, str]
    ) -> None:
        await place(client, live_headers, id="FIND-ME")

        found = await operator.http.get("/dashboard/operator/find", params={"order_id": "FIND-ME"})
        missing = await operator.http.get("/dashboard/operator/find", params={"order_id": "NOPE"})

        assert found.status_code == 303
        assert found.headers["location"] == f"/dashboard/operator/orders/{owner.account_id}/live/FIND-ME"
        assert missing.status_code == 404


class TestShippingAndCancelling:
    async def test_an_order_is_shipped_with_a_tracking_url_and_the_owner_is_notified(
        self,
        runtime: Runtime,
        client: httpx.AsyncClient,
        owner: Person,
        operator: Person,
        live_headers: dict[str, str],
    ) -> None:
        await post_form(
            owner.http, "/dashboard/webhooks", {"environment": "live", "url": "https://shop.example/hook"}
        )
        order_id = await in_production(runtime, owner, await place(client, live_headers))
        page = f"/dashboard/operator/orders/{owner.account_id}/live/{order_id}"

        response = await post_form(
            operator.http,
            f"{page}/status",
            {"status": "Shipped", "tracking_url": "https://postnl.example/3S123"},
            from_page=page,
        )
        shown = (await operator.http.get(page)).text

        assert response.headers["location"] == page
        assert f"Order {order_id} is Shipped." in flash_text(shown)
        assert "https://postnl.example/3S123" in shown
        async with runtime.db.read() as session:
            order = (await session.execute(select(Order))).scalar_one()
            last = (
                (await session.execute(select(OrderStatusChange).order_by(OrderStatusChange.pk.desc())))
                .scalars()
                .first()
            )
            notifications = (await session.execute(select(WebhookNotification.order_id))).scalars().all()
        assert (order.status, order.tracking_url) == ("Shipped", "https://postnl.example/3S123")
        assert last is not None
        assert (last.source, last.note) == ("operator", "https://postnl.example/3S123")
        assert notifications == [order_id]

    async def test_an_order_is_cancelled_with_a_reason(
        self,
        runtime: Runtime,
        client: httpx.AsyncClient,
        owner: Person,
        operator: Person,
        live_headers: dict[str, str],
    ) -> None:
        order_id = await in_production(runtime, owner, await place(client, live_headers))
        page = f"/dashboard/operator/orders/{owner.account_id}/live/{order_id}"

        await post_form(
            operator.http,
            f"{page}/status",
            {"status": "Cancelled", "reason": "paper out of stock"},
            from_page=page,
        )
        shown = (await operator.http.get(page)).text

        assert "paper out of stock" in shown
        assert "Cancelled is final." in shown

    async def test_a_bad_tracking_url_is_shown_and_the_order_stays_in_production(
        self,
        runtime: Runtime,
        client: httpx.AsyncClient,
        owner: Person,
        operator: Person,
        live_headers: dict[str, str],
    ) -> None:
        order_id = await in_production(runtime, owner, await place(client, live_headers))
        page = f"/dashboard/operator/orders/{owner.account_id}/live/{order_id}"

        response = await post_form(
            operator.http, f"{page}/status", {"status": "Shipped", "tracking_url": "ftp://x"}, from_page=page
        )
        shown = (await operator.http.get(response.headers["location"])).text

        assert "trackingUrl: must be an http:// or https:// URL" in flash_text(shown)
        async with runtime.db.read() as session:
            assert (await session.execute(select(Order.status))).scalar_one() == "Processing"

    async def test_a_waiting_order_can_be_started_by_hand(
        self,
        runtime: Runtime,
        client: httpx.AsyncClient,
        owner: Person,
        operator: Person,
        live_headers: dict[str, str],
    ) -> None:
        order = await place(client, live_headers)
        page = f"/dashboard/operator/orders/{owner.account_id}/live/{order['id']}"

        await post_form(operator.http, f"{page}/status", {"status": "Processing"}, from_page=page)

        assert order["id"] in (await operator.http.get("/dashboard/operator")).text


class TestAccountsCouponsAndMail:
    async def test_the_accounts_overview_counts_orders_per_account(
        self,
        runtime: Runtime,
        client: httpx.AsyncClient,
        owner: Person,
        operator: Person,
        live_headers: dict[str, str],
    ) -> None:
        await in_production(runtime, owner, await place(client, live_headers))
        await place(client, live_headers)
        await place(client, await api_headers(runtime, client, owner.email))

        page = (await operator.http.get("/dashboard/operator/accounts")).text
        row = page[page.index(owner.email) :]
        cells = [cell.split("<", 1)[0] for cell in row.split('<td class="num">')[1:4]]

        assert cells == ["2", "1", "1"]

    async def test_coupons_are_created_listed_and_deleted(self, runtime: Runtime, operator: Person) -> None:
        page = "/dashboard/operator/coupons"

        await post_form(operator.http, page, {"code": "ZOMER10", "type": "Percentage", "value": "10"})
        await post_form(
            operator.http,
            page,
            {
                "code": "KADO5",
                "type": "Amount",
                "value": "5,00",
                "scope": "Total",
                "expires": "2025-12-31T23:59",
                "usage_limit": "100",
            },
        )
        duplicate = await post_form(
            operator.http, page, {"code": "ZOMER10", "type": "Percentage", "value": "15"}
        )
        listing = (await operator.http.get(duplicate.headers["location"])).text
        await post_form(operator.http, f"{page}/KADO5/delete", from_page=page)

        assert "exists already" in flash_text(listing)
        assert "10 %" in listing
        assert "€ 5.00" in listing
        assert "2025-12-31 23:59" in listing
        async with runtime.db.read() as session:
            assert (await session.execute(select(Coupon.code))).scalars().all() == ["ZOMER10"]

    async def test_a_coupon_that_breaks_several_rules_names_them_all(
        self, runtime: Runtime, operator: Person
    ) -> None:
        page = "/dashboard/operator/coupons"

        refused = await post_form(
            operator.http, page, {"code": "met spatie", "type": "Amount", "value": "0", "usage_limit": "0"}
        )

        flash = flash_text((await operator.http.get(refused.headers["location"])).text)
        assert "code: 1-64 letters, digits, - or _" in flash
        assert "amount: an Amount coupon needs a positive amount and no percentage" in flash
        assert "usageLimit: must be 1 or more" in flash
        async with runtime.db.read() as session:
            assert (await session.execute(select(Coupon.code))).scalars().all() == []

    async def test_the_mail_outbox_shows_status_attempts_and_the_last_error(
        self, runtime: Runtime, operator: Person
    ) -> None:
        async with runtime.db.write() as session:
            message = await mail.enqueue(
                session,
                to="owner@shop.example",
                subject="Webhook failing",
                body="…",
                topic="webhook_failure",
                now=runtime.clock.now(),
            )
            message.attempts, message.last_error = 3, "SMTPConnectError: connection refused"

        page = (await operator.http.get("/dashboard/operator/mail")).text

        assert "Webhook failing" in page
        assert "owner@shop.example" in page
        assert "SMTPConnectError: connection refused" in page
        assert '<td class="num">3</td>' in page
