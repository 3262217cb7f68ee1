"""Shipments in the operator's console: a parcel recorded from the order page, the order's
parcels on the owner's and the operator's page, and a parcel refused with nothing written."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import func, select

from printapi.auth.principal import Environment
from printapi.models import Order, Shipment, WebhookNotification
from printapi.orders.states import OrderStatus
from printapi.runtime import Runtime
from tests.conftest import book_item
from tests.dashboard.conftest import Person, api_headers, move, place
from tests.dashboard.helpers import flash_text, post_form

URL = "https://jouw.postnl.nl/track-and-trace/3SABC111"
# Two books "a", one mug "b".
ITEMS = [book_item(id="a", quantity=2), {"id": "b", "productId": "mok", "quantity": 1}]


@pytest.fixture
async def live_headers(runtime: Runtime, client: httpx.AsyncClient, owner: Person) -> dict[str, str]:
    return await api_headers(runtime, client, owner.email, Environment.LIVE)


async def in_production(
    runtime: Runtime, client: httpx.AsyncClient, owner: Person, headers: dict[str, str]
) -> str:
    order_id = str((await place(client, headers, items=ITEMS))["id"])
    await move(
        runtime,
        account_id=owner.account_id,
        environment="live",
        order_id=order_id,
        status=OrderStatus.PROCESSING,
    )
    return order_id


async def counts(runtime: Runtime) -> tuple[str, int, int]:
    """The order's status, its shipments and the webhook notifications queued."""
    async with runtime.db.read() as session:
        status = (await session.execute(select(Order.status))).scalar_one()
        parcels = (await session.execute(select(func.count()).select_from(Shipment))).scalar_one()
        notes = (await session.execute(select(func.count()).select_from(WebhookNotification))).scalar_one()
    return status, parcels, notes


class TestRecordingAParcel:
    async def test_the_form_offers_what_is_left_and_two_parcels_ship_the_order(
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
        order_id = await in_production(runtime, client, owner, live_headers)
        page = f"/dashboard/operator/orders/{owner.account_id}/live/{order_id}"
        form = (await operator.http.get(page)).text

        first = await post_form(
            operator.http,
            f"{page}/shipments",
            {
                "item_0": "a",
                "quantity_0": "1",
                "item_1": "b",
                "quantity_1": "0",
                "carrier": "PostNL",
                "tracking_code": "3SABC111",
                "tracking_url": URL,
            },
            from_page=page,
        )
        between = (await operator.http.get(page)).text
        after_first = await counts(runtime)
        await post_form(
            operator.http,
            f"{page}/shipments",
            {"item_0": "a", "quantity_0": "1", "item_1": "b", "quantity_1": "1"},
            from_page=page,
        )
        shipped = (await operator.http.get(page)).text
        seen_by_owner = (await owner.http.get(f"/dashboard/orders/live/{order_id}")).text

        assert 'name="quantity_0" type="number" min="0" max="2" value="2"' in form
        assert 'name="quantity_1" type="number" min="0" max="1" value="1"' in form
        assert first.headers["location"] == page
        assert f"Shipment 1 of order {order_id} recorded; the order is Processing." in flash_text(between)
        assert 'name="quantity_0" type="number" min="0" max="1" value="1"' in between
        assert after_first == ("Processing", 1, 1)
        assert f"Shipment 2 of order {order_id} recorded; the order is Shipped." in flash_text(shipped)
        assert "Record a parcel" not in shipped
        assert await counts(runtime) == ("Shipped", 2, 1)  # folded into the pending notification
        for shown in (shipped, seen_by_owner):
            assert 'data-shipment="1"' in shown
            assert 'data-shipment="2"' in shown
            assert "3SABC111" in shown
            assert "shipment 1: 1 × a (PostNL 3SABC111)" in shown  # the timeline

    async def test_more_than_is_left_is_shown_and_nothing_is_written(
        self,
        runtime: Runtime,
        client: httpx.AsyncClient,
        owner: Person,
        operator: Person,
        live_headers: dict[str, str],
    ) -> None:
        order_id = await in_production(runtime, client, owner, live_headers)
        page = f"/dashboard/operator/orders/{owner.account_id}/live/{order_id}"

        response = await post_form(
            operator.http, f"{page}/shipments", {"item_0": "a", "quantity_0": "3"}, from_page=page
        )
        shown = (await operator.http.get(response.headers["location"])).text

        assert "item &#39;a&#39; has 2 left to ship (2 ordered, 0 shipped)" in flash_text(shown)
        assert await counts(runtime) == ("Processing", 0, 0)

    async def test_a_parcel_of_nothing_is_refused(
        self,
        runtime: Runtime,
        client: httpx.AsyncClient,
        owner: Person,
        operator: Person,
        live_headers: dict[str, str],
    ) -> None:
        order_id = await in_production(runtime, client, owner, live_headers)
        page = f"/dashboard/operator/orders/{owner.account_id}/live/{order_id}"

        response = await post_form(
            operator.http, f"{page}/shipments", {"item_0": "a", "quantity_0": "0"}, from_page=page
        )
        shown = (await operator.http.get(response.headers["location"])).text

        assert "choose how many of at least one item this parcel carries" in flash_text(shown)
        assert await counts(runtime) == ("Processing", 0, 0)

    async def test_an_order_not_yet_in_production_offers_no_parcel_and_refuses_one(
        self,
        runtime: Runtime,
        client: httpx.AsyncClient,
        owner: Person,
        operator: Person,
        live_headers: dict[str, str],
    ) -> None:
        order_id = str((await place(client, live_headers, items=ITEMS))["id"])
        page = f"/dashboard/operator/orders/{owner.account_id}/live/{order_id}"

        form = (await operator.http.get(page)).text
        response = await post_form(
            operator.http, f"{page}/shipments", {"item_0": "a", "quantity_0": "1"}, from_page=page
        )
        shown = (await operator.http.get(response.headers["location"])).text

        assert "Record a parcel" not in form
        assert "only an order in Processing can get shipments" in flash_text(shown)
        assert await counts(runtime) == ("Created", 0, 0)

    async def test_an_owner_cannot_record_a_parcel(
        self,
        runtime: Runtime,
        client: httpx.AsyncClient,
        owner: Person,
        live_headers: dict[str, str],
    ) -> None:
        order_id = await in_production(runtime, client, owner, live_headers)
        own_page = f"/dashboard/orders/live/{order_id}"

        response = await post_form(
            owner.http,
            f"/dashboard/operator/orders/{owner.account_id}/live/{order_id}/shipments",
            {"item_0": "a", "quantity_0": "1"},
            from_page=own_page,
        )

        assert response.status_code == 403
        assert "for the print shop&#39;s operators" in response.text
        assert await counts(runtime) == ("Processing", 0, 0)
