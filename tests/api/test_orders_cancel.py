"""``POST /v2/orders/{id}/cancel`` and ``allowedActions`` (extensions): cancelling within the window
before production starts (``PRINTAPI_PRODUCTION_DELAY``), and what that causes.

The runtime's clock is a ``FixedClock``: production starts when the test moves the clock past the
order's ``production_starts_at``, never by waiting. The webhook goes to a real loopback receiver,
sent by a turn of the worker's dispatcher.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from printapi.kit.clock import FixedClock
from printapi.models import Order
from printapi.runtime import Runtime
from printapi.webhooks.delivery import Dispatcher
from tests.api.helpers import assert_error, changes, move, place, status_of
from tests.conftest import bearer, book_item, make_credentials, order_body
from tests.payments.conftest import checkout_body, path_of, switch_payment_screen
from tests.webhooks.conftest import TURNS, Receiver, dispatcher, receiver, turn, webhook_http

__all__ = ["dispatcher", "receiver", "webhook_http"]  # fixtures of the webhook tests, used by name

DELAY = timedelta(minutes=60)
HOOK = "/hooks/orders"


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {**TURNS, "production_delay": "60m"}


async def cancel(client: httpx.AsyncClient, headers: dict[str, str], order_id: str) -> httpx.Response:
    return await client.post(f"/v2/orders/{order_id}/cancel", headers=headers)


async def read(client: httpx.AsyncClient, headers: dict[str, str], order_id: str) -> dict[str, Any]:
    response = await client.get(f"/v2/orders/{order_id}", headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def processing(client: httpx.AsyncClient, headers: dict[str, str], order_id: str) -> None:
    moved = await move(client, headers, order_id, "Processing")
    assert moved.status_code == 200, moved.text


async def in_stage(
    client: httpx.AsyncClient, headers: dict[str, str], clock: FixedClock, stage: str
) -> dict[str, Any]:
    """An order in ``stage``: Created, WaitingForProduction, InProduction, Shipped or Cancelled."""
    order = await place(client, headers)
    if stage in ("WaitingForProduction", "InProduction", "Shipped"):
        await processing(client, headers, order["id"])
    if stage == "InProduction":
        clock.advance(DELAY)  # production starts at this very moment
    if stage in ("Shipped", "Cancelled"):
        moved = await move(client, headers, order["id"], stage)
        assert moved.status_code == 200, moved.text
    return order


# (stage, the order's status, may the shop cancel?, the refusal's reason)
PAIRS = [
    ("Created", "Created", True, None),
    ("WaitingForProduction", "Processing", True, None),
    ("InProduction", "Processing", False, "its production has started"),
    ("Shipped", "Shipped", False, "it has been shipped"),
    ("Cancelled", "Cancelled", False, "it is cancelled already"),
]


class TestEveryStatusAndProductionStart:
    @pytest.mark.parametrize(("stage", "status", "allowed", "reason"), PAIRS, ids=[p[0] for p in PAIRS])
    async def test_cancel_is_allowed_exactly_before_production_starts(
        self,
        client: httpx.AsyncClient,
        clock: FixedClock,
        auth_headers: dict[str, str],
        stage: str,
        status: str,
        allowed: bool,
        reason: str | None,
    ) -> None:
        order = await in_stage(client, auth_headers, clock, stage)
        before = await read(client, auth_headers, order["id"])
        history = await changes(client, auth_headers)

        response = await cancel(client, auth_headers, order["id"])

        assert before["status"] == status
        assert ("cancel" in before["allowedActions"]) is allowed
        if allowed:
            assert response.status_code == 200, response.text
            assert response.json()["status"] == "Cancelled"
            assert response.json()["allowedActions"] == []
            assert await read(client, auth_headers, order["id"]) == response.json()
            assert (await changes(client, auth_headers))[-1]["status"] == "Cancelled"
        else:
            error = assert_error(response, 403)
            assert error["message"] == f"Order '{order['id']}' can no longer be cancelled: {reason}."
            assert await read(client, auth_headers, order["id"]) == before
            assert await changes(client, auth_headers) == history

    async def test_the_window_closes_at_the_delay_after_the_order_became_processing(
        self, client: httpx.AsyncClient, clock: FixedClock, auth_headers: dict[str, str]
    ) -> None:
        first, second = await place(client, auth_headers), await place(client, auth_headers)
        await processing(client, auth_headers, first["id"])
        await processing(client, auth_headers, second["id"])

        clock.advance(DELAY - timedelta(microseconds=1))
        just_before = await cancel(client, auth_headers, first["id"])
        clock.advance(timedelta(microseconds=1))
        at_the_start = await cancel(client, auth_headers, second["id"])

        assert just_before.status_code == 200, just_before.text
        assert_error(at_the_start, 403)

    async def test_the_delay_is_the_one_in_force_when_the_order_was_placed(
        self, runtime: Runtime, client: httpx.AsyncClient, clock: FixedClock, auth_headers: dict[str, str]
    ) -> None:
        order = await place(client, auth_headers)
        clock.advance(timedelta(days=2))  # a wait in Created does not count
        await processing(client, auth_headers, order["id"])

        async with runtime.db.read() as session:
            row = (await session.execute(select(Order).where(Order.id == order["id"]))).scalar_one()

        assert row.production_delay_seconds == 3600
        assert row.production_starts_at == clock.now() + DELAY

    async def test_a_second_cancel_is_a_clear_403_and_changes_nothing(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        order = await place(client, auth_headers)

        first = await cancel(client, auth_headers, order["id"])
        history = await changes(client, auth_headers)
        second = await cancel(client, auth_headers, order["id"])

        assert first.status_code == 200, first.text
        error = assert_error(second, 403)
        assert "cancelled already" in error["message"]
        assert await changes(client, auth_headers) == history

    async def test_an_unknown_or_another_accounts_order_is_404(
        self, runtime: Runtime, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        order = await place(client, auth_headers)
        other = await bearer(client, await make_credentials(runtime))

        assert_error(await cancel(client, other, order["id"]), 404)
        assert_error(await cancel(client, auth_headers, "nope"), 404)
        assert await status_of(client, auth_headers, order["id"]) == "Created"


class TestWithoutADelay:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        return {}  # PRINTAPI_PRODUCTION_DELAY unset: 0, today's behaviour

    async def test_a_processing_order_is_in_production_at_once(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        created, started = await place(client, auth_headers), await place(client, auth_headers)
        await processing(client, auth_headers, started["id"])

        assert (await read(client, auth_headers, started["id"]))["allowedActions"] == []
        assert_error(await cancel(client, auth_headers, started["id"]), 403)
        assert (await cancel(client, auth_headers, created["id"])).status_code == 200


class TestWhatACancellationCauses:
    async def test_the_webhook_fires(
        self,
        client: httpx.AsyncClient,
        clock: FixedClock,
        auth_headers: dict[str, str],
        receiver: Receiver,
        dispatcher: Dispatcher,
    ) -> None:
        endpoint = await client.post("/v2/webhooks", json={"url": receiver.url(HOOK)}, headers=auth_headers)
        assert endpoint.status_code == 201, endpoint.text
        order = await place(client, auth_headers, order_body(id="hooked"))
        await processing(client, auth_headers, "hooked")
        await turn(dispatcher)
        assert [call.body for call in receiver.to(HOOK)] == [b"orderId=hooked"]  # Processing

        clock.advance(DELAY / 2)
        response = await cancel(client, auth_headers, order["id"])
        await turn(dispatcher)

        assert response.status_code == 200, response.text
        assert [call.body for call in receiver.to(HOOK)] == [b"orderId=hooked"] * 2
        assert [row["status"] for row in await changes(client, auth_headers)] == [
            "Created",
            "Processing",
            "Cancelled",
        ]

    async def test_an_open_payment_is_cancelled(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        await switch_payment_screen(client, auth_headers, on=True)
        order = await place(client, auth_headers)
        setup = await client.post(
            path_of(order["checkout"]["setupUrl"]), json=checkout_body(), headers=auth_headers
        )
        assert setup.status_code == 201, setup.text
        assert order["allowedActions"] == ["cancel", "setupCheckout", "uploadFiles"]

        response = await cancel(client, auth_headers, order["id"])

        assert response.status_code == 200, response.text
        assert response.json()["checkout"]["status"] == "Cancelled"
        statuses = await client.get(f"/v2/orders/{order['id']}/status", headers=auth_headers)
        assert statuses.json() == {"id": order["id"], "order": "Cancelled", "payment": "Cancelled"}
        again = await client.post(
            path_of(order["checkout"]["setupUrl"]), json=checkout_body(), headers=auth_headers
        )
        assert_error(again, 403)

    async def test_a_coupons_use_is_given_back(
        self, runtime: Runtime, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        operator = await bearer(client, await make_credentials(runtime, role="operator"))
        coupon = {"code": "EENMAAL", "type": "Percentage", "percentage": 10, "usageLimit": 1}
        made = await client.post("/v2/operator/coupons", json=coupon, headers=operator)
        assert made.status_code == 201, made.text
        await switch_payment_screen(client, auth_headers, on=True)
        order = await place(client, auth_headers, order_body(book_item(), coupon="EENMAAL"))
        used_up = await client.post("/v2/orders", json=order_body(coupon="EENMAAL"), headers=auth_headers)

        response = await cancel(client, auth_headers, order["id"])
        uses = (await client.get("/v2/operator/coupons", headers=operator)).json()["results"]
        reused = await client.post("/v2/orders", json=order_body(coupon="EENMAAL"), headers=auth_headers)

        assert_error(used_up, 400, field="coupon")
        assert response.status_code == 200, response.text
        assert [c["used"] for c in uses] == [0]
        assert reused.status_code == 201, reused.text

    async def test_an_order_without_the_payment_screen_takes_no_coupon_use_and_gives_none_back(
        self, runtime: Runtime, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        operator = await bearer(client, await make_credentials(runtime, role="operator"))
        coupon = {"code": "ANDER", "type": "Percentage", "percentage": 10, "usageLimit": 2}
        assert (await client.post("/v2/operator/coupons", json=coupon, headers=operator)).status_code == 201
        screened = await client.post("/v2/orders", json=order_body(coupon="ANDER"), headers=auth_headers)
        await switch_payment_screen(client, auth_headers, on=True)
        paying = await place(client, auth_headers, order_body(coupon="ANDER"))
        await switch_payment_screen(client, auth_headers, on=False)

        await cancel(client, auth_headers, screened.json()["id"])
        after_plain = (await client.get("/v2/operator/coupons", headers=operator)).json()["results"]
        await cancel(client, auth_headers, paying["id"])
        after_paying = (await client.get("/v2/operator/coupons", headers=operator)).json()["results"]

        assert [c["used"] for c in after_plain] == [1]  # the plain order never used one
        assert [c["used"] for c in after_paying] == [0]


async def pay(
    client: httpx.AsyncClient, headers: dict[str, str], order: dict[str, Any], outcome: str
) -> None:
    """Set up the order's checkout and press ``outcome`` on the hosted test page."""
    setup = await client.post(path_of(order["checkout"]["setupUrl"]), json=checkout_body(), headers=headers)
    assert setup.status_code == 201, setup.text
    page = path_of(setup.json()["paymentUrl"])
    token = (await client.get(page)).text.split('name="token" value="')[1].split('"')[0]
    pressed = await client.post(
        page.removesuffix("/start") + "/test", data={"token": token, "outcome": outcome}
    )
    assert pressed.status_code in (200, 303), pressed.text


class TestEveryCancellationGivesTheCouponBack:
    async def test_a_failed_payment_too(
        self, runtime: Runtime, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        operator = await bearer(client, await make_credentials(runtime, role="operator"))
        coupon = {"code": "MISLUKT", "type": "Amount", "amount": 2.50, "usageLimit": 1}
        assert (await client.post("/v2/operator/coupons", json=coupon, headers=operator)).status_code == 201
        await switch_payment_screen(client, auth_headers, on=True)
        order = await place(client, auth_headers, order_body(coupon="MISLUKT"))

        await pay(client, auth_headers, order, "Failed")
        uses = (await client.get("/v2/operator/coupons", headers=operator)).json()["results"]

        assert await status_of(client, auth_headers, order["id"]) == "Cancelled"
        assert [c["used"] for c in uses] == [0]


class TestAllowedActions:
    async def test_they_follow_the_files_and_the_payment(
        self, client: httpx.AsyncClient, clock: FixedClock, auth_headers: dict[str, str]
    ) -> None:
        downloads = {"content": "https://files.example.nl/c.pdf", "cover": "https://files.example.nl/k.pdf"}
        fetched = await place(client, auth_headers, order_body(book_item(files=downloads)))
        uploaded = await place(client, auth_headers)
        await switch_payment_screen(client, auth_headers, on=True)
        paying = await place(client, auth_headers, order_body(book_item(files=downloads)))

        assert fetched["allowedActions"] == ["cancel"]  # its files are downloaded, not uploaded
        assert uploaded["allowedActions"] == ["cancel", "uploadFiles"]
        assert paying["allowedActions"] == ["cancel", "setupCheckout"]
        await processing(client, auth_headers, uploaded["id"])
        assert (await read(client, auth_headers, uploaded["id"]))["allowedActions"] == ["cancel"]
        clock.advance(DELAY)
        assert (await read(client, auth_headers, uploaded["id"]))["allowedActions"] == []

    async def test_a_settled_payment_takes_setup_checkout_away(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        await switch_payment_screen(client, auth_headers, on=True)
        order = await place(client, auth_headers)
        await pay(client, auth_headers, order, "Successful")

        assert (await read(client, auth_headers, order["id"]))["allowedActions"] == ["cancel", "uploadFiles"]
