"""A shop's whole flow through the SDK against ``printapi serve``: webhook endpoint, order, uploads,
checkout and payment, the webhook it hears (verified), the order read back, its status history,
the delivery log and the order list page by page; sync and async.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from printapi_client import ApiError, AsyncPrintApi, PrintApi, ok, verify_webhook
from printapi_client.generated.api.account import update_account
from printapi_client.generated.api.orders import (
    get_order,
    get_order_status,
    list_orders,
    place_order,
    simulate_order_status,
    sync_statuses,
)
from printapi_client.generated.api.payments import get_checkout, set_up_checkout
from printapi_client.generated.api.webhooks import (
    create_webhook,
    list_order_notifications,
    list_webhooks,
    ping_webhook,
)
from printapi_client.generated.models import (
    CheckoutIn,
    CheckoutInfoOut,
    EndpointIn,
    FileOut,
    OrderIn,
    OrderOut,
    SettingsIn,
    StatusChangeIn,
)
from tests.conftest import address
from tests.sdk.conftest import BOOK, PrintFiles, Receiver, Server, order_body, order_id

HOOK = "/hooks/printapi"
EARLY = "2000-01-01T00:00:00"  # every status change of the account since


def upload_urls(order: OrderOut) -> tuple[str, str]:
    files = order.items[0].files
    assert isinstance(files.cover, FileOut)
    content, cover = files.content.upload_url, files.cover.upload_url
    assert isinstance(content, str)
    assert isinstance(cover, str)
    return content, cover


def checkout_code(order: OrderOut) -> str:
    """The code of the order's ``checkout.setupUrl``."""
    assert isinstance(order.checkout, CheckoutInfoOut)
    return order.checkout.setup_url.rsplit("/", 1)[1]


def pay(payment_url: str) -> None:
    """The customer, in a browser: opens the test payment page and presses *Pay*."""
    with httpx.Client(timeout=10) as browser:
        page = browser.get(payment_url)
        assert page.status_code == 200, page.text
        action = re.search(r'<form method="post" action="([^"]+)"', page.text)
        token = re.search(r'name="token" value="([^"]+)"', page.text)
        assert action
        assert token
        paid = browser.post(action.group(1), data={"token": token.group(1), "outcome": "Successful"})
        assert paid.status_code == 303, paid.text


class TestAShopWithTheSyncClient:
    def test_it_orders_uploads_has_the_customer_pay_hears_the_webhook_and_reads_the_order(
        self, server: Server, print_files: PrintFiles, receiver: Receiver
    ) -> None:
        number = order_id("sync")
        with PrintApi(server.client_id, server.client_secret, f"{server.base}/v2/") as api:
            endpoint = ok(
                create_webhook.sync_detailed(client=api.client, body=EndpointIn(url=receiver.url(HOOK)))
            )
            assert isinstance(endpoint.secret, str)
            ok(ping_webhook.sync_detailed(endpoint.id, client=api.client))
            ping = verify_webhook(**received(receiver, b"orderId=ping"), secret=endpoint.secret)
            assert ping.order_id == "ping"
            assert endpoint.id in [e.id for e in ok(list_webhooks.sync_detailed(client=api.client)).results]

            ok(update_account.sync_detailed(client=api.client, body=SettingsIn(payment_screen=True)))
            try:
                body = OrderIn.from_dict(order_body(number))
                placed = ok(place_order.sync_detailed(client=api.client, body=body))
            finally:
                ok(update_account.sync_detailed(client=api.client, body=SettingsIn(payment_screen=False)))
            content_url, cover_url = upload_urls(placed)
            content = api.upload(content_url, print_files.content)  # from a path
            with print_files.cover.open("rb") as stream:
                cover = api.upload(cover_url, stream)  # from a stream
            checkout = ok(
                set_up_checkout.sync_detailed(
                    checkout_code(placed),
                    client=api.client,
                    body=CheckoutIn.from_dict(
                        {
                            "returnUrl": "https://shop.example/paid",
                            "billing": {"address": address(name="K. Klant")},
                        }
                    ),
                )
            )
            pay(checkout.payment_url)

            hook = verify_webhook(**received(receiver, f"orderId={number}".encode()), secret=endpoint.secret)
            assert hook.order_id == number
            order = ok(get_order.sync_detailed(hook.order_id, client=api.client))
            status = ok(get_order_status.sync_detailed(number, client=api.client))
            setup = ok(get_checkout.sync_detailed(checkout_code(placed), client=api.client))
            ok(
                simulate_order_status.sync_detailed(
                    number, client=api.client, body=StatusChangeIn(status="Shipped")
                )
            )
            history = ok(sync_statuses.sync_detailed(client=api.client, since=EARLY))
            log = ok(list_order_notifications.sync_detailed(number, client=api.client))
            listed = [summary.id for summary in api.each(list_orders.sync_detailed, page_size=2)]
            events = [(event.type_, event.order_id) for event in api.events(page_size=2)]

        assert (content.file_name, content.file_type, cover.file_name) == ("content", "PDF", "cover")
        assert placed.status == "Created"
        assert order.status == "Processing"
        assert order.items[0].files.content.status == "Accepted"
        assert (status.order, status.payment) == ("Processing", "Successful")
        assert (setup.status, setup.payment_url) == ("Successful", checkout.payment_url)
        # The payment's moves are changes of the order too (in Created, then with it to Processing).
        changes = [event.status for event in history.results if event.id == number]
        assert changes[0] == "Created"
        assert changes[-2:] == ["Processing", "Shipped"]
        # Paid and in production (delivered, verified above); shipped (on its way, perhaps).
        assert {entry.endpoint_id for entry in log.results} == {endpoint.id}
        assert "delivered" in {entry.status for entry in log.results}
        assert number in listed
        assert len(listed) == len(set(listed))
        mine = [kind for kind, order in events if order == number]
        assert mine[0] == "order.created"
        assert "payment.status_changed" in mine
        assert mine.count("order.status_changed") == 2  # to Processing, to Shipped

    def test_an_error_answer_is_an_api_error_with_every_problem_of_the_request(self, server: Server) -> None:
        body = OrderIn.from_dict(order_body(order_id("bad"), items=[{**BOOK, "pageCount": 33}]))
        with PrintApi(server.client_id, server.client_secret, server.base) as api:
            with pytest.raises(ApiError) as refused:
                ok(place_order.sync_detailed(client=api.client, body=body))
            with pytest.raises(ApiError) as unknown:
                ok(get_order.sync_detailed("no-such-order", client=api.client))

        assert refused.value.status == 400
        assert [error.field for error in refused.value.errors] == ["items[0].pageCount"]
        assert unknown.value.status == 404

    def test_a_refused_print_file_is_an_api_error_with_the_preflight_findings(
        self, server: Server, print_files: PrintFiles
    ) -> None:
        with PrintApi(server.client_id, server.client_secret, server.base) as api:
            placed = ok(
                place_order.sync_detailed(
                    client=api.client, body=OrderIn.from_dict(order_body(order_id("r")))
                )
            )
            content_url, _ = upload_urls(placed)
            with pytest.raises(ApiError) as refused:
                api.upload(content_url, print_files.cover.read_bytes())  # one page, the cover's size

        assert refused.value.status == 400
        assert refused.value.errors
        assert all(error.field.startswith("content") or error.field for error in refused.value.errors)


class TestAShopWithTheAsyncClient:
    async def test_it_orders_uploads_hears_the_webhook_and_reads_the_order(
        self, server: Server, print_files: PrintFiles, receiver: Receiver
    ) -> None:
        number = order_id("async")
        async with AsyncPrintApi(server.client_id, server.client_secret, server.base) as api:
            endpoint = ok(
                await create_webhook.asyncio_detailed(
                    client=api.client, body=EndpointIn(url=receiver.url(HOOK))
                )
            )
            assert isinstance(endpoint.secret, str)
            body = OrderIn.from_dict(order_body(number))
            placed = ok(await place_order.asyncio_detailed(client=api.client, body=body))
            content_url, cover_url = upload_urls(placed)
            with print_files.content.open("rb") as stream:
                await api.upload(content_url, stream)
            await api.upload(cover_url, print_files.cover.read_bytes())

            # The receiver runs in a thread of its own: waiting for it here blocks nothing it needs.
            hook = verify_webhook(**received(receiver, f"orderId={number}".encode()), secret=endpoint.secret)
            assert hook.order_id is not None
            order = ok(await get_order.asyncio_detailed(hook.order_id, client=api.client))
            history = ok(await sync_statuses.asyncio_detailed(client=api.client, since=EARLY))
            listed = [summary.id async for summary in api.each(list_orders.asyncio_detailed, page_size=3)]
            events = [event.order_id async for event in api.events(page_size=1)]

        assert order.status == "Processing"
        assert [e.status for e in history.results if e.id == number] == ["Created", "Processing"]
        assert number in listed
        assert events.count(number) == 2  # order.created, then order.status_changed to Processing

    async def test_the_generated_sync_operations_refuse_an_async_client(self, server: Server) -> None:
        async with AsyncPrintApi(server.client_id, server.client_secret, server.base) as api:
            with pytest.raises(RuntimeError, match="asyncio_detailed"):
                get_order.sync_detailed("x", client=api.client)


def received(receiver: Receiver, body: bytes) -> dict[str, Any]:
    call = receiver.call(HOOK, body)
    return {"headers": call.headers, "body": call.body}
