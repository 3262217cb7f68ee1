"""The test clock of test orders, and coupons entered on the payment page (test provider)."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import select, update

from printapi.models import WebhookNotification
from printapi.runtime import Runtime
from tests.api.helpers import assert_error
from tests.conftest import bearer, make_credentials
from tests.payments.conftest import path_of, place, set_up, statuses
from tests.payments.live import LiveShop, live_shop, notifications

__all__ = ["live_shop"]  # a fixture, used by name

HOOK = "https://hooks.example.nl/printapi"


async def advance(
    client: httpx.AsyncClient, headers: dict[str, str], order_id: str, by: str
) -> httpx.Response:
    return await client.post(f"/v2/orders/{order_id}/test-clock", json={"advance": by}, headers=headers)


class TestTheTestClock:
    async def test_advancing_past_the_links_lifetime_cancels_payment_and_order_at_once(
        self, client: httpx.AsyncClient, runtime: Runtime, paying_headers: dict[str, str]
    ) -> None:
        await client.post("/v2/webhooks", json={"url": HOOK}, headers=paying_headers)
        order = await place(client, paying_headers)
        await set_up(client, paying_headers, order)

        early = await advance(client, paying_headers, order["id"], "23h")
        late = await advance(client, paying_headers, order["id"], "1h")

        assert early.json() == {"id": order["id"], "order": "Created", "payment": "Open"}
        assert late.json() == {"id": order["id"], "order": "Cancelled", "payment": "Cancelled"}
        assert await notifications(runtime, order["id"]) == 1

    async def test_pending_webhook_retries_fall_due_now(
        self, client: httpx.AsyncClient, runtime: Runtime, paying_headers: dict[str, str]
    ) -> None:
        await client.post("/v2/webhooks", json={"url": HOOK}, headers=paying_headers)
        order = await place(client, paying_headers)
        await set_up(client, paying_headers, order)
        moved = await client.post(
            f"/v2/orders/{order['id']}/status", json={"status": "Cancelled"}, headers=paying_headers
        )
        assert moved.status_code == 200, moved.text
        later = runtime.clock.now() + timedelta(hours=1)
        async with runtime.db.write() as session:  # as after a failed attempt: the retry waits an hour
            await session.execute(update(WebhookNotification).values(next_attempt_at=later, attempts=3))

        response = await advance(client, paying_headers, order["id"], "1h")

        assert response.status_code == 200, response.text
        async with runtime.db.read() as session:
            due = (await session.execute(select(WebhookNotification.next_attempt_at))).scalars().all()
        assert due == [runtime.clock.now()]

    async def test_a_live_order_is_refused(
        self, client: httpx.AsyncClient, runtime: Runtime, live_shop: LiveShop
    ) -> None:
        order = await place(client, live_shop.headers)

        response = await advance(client, live_shop.headers, order["id"], "24h")

        assert_error(response, 403)

    async def test_a_bad_step_is_400_on_advance(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str]
    ) -> None:
        order = await place(client, paying_headers)

        for bad in ("soon", "0s", "721h", "1h,2h"):
            assert_error(await advance(client, paying_headers, order["id"], bad), 400, field="advance")

    async def test_another_accounts_order_is_404(
        self, client: httpx.AsyncClient, runtime: Runtime, paying_headers: dict[str, str]
    ) -> None:
        order = await place(client, paying_headers)
        other = await bearer(client, await make_credentials(runtime))

        assert_error(await advance(client, other, order["id"], "1h"), 404)


async def make_coupon(client: httpx.AsyncClient, operator_headers: dict[str, str], **terms: object) -> None:
    body = {"code": "ZOMER10", "type": "Percentage", "percentage": 10, **terms}
    response = await client.post("/v2/operator/coupons", json=body, headers=operator_headers)
    assert response.status_code == 201, response.text


class TestACouponOnThePaymentPage:
    async def test_the_amount_goes_down_and_the_page_says_so(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str], operator_headers: dict[str, str]
    ) -> None:
        await make_coupon(client, operator_headers)
        order = await place(client, paying_headers)
        checkout = await set_up(client, paying_headers, order)
        page = path_of(checkout["paymentUrl"])

        applied = await client.post(page.removesuffix("/start") + "/coupon", data={"coupon": "ZOMER10"})
        shown = await client.get(page)
        read = (await client.get(f"/v2/orders/{order['id']}", headers=paying_headers)).json()

        assert (applied.status_code, applied.headers["location"]) == (303, checkout["paymentUrl"])
        assert "€ 21,00" in shown.text
        assert "Coupon ZOMER10 applied." in shown.text
        assert 'name="coupon"' not in shown.text  # one coupon per order
        assert read["checkout"]["amount"] == 21.00
        assert read["invoice"]["discount"]["cost"] > 0
        quote = await client.post("/v2/coupons/quote", json={"code": "ZOMER10"}, headers=paying_headers)
        coupons = (await client.get("/v2/operator/coupons", headers=operator_headers)).json()["results"]
        assert quote.status_code == 200
        assert coupons[0]["used"] == 1

    async def test_an_unknown_coupon_is_shown_on_the_page_and_changes_nothing(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str]
    ) -> None:
        order = await place(client, paying_headers)
        checkout = await set_up(client, paying_headers, order)
        page = path_of(checkout["paymentUrl"])

        refused = await client.post(page.removesuffix("/start") + "/coupon", data={"coupon": "NOPE"})

        assert refused.status_code == 400
        assert "Coupon &#39;NOPE&#39; does not exist." in refused.text
        assert "€ 22,87" in refused.text
        assert (await client.get(f"/v2/orders/{order['id']}", headers=paying_headers)).json()["checkout"][
            "amount"
        ] == 22.87

    async def test_a_used_up_coupon_is_refused(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str], operator_headers: dict[str, str]
    ) -> None:
        await make_coupon(client, operator_headers, usageLimit=1)
        await place(client, paying_headers, coupon="ZOMER10")
        order = await place(client, paying_headers)
        checkout = await set_up(client, paying_headers, order)

        refused = await client.post(
            path_of(checkout["paymentUrl"]).removesuffix("/start") + "/coupon", data={"coupon": "ZOMER10"}
        )

        assert refused.status_code == 400
        assert "UsedUp" in refused.text

    async def test_a_settled_payment_takes_no_coupon(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str], operator_headers: dict[str, str]
    ) -> None:
        await make_coupon(client, operator_headers)
        order = await place(client, paying_headers)
        checkout = await set_up(client, paying_headers, order)
        await client.post(
            f"/v2/orders/{order['id']}/status", json={"status": "Cancelled"}, headers=paying_headers
        )

        refused = await client.post(
            path_of(checkout["paymentUrl"]).removesuffix("/start") + "/coupon", data={"coupon": "ZOMER10"}
        )

        assert refused.status_code == 403
        assert (await statuses(client, paying_headers, order["id"]))["payment"] == "Cancelled"
