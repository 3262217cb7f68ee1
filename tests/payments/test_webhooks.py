"""Payment changes notify the shop's webhook endpoints (spec §4.2, §4.3), through a real worker.

A loopback receiver takes the calls; the delivery log (written in the change's transaction)
says how many notifications there are, so "exactly once" needs no waiting for silence.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from printapi.runtime import Runtime
from printapi.worker import Worker, expire_payments
from tests.payments.conftest import (
    FAST,
    PrintFiles,
    choose,
    place,
    set_up,
    statuses,
    switch_payment_screen,
    token_of,
    upload_all,
)
from tests.webhooks.conftest import Receiver, Shop, add_endpoint, eventually

HOOK = "/hooks/printapi"


@pytest.fixture
async def paying_shop(api: httpx.AsyncClient, shop_api: Shop, receiver: Receiver) -> Shop:
    """A shop with the payment screen on and one webhook endpoint at the loopback receiver."""
    await switch_payment_screen(api, shop_api.headers, on=True)
    await add_endpoint(api, shop_api, receiver.url(HOOK))
    return shop_api


async def notifications(api: httpx.AsyncClient, shop: Shop, order_id: str) -> list[dict[str, Any]]:
    response = await api.get(f"/v2/orders/{order_id}/notifications", headers=shop.headers)
    assert response.status_code == 200, response.text
    results: list[dict[str, Any]] = response.json()["results"]
    return results


async def delivered(api: httpx.AsyncClient, shop: Shop, order_id: str, count: int) -> list[dict[str, Any]]:
    """Wait until the order has ``count`` notifications, all delivered; they are returned."""
    found: list[dict[str, Any]] = []

    async def done() -> bool:
        found[:] = await notifications(api, shop, order_id)
        return len(found) == count and all(entry["status"] == "delivered" for entry in found)

    await eventually(done)
    return found


def bodies(receiver: Receiver) -> list[bytes]:
    return [call.body for call in receiver.to(HOOK)]


class TestEveryPaymentChangeNotifiesTheShop:
    async def test_setting_up_a_checkout_notifies_nobody(
        self, api: httpx.AsyncClient, paying_shop: Shop, worker: Worker
    ) -> None:
        order = await place(api, paying_shop.headers)

        await set_up(api, paying_shop.headers, order)

        assert await notifications(api, paying_shop, order["id"]) == []

    async def test_a_successful_payment_without_files_is_one_call(
        self, api: httpx.AsyncClient, paying_shop: Shop, receiver: Receiver, worker: Worker
    ) -> None:
        order = await place(api, paying_shop.headers)
        checkout = await set_up(api, paying_shop.headers, order)

        await choose(api, checkout["paymentUrl"], "Successful")

        log = await delivered(api, paying_shop, order["id"], 1)
        assert log[0]["attempts"] == 1
        assert bodies(receiver) == [f"orderId={order['id']}".encode()]
        assert receiver.to(HOOK)[0].headers["content-type"] == "application/x-www-form-urlencoded"

    @pytest.mark.parametrize("outcome", ["Failed", "Cancelled"])
    async def test_a_failed_or_cancelled_payment_and_the_cancelled_order_are_one_call(
        self, api: httpx.AsyncClient, paying_shop: Shop, receiver: Receiver, worker: Worker, outcome: str
    ) -> None:
        order = await place(api, paying_shop.headers)
        checkout = await set_up(api, paying_shop.headers, order)

        await choose(api, checkout["paymentUrl"], outcome)

        await delivered(api, paying_shop, order["id"], 1)
        assert bodies(receiver) == [f"orderId={order['id']}".encode()]
        assert await statuses(api, paying_shop.headers, order["id"]) == {
            "id": order["id"],
            "order": "Cancelled",
            "payment": outcome,
        }

    async def test_paid_then_files_accepted_are_two_calls_one_per_change(
        self,
        api: httpx.AsyncClient,
        paying_shop: Shop,
        receiver: Receiver,
        worker: Worker,
        print_files: PrintFiles,
    ) -> None:
        order = await place(api, paying_shop.headers)
        checkout = await set_up(api, paying_shop.headers, order)

        await choose(api, checkout["paymentUrl"], "Successful")
        await receiver.wait_for(1, path=HOOK)
        await upload_all(api, paying_shop.headers, order, print_files)

        await delivered(api, paying_shop, order["id"], 2)
        assert bodies(receiver) == [f"orderId={order['id']}".encode()] * 2
        assert (await statuses(api, paying_shop.headers, order["id"]))["order"] == "Processing"

    async def test_files_then_payment_notify_the_payment_and_processing_together(
        self,
        api: httpx.AsyncClient,
        paying_shop: Shop,
        receiver: Receiver,
        worker: Worker,
        print_files: PrintFiles,
    ) -> None:
        order = await place(api, paying_shop.headers)
        checkout = await set_up(api, paying_shop.headers, order)
        await upload_all(api, paying_shop.headers, order, print_files)
        assert await notifications(api, paying_shop, order["id"]) == []

        await choose(api, checkout["paymentUrl"], "Successful")

        # Both changes are written in one transaction: one notification says "re-read the order".
        await delivered(api, paying_shop, order["id"], 1)
        assert bodies(receiver) == [f"orderId={order['id']}".encode()]
        assert await statuses(api, paying_shop.headers, order["id"]) == {
            "id": order["id"],
            "order": "Processing",
            "payment": "Successful",
        }

    async def test_a_double_post_of_the_outcome_is_still_one_call(
        self, api: httpx.AsyncClient, paying_shop: Shop, receiver: Receiver, worker: Worker
    ) -> None:
        order = await place(api, paying_shop.headers)
        checkout = await set_up(api, paying_shop.headers, order)
        token = await token_of(api, checkout["paymentUrl"])
        await choose(api, checkout["paymentUrl"], "Successful", token=token)
        await delivered(api, paying_shop, order["id"], 1)

        again = await choose(api, checkout["paymentUrl"], "Failed", token=token)

        assert again.status_code == 303
        assert len(await notifications(api, paying_shop, order["id"])) == 1
        assert len(bodies(receiver)) == 1


class TestAnExpiredPaymentNotifiesTheShop:
    @pytest.fixture
    def webhook_settings(self, files_dir: Path) -> dict[str, Any]:
        return {**FAST, "storage_dir": str(files_dir), "payment_ttl_seconds": 0.5}

    async def test_the_expiry_cancels_payment_and_order_with_one_call(
        self,
        api: httpx.AsyncClient,
        paying_shop: Shop,
        receiver: Receiver,
        worker: Worker,
        live_runtime: Runtime,
    ) -> None:
        order = await place(api, paying_shop.headers)
        await set_up(api, paying_shop.headers, order)
        expired: list[int] = []

        async def the_link_expired() -> bool:
            expired.append(await expire_payments(live_runtime))
            return sum(expired) > 0

        await eventually(the_link_expired, seconds=5)

        assert sum(expired) == 1
        await delivered(api, paying_shop, order["id"], 1)
        assert bodies(receiver) == [f"orderId={order['id']}".encode()]
        assert await statuses(api, paying_shop.headers, order["id"]) == {
            "id": order["id"],
            "order": "Cancelled",
            "payment": "Cancelled",
        }
