"""Live payments through Mollie and Stripe: each provider's official SDK against a loopback fake of
its API (``fakes.py``), the fake's notifications delivered into the app.

Every outcome ends in exactly one settled state with one webhook notification, whatever order and
however often the provider's notifications and the customer's return come; only what the
provider's API answers settles a payment.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import httpx
import pytest

from printapi.kit.clock import FixedClock
from printapi.runtime import Runtime
from tests.api.helpers import assert_error
from tests.conftest import bearer, make_credentials
from tests.payments.conftest import BOOK_ORDER_AMOUNT, RETURN_URL, payment_notes, statuses
from tests.payments.fakes import FakeMollie, FakeStripe
from tests.payments.live import (
    LiveShop,
    checkout_of,
    come_back,
    expire,
    go_to_provider,
    live_shop,
    mollie,
    notifications,
    open_checkout,
    pay_through,
    payment_row,
    press,
    run_tasks,
    stripe,
)

__all__ = ["live_shop", "mollie", "stripe"]  # fixtures, used by name

TTL = timedelta(hours=24)


class TestMollie:
    @pytest.mark.parametrize(
        ("button", "payment", "order"),
        [
            ("Pay", "Successful", "Created"),
            ("Fail", "Failed", "Cancelled"),
            ("Cancel", "Cancelled", "Cancelled"),
        ],
    )
    async def test_each_outcome_settles_once_with_one_webhook(
        self,
        client: httpx.AsyncClient,
        runtime: Runtime,
        live_shop: LiveShop,
        mollie: FakeMollie,
        button: str,
        payment: str,
        order: str,
    ) -> None:
        checkout = await open_checkout(client, live_shop)

        landed = await pay_through(client, checkout, button)

        assert landed == RETURN_URL
        assert await statuses(client, live_shop.headers, checkout.order_id) == {
            "id": checkout.order_id,
            "order": order,
            "payment": payment,
        }
        assert await notifications(runtime, checkout.order_id) == 1
        # The notification came before the customer's return, which then had nothing to ask.
        assert mollie.calls.count(f"GET /v2/payments/{next(iter(mollie.payments))}") == 1

    async def test_the_page_sends_the_customer_to_mollie_with_the_amount_and_our_addresses(
        self, client: httpx.AsyncClient, live_shop: LiveShop, mollie: FakeMollie
    ) -> None:
        checkout = await open_checkout(client, live_shop)

        page = await client.get(checkout.page)
        url = await go_to_provider(client, checkout)

        assert page.status_code == 200, page.text
        assert "Pay € 22,87" in page.text
        assert "Mollie" in page.text
        (sent,) = mollie.payments.values()
        assert url == f"{mollie.base}/checkout/{sent['id']}"
        assert sent["amount"] == {"currency": "EUR", "value": f"{BOOK_ORDER_AMOUNT:.2f}"}
        assert sent["redirectUrl"] == "http://testserver" + checkout.action("return")
        assert sent["webhookUrl"] == "http://testserver" + checkout.action("callback")
        assert sent["description"] == f"Order {checkout.order_id}"

    async def test_pressing_pay_twice_makes_one_mollie_payment(
        self, client: httpx.AsyncClient, live_shop: LiveShop, mollie: FakeMollie
    ) -> None:
        checkout = await open_checkout(client, live_shop)

        first = await go_to_provider(client, checkout)
        second = await go_to_provider(client, checkout)

        assert first == second
        assert len(mollie.payments) == 1

    async def test_the_payment_shows_the_method_the_customer_paid_with(
        self, client: httpx.AsyncClient, live_shop: LiveShop, mollie: FakeMollie
    ) -> None:
        checkout = await open_checkout(client, live_shop)

        await pay_through(client, checkout, "Pay")

        body = await checkout_of(client, live_shop, checkout)
        assert (body["status"], body["method"]) == ("Successful", "ideal")
        assert "refund" not in body

    async def test_a_return_before_the_notification_asks_mollie_and_the_late_notification_changes_nothing(
        self, client: httpx.AsyncClient, runtime: Runtime, live_shop: LiveShop, mollie: FakeMollie
    ) -> None:
        checkout = await open_checkout(client, live_shop)
        mollie.notify = False  # the notification is on its way

        landed = await pay_through(client, checkout, "Pay")
        paid = (await statuses(client, live_shop.headers, checkout.order_id))["payment"]
        late = await mollie.resend_last()

        assert (landed, paid, late) == (RETURN_URL, "Successful", 200)
        assert await payment_notes(runtime, checkout.order_id) == ["payment Successful"]
        assert await notifications(runtime, checkout.order_id) == 1

    async def test_a_repeated_notification_settles_nothing_twice(
        self, client: httpx.AsyncClient, runtime: Runtime, live_shop: LiveShop, mollie: FakeMollie
    ) -> None:
        checkout = await open_checkout(client, live_shop)
        await press(await go_to_provider(client, checkout), "Fail")

        again = [await mollie.resend_last() for _ in range(3)]

        assert again == [200, 200, 200]
        assert await payment_notes(runtime, checkout.order_id) == ["payment failed"]  # the order's move
        assert (await statuses(client, live_shop.headers, checkout.order_id))["payment"] == "Failed"
        assert await notifications(runtime, checkout.order_id) == 1

    async def test_a_notification_of_another_payment_changes_nothing(
        self, client: httpx.AsyncClient, live_shop: LiveShop, mollie: FakeMollie
    ) -> None:
        paid = await open_checkout(client, live_shop)
        await press(await go_to_provider(client, paid), "Pay")
        other = await open_checkout(client, live_shop)
        await go_to_provider(client, other)
        paid_id = next(iter(mollie.payments))

        response = await client.post(other.action("callback"), data={"id": paid_id})

        assert response.status_code == 200, response.text
        assert (await statuses(client, live_shop.headers, other.order_id))["payment"] == "Open"

    async def test_a_notification_without_a_payment_id_is_refused(
        self, client: httpx.AsyncClient, live_shop: LiveShop, mollie: FakeMollie
    ) -> None:
        checkout = await open_checkout(client, live_shop)
        await go_to_provider(client, checkout)

        response = await client.post(checkout.action("callback"), data={"id": "nope", "status": "paid"})

        assert_error(response, 403)
        assert (await statuses(client, live_shop.headers, checkout.order_id))["payment"] == "Open"

    async def test_a_payment_that_expires_at_mollie_cancels_the_order_once(
        self, client: httpx.AsyncClient, runtime: Runtime, live_shop: LiveShop, mollie: FakeMollie
    ) -> None:
        checkout = await open_checkout(client, live_shop)
        await go_to_provider(client, checkout)
        (payment_id,) = mollie.payments

        mollie.end(payment_id, "expired")
        await mollie.notify_about(payment_id)
        await mollie.resend_last()

        assert await statuses(client, live_shop.headers, checkout.order_id) == {
            "id": checkout.order_id,
            "order": "Cancelled",
            "payment": "Cancelled",
        }
        assert await notifications(runtime, checkout.order_id) == 1


class TestMollieIsDown:
    async def test_pay_answers_a_page_to_try_again_and_the_payment_stays_open(
        self, client: httpx.AsyncClient, live_shop: LiveShop, mollie: FakeMollie
    ) -> None:
        checkout = await open_checkout(client, live_shop)
        mollie.down = True

        down = await client.post(checkout.action("pay"))
        mollie.down = False
        up = await go_to_provider(client, checkout)

        assert down.status_code == 503, down.text
        assert "try again" in down.text
        assert up.startswith(mollie.base)
        assert (await statuses(client, live_shop.headers, checkout.order_id))["payment"] == "Open"

    async def test_a_notification_mollie_cannot_confirm_is_answered_503_and_the_poll_settles_it(
        self,
        client: httpx.AsyncClient,
        runtime: Runtime,
        clock: FixedClock,
        live_shop: LiveShop,
        mollie: FakeMollie,
    ) -> None:
        checkout = await open_checkout(client, live_shop)
        url = await go_to_provider(client, checkout)
        mollie.notify = False
        await press(url, "Pay")
        mollie.down = True

        refused = await mollie.resend_last()
        clock.advance(timedelta(minutes=2))
        failed_poll = await run_tasks(runtime)
        open_still = (await statuses(client, live_shop.headers, checkout.order_id))["payment"]
        mollie.down = False
        clock.advance(timedelta(minutes=6))
        polled = await run_tasks(runtime)

        assert (refused, failed_poll, open_still, polled) == (503, 1, "Open", 1)
        assert (await statuses(client, live_shop.headers, checkout.order_id))["payment"] == "Successful"
        assert await payment_notes(runtime, checkout.order_id) == ["payment Successful"]
        assert await notifications(runtime, checkout.order_id) == 1

    async def test_a_lost_notification_is_made_up_for_by_the_poll(
        self,
        client: httpx.AsyncClient,
        runtime: Runtime,
        clock: FixedClock,
        live_shop: LiveShop,
        mollie: FakeMollie,
    ) -> None:
        checkout = await open_checkout(client, live_shop)
        url = await go_to_provider(client, checkout)
        mollie.notify = False

        await press(url, "Pay")  # and the customer closes the tab: no return either
        early = await run_tasks(runtime)
        clock.advance(timedelta(minutes=1, seconds=1))
        polled = await run_tasks(runtime)

        assert (early, polled) == (0, 1)
        assert (await statuses(client, live_shop.headers, checkout.order_id))["payment"] == "Successful"


class TestExpiryEndsTheProvidersPayment:
    async def test_an_expired_link_cancels_the_mollie_payment(
        self,
        client: httpx.AsyncClient,
        runtime: Runtime,
        clock: FixedClock,
        live_shop: LiveShop,
        mollie: FakeMollie,
    ) -> None:
        checkout = await open_checkout(client, live_shop)
        await go_to_provider(client, checkout)
        (payment_id,) = mollie.payments

        clock.advance(TTL + timedelta(seconds=1))
        expired = await expire(runtime)
        ran = await run_tasks(runtime)

        assert (expired, ran) == (1, 2)  # the cancellation, and the poll that finds nothing to do
        assert mollie.payments[payment_id]["status"] == "canceled"
        assert f"DELETE /v2/payments/{payment_id}" in mollie.calls
        assert (await payment_row(runtime, checkout.order_id)).status == "Cancelled"
        assert await notifications(runtime, checkout.order_id) == 1

    async def test_a_payment_made_after_the_link_expired_is_paid_back(
        self,
        client: httpx.AsyncClient,
        runtime: Runtime,
        clock: FixedClock,
        live_shop: LiveShop,
        mollie: FakeMollie,
    ) -> None:
        checkout = await open_checkout(client, live_shop)
        url = await go_to_provider(client, checkout)
        clock.advance(TTL + timedelta(seconds=1))
        await expire(runtime)
        mollie.notify = False
        await press(url, "Pay")  # the customer had the provider's page open all along

        await run_tasks(runtime)  # the cancellation finds it paid: a refund is queued
        await run_tasks(runtime)  # the refund

        payment = await payment_row(runtime, checkout.order_id)
        assert (payment.status, payment.refund_status) == ("Cancelled", "Pending")
        assert payment.refund_amount == Decimal("22.87")
        (refund,) = mollie.refunds.values()
        assert refund["amount"] == {"currency": "EUR", "value": "22.87"}

    async def test_an_expired_link_expires_the_stripe_session(
        self,
        client: httpx.AsyncClient,
        runtime: Runtime,
        clock: FixedClock,
        live_shop: LiveShop,
        stripe: FakeStripe,
    ) -> None:
        checkout = await open_checkout(client, live_shop)
        await go_to_provider(client, checkout)
        (session_id,) = stripe.sessions

        clock.advance(TTL + timedelta(seconds=1))
        await expire(runtime)
        await run_tasks(runtime)

        assert stripe.sessions[session_id]["status"] == "expired"
        assert f"POST /v1/checkout/sessions/{session_id}/expire" in stripe.calls


class TestRefunds:
    async def _cancel_as_operator(
        self, client: httpx.AsyncClient, runtime: Runtime, shop: LiveShop, order_id: str
    ) -> None:
        operator = await bearer(client, await make_credentials(runtime, role="operator"))
        response = await client.post(
            f"/v2/operator/accounts/{shop.account_id}/orders/{order_id}/status",
            json={"status": "Cancelled", "reason": "customer asked"},
            headers=operator,
        )
        assert response.status_code == 200, response.text

    async def test_a_paid_order_that_is_cancelled_is_refunded_through_mollie(
        self,
        client: httpx.AsyncClient,
        runtime: Runtime,
        clock: FixedClock,
        live_shop: LiveShop,
        mollie: FakeMollie,
    ) -> None:
        checkout = await open_checkout(client, live_shop)
        await pay_through(client, checkout, "Pay")

        await self._cancel_as_operator(client, runtime, live_shop, checkout.order_id)
        asked = (await checkout_of(client, live_shop, checkout))["refund"]
        await run_tasks(runtime)
        pending = (await checkout_of(client, live_shop, checkout))["refund"]
        mollie.complete_refunds()
        clock.advance(timedelta(minutes=2))
        await run_tasks(runtime)
        done = await client.get(f"/v2/orders/{checkout.order_id}", headers=live_shop.headers)

        assert asked["status"] == pending["status"] == "Pending"
        assert done.json()["checkout"]["refund"] == {
            "amount": BOOK_ORDER_AMOUNT,
            "status": "Refunded",
            "dateTime": done.json()["checkout"]["refund"]["dateTime"],
        }
        assert len(mollie.refunds) == 1
        assert (await payment_row(runtime, checkout.order_id)).refund_ref == next(iter(mollie.refunds))

    async def test_a_paid_order_that_is_cancelled_is_refunded_through_stripe(
        self, client: httpx.AsyncClient, runtime: Runtime, live_shop: LiveShop, stripe: FakeStripe
    ) -> None:
        checkout = await open_checkout(client, live_shop)
        await pay_through(client, checkout, "Pay")
        await self._cancel_as_operator(client, runtime, live_shop, checkout.order_id)

        await run_tasks(runtime)
        pending = (await checkout_of(client, live_shop, checkout))["refund"]["status"]
        (refund,) = stripe.refunds.values()
        refund["status"] = "succeeded"
        await stripe.send_event("refund.updated", refund)

        assert pending == "Pending"
        assert (await checkout_of(client, live_shop, checkout))["refund"]["status"] == "Refunded"
        assert refund["amount"] == 2287

    async def test_a_refund_mollie_cannot_take_now_is_tried_again(
        self,
        client: httpx.AsyncClient,
        runtime: Runtime,
        clock: FixedClock,
        live_shop: LiveShop,
        mollie: FakeMollie,
    ) -> None:
        checkout = await open_checkout(client, live_shop)
        await pay_through(client, checkout, "Pay")
        await self._cancel_as_operator(client, runtime, live_shop, checkout.order_id)
        mollie.down = True

        await run_tasks(runtime)
        mollie.down = False
        clock.advance(timedelta(minutes=2))
        await run_tasks(runtime)

        assert len(mollie.refunds) == 1
        assert (await payment_row(runtime, checkout.order_id)).refund_ref is not None


class TestStripe:
    @pytest.mark.parametrize(
        ("button", "payment", "order", "method"),
        [("Pay", "Successful", "Created", "card"), ("Fail", "Failed", "Cancelled", "sepa_debit")],
    )
    async def test_each_outcome_settles_once_with_one_webhook(
        self,
        client: httpx.AsyncClient,
        runtime: Runtime,
        live_shop: LiveShop,
        stripe: FakeStripe,
        button: str,
        payment: str,
        order: str,
        method: str,
    ) -> None:
        checkout = await open_checkout(client, live_shop)

        landed = await pay_through(client, checkout, button)

        assert landed == RETURN_URL
        body = await checkout_of(client, live_shop, checkout)
        assert (body["status"], body["method"]) == (payment, method)
        assert (await statuses(client, live_shop.headers, checkout.order_id))["order"] == order
        assert await notifications(runtime, checkout.order_id) == 1

    async def test_the_session_carries_the_amount_our_code_and_the_links_end(
        self, client: httpx.AsyncClient, runtime: Runtime, live_shop: LiveShop, stripe: FakeStripe
    ) -> None:
        checkout = await open_checkout(client, live_shop)

        url = await go_to_provider(client, checkout)

        (session,) = stripe.sessions.values()
        assert url == session["url"]
        assert session["amount_total"] == 2287
        assert session["client_reference_id"] == checkout.page.split("/")[3]
        assert session["success_url"] == "http://testserver" + checkout.action("return")
        payment = await payment_row(runtime, checkout.order_id)
        assert payment.next_attempt_at is not None
        # The link's end, within what Stripe allows: at most 24 hours after the session is made.
        longest = runtime.clock.now() + timedelta(hours=23, minutes=59)
        assert session["expires_at"] == int(min(payment.next_attempt_at, longest).timestamp())

    async def test_going_back_from_stripe_leaves_the_payment_open(
        self, client: httpx.AsyncClient, live_shop: LiveShop, stripe: FakeStripe
    ) -> None:
        checkout = await open_checkout(client, live_shop)

        landed = await pay_through(client, checkout, "Back")

        assert landed == RETURN_URL
        assert (await statuses(client, live_shop.headers, checkout.order_id))["payment"] == "Open"

    async def test_events_out_of_order_and_twice_settle_once(
        self, client: httpx.AsyncClient, runtime: Runtime, live_shop: LiveShop, stripe: FakeStripe
    ) -> None:
        checkout = await open_checkout(client, live_shop)
        await go_to_provider(client, checkout)
        (session_id,) = stripe.sessions
        stripe.notify = False
        await stripe.end(session_id, "paid")
        completed = stripe.notifications[-1]
        stripe.notify = True

        # A late duplicate of an event about the session (as created), then the real one twice.
        await stripe.send_event("checkout.session.expired", {"id": session_id, "object": "checkout.session"})
        first = await stripe.deliver(completed.url, completed.body, completed.headers)
        second = await stripe.deliver(completed.url, completed.body, completed.headers)

        assert (first, second) == (200, 200)
        assert (await statuses(client, live_shop.headers, checkout.order_id))["payment"] == "Successful"
        assert await payment_notes(runtime, checkout.order_id) == ["payment Successful"]
        assert await notifications(runtime, checkout.order_id) == 1

    @pytest.mark.parametrize("forgery", ["wrong secret", "too old", "no signature"])
    async def test_an_event_that_is_not_verified_is_refused_and_changes_nothing(
        self,
        client: httpx.AsyncClient,
        runtime: Runtime,
        live_shop: LiveShop,
        stripe: FakeStripe,
        forgery: str,
    ) -> None:
        checkout = await open_checkout(client, live_shop)
        await go_to_provider(client, checkout)
        (session_id,) = stripe.sessions
        stripe.notify = False
        await stripe.end(session_id, "paid")
        real = stripe.notifications[-1]
        if forgery == "wrong secret":
            await stripe.send_event(
                "checkout.session.completed", stripe.sessions[session_id], secret="whsec_forged"
            )
        elif forgery == "too old":
            await stripe.send_event(
                "checkout.session.completed", stripe.sessions[session_id], at=1_000_000_000
            )
        forged = stripe.notifications[-1]
        headers = dict(forged.headers)
        if forgery == "no signature":
            del headers["Stripe-Signature"]

        response = await client.post("/v2/payment-notifications/stripe", content=forged.body, headers=headers)

        assert_error(response, 403)
        assert real is not forged or forgery == "no signature"
        assert (await statuses(client, live_shop.headers, checkout.order_id))["payment"] == "Open"
        assert await notifications(runtime, checkout.order_id) == 0

    async def test_stripe_down_on_an_event_answers_503_for_stripe_to_send_it_again(
        self, client: httpx.AsyncClient, live_shop: LiveShop, stripe: FakeStripe
    ) -> None:
        checkout = await open_checkout(client, live_shop)
        url = await go_to_provider(client, checkout)
        stripe.notify = False
        await press(url, "Pay")
        stripe.down = True

        refused = await stripe.resend_last()
        stripe.down = False
        accepted = await stripe.resend_last()

        assert (refused, accepted) == (503, 200)
        assert (await statuses(client, live_shop.headers, checkout.order_id))["payment"] == "Successful"

    async def test_events_for_an_unconfigured_provider_are_404(self, client: httpx.AsyncClient) -> None:
        response = await client.post(
            "/v2/payment-notifications/adyen", content=b"{}", headers={"Content-Type": "application/json"}
        )

        assert_error(response, 404)


class TestAmountsAtTheProvider:
    async def test_a_coupon_on_the_page_after_going_to_mollie_makes_a_new_payment_and_ends_the_old(
        self,
        client: httpx.AsyncClient,
        runtime: Runtime,
        live_shop: LiveShop,
        mollie: FakeMollie,
        operator_headers: dict[str, str],
    ) -> None:
        made = await client.post(
            "/v2/operator/coupons",
            json={"code": "ZOMER10", "type": "Percentage", "percentage": 10},
            headers=operator_headers,
        )
        assert made.status_code == 201, made.text
        checkout = await open_checkout(client, live_shop)
        first = await go_to_provider(client, checkout)

        applied = await client.post(checkout.action("coupon"), data={"coupon": "ZOMER10"})
        second = await go_to_provider(client, checkout)
        await run_tasks(runtime)

        assert applied.status_code == 303, applied.text
        assert first != second
        old, new = mollie.payments.values()
        assert old["status"] == "canceled"
        assert new["amount"]["value"] == f"{Decimal('22.87') - Decimal('1.87'):.2f}"
        await come_back(client, await press(second, "Pay"))
        assert (await checkout_of(client, live_shop, checkout))["amount"] == 21.00
