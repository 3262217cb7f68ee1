"""The test environment's status simulator ``POST /v2/orders/{id}/status`` (extension; spec §4.1)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx
import pytest

from printapi.auth.principal import Environment
from printapi.kit.clock import FixedClock
from printapi.runtime import Runtime
from tests.api.helpers import assert_error, changes, move, place, status_of
from tests.conftest import Credentials, bearer, book_item, make_credentials, order_body

TRACKING = "https://postnl.nl/tracktrace/?B=3SABCD1234567"


async def moved(client: httpx.AsyncClient, headers: dict[str, str], order_id: str, *path: str) -> None:
    for status in path:
        response = await move(client, headers, order_id, status)
        assert response.status_code == 200, response.text


async def snapshot(client: httpx.AsyncClient, headers: dict[str, str], order_id: str) -> tuple[Any, ...]:
    """What a refused move must leave untouched: the order as read, and the status history."""
    order = (await client.get(f"/v2/orders/{order_id}", headers=headers)).text
    return order, await changes(client, headers)


class TestLegalMoves:
    async def test_a_created_order_moves_to_processing(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        order = await place(client, auth_headers, order_body())

        response = await move(client, auth_headers, order["id"], "Processing")

        assert response.status_code == 200, response.text
        assert response.text == f'{{"id":"{order["id"]}","order":"Processing"}}'
        assert await status_of(client, auth_headers, order["id"]) == "Processing"

    async def test_a_shipped_order_shows_its_tracking_url_after_the_status(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        order = await place(client, auth_headers, order_body())
        await moved(client, auth_headers, order["id"], "Processing")

        response = await move(client, auth_headers, order["id"], "Shipped", trackingUrl=TRACKING)

        assert response.status_code == 200, response.text
        assert response.json()["order"] == "Shipped"
        shipped = (await client.get(f"/v2/orders/{order['id']}", headers=auth_headers)).json()
        assert shipped["trackingUrl"] == TRACKING
        assert list(shipped)[:4] == ["id", "dateTime", "status", "trackingUrl"]
        assert shipped["status"] == "Shipped"

    async def test_an_order_may_ship_without_a_tracking_url(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        order = await place(client, auth_headers, order_body())
        await moved(client, auth_headers, order["id"], "Processing", "Shipped")

        shipped = (await client.get(f"/v2/orders/{order['id']}", headers=auth_headers)).json()

        assert shipped["status"] == "Shipped"
        assert "trackingUrl" not in shipped

    @pytest.mark.parametrize("path", [["Cancelled"], ["Processing", "Cancelled"]])
    async def test_a_created_or_processing_order_can_be_cancelled(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str], path: list[str]
    ) -> None:
        order = await place(client, auth_headers, order_body())

        await moved(client, auth_headers, order["id"], *path)

        assert await status_of(client, auth_headers, order["id"]) == "Cancelled"

    async def test_each_move_adds_one_row_to_the_status_history(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str], clock: FixedClock
    ) -> None:
        order = await place(client, auth_headers, order_body())
        clock.advance(timedelta(minutes=1))
        await moved(client, auth_headers, order["id"], "Processing")
        clock.advance(timedelta(minutes=1))
        await moved(client, auth_headers, order["id"], "Shipped")

        assert await changes(client, auth_headers) == [
            {"id": order["id"], "status": "Created", "dateTime": "2025-03-29T21:40:20.004491"},
            {"id": order["id"], "status": "Processing", "dateTime": "2025-03-29T21:41:20.004491"},
            {"id": order["id"], "status": "Shipped", "dateTime": "2025-03-29T21:42:20.004491"},
        ]

    async def test_cancelling_cancels_the_files_that_wait_for_an_upload_or_a_download(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        body = order_body(book_item(), book_item(files={"content": "https://files.example.nl/c.pdf"}))
        order = await place(client, auth_headers, body)

        await moved(client, auth_headers, order["id"], "Cancelled")

        cancelled = (await client.get(f"/v2/orders/{order['id']}", headers=auth_headers)).json()
        statuses = [file["status"] for item in cancelled["items"] for file in item["files"].values()]
        assert statuses == ["Cancelled"] * 4

    async def test_a_cancel_reason_is_accepted(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        order = await place(client, auth_headers, order_body())

        response = await move(client, auth_headers, order["id"], "Cancelled", reason="Klant annuleerde")

        assert response.status_code == 200, response.text


ILLEGAL = [
    ([], "Shipped"),
    ([], "Created"),
    (["Processing"], "Processing"),
    (["Processing"], "Created"),
    (["Processing", "Shipped"], "Processing"),
    (["Processing", "Shipped"], "Cancelled"),
    (["Processing", "Shipped"], "Shipped"),
    (["Cancelled"], "Processing"),
    (["Cancelled"], "Shipped"),
    (["Cancelled"], "Cancelled"),
    (["Cancelled"], "Created"),
]


class TestIllegalMoves:
    @pytest.mark.parametrize(
        ("path", "target"), ILLEGAL, ids=[f"{(p or ['Created'])[-1]}->{t}" for p, t in ILLEGAL]
    )
    async def test_an_illegal_move_is_forbidden_and_changes_nothing(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str], path: list[str], target: str
    ) -> None:
        order = await place(client, auth_headers, order_body())
        await moved(client, auth_headers, order["id"], *path)
        before = await snapshot(client, auth_headers, order["id"])

        response = await move(client, auth_headers, order["id"], target)

        body = assert_error(response, 403)
        assert target in body["message"]
        assert body["hints"]
        assert await snapshot(client, auth_headers, order["id"]) == before

    async def test_a_tracking_url_on_a_move_other_than_shipping_is_refused_and_changes_nothing(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        order = await place(client, auth_headers, order_body())
        before = await snapshot(client, auth_headers, order["id"])

        response = await move(client, auth_headers, order["id"], "Processing", trackingUrl=TRACKING)

        assert_error(response, 400, field="trackingUrl")
        assert await snapshot(client, auth_headers, order["id"]) == before

    async def test_an_unknown_status_and_a_bad_tracking_url_are_one_400(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        order = await place(client, auth_headers, order_body())
        before = await snapshot(client, auth_headers, order["id"])

        response = await move(client, auth_headers, order["id"], "Delivered", trackingUrl="postnl.nl/track")

        error = assert_error(response, 400)
        assert [e["field"] for e in error["errors"]] == ["status", "trackingUrl"]
        assert error["errors"][1]["message"] == "must be an http:// or https:// URL"
        assert await snapshot(client, auth_headers, order["id"]) == before

    async def test_a_tracking_url_before_shipping_is_named_with_a_reason_too_long(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        order = await place(client, auth_headers, order_body())
        before = await snapshot(client, auth_headers, order["id"])

        response = await move(
            client, auth_headers, order["id"], "Processing", trackingUrl=TRACKING, reason="r" * 501
        )

        error = assert_error(response, 400)
        assert error["errors"] == [
            {"field": "trackingUrl", "message": "can only be given when the order is Shipped"},
            {"field": "reason", "message": "String should have at most 500 characters"},
        ]
        assert await snapshot(client, auth_headers, order["id"]) == before

    @pytest.mark.parametrize("url", ["postnl.nl/track", "javascript:alert(1)", "t" * 513])
    async def test_a_bad_tracking_url_is_refused_and_changes_nothing(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str], url: str
    ) -> None:
        order = await place(client, auth_headers, order_body())
        await moved(client, auth_headers, order["id"], "Processing")
        before = await snapshot(client, auth_headers, order["id"])

        response = await move(client, auth_headers, order["id"], "Shipped", trackingUrl=url)

        assert_error(response, 400, field="trackingUrl")
        assert await snapshot(client, auth_headers, order["id"]) == before

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"status": "Delivered"}, "status"),
            ({"status": "processing"}, "status"),
            ({"status": 1}, "status"),
            ({}, "status"),
            ({"status": "Cancelled", "reason": "r" * 501}, "reason"),
        ],
    )
    async def test_a_bad_change_is_refused_naming_the_field(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str], body: dict[str, Any], field: str
    ) -> None:
        order = await place(client, auth_headers, order_body())
        before = await snapshot(client, auth_headers, order["id"])

        response = await client.post(f"/v2/orders/{order['id']}/status", json=body, headers=auth_headers)

        assert_error(response, 400, field=field)
        assert await snapshot(client, auth_headers, order["id"]) == before


class TestRacingMoves:
    async def test_of_two_moves_at_once_exactly_one_wins(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        order = await place(client, auth_headers, order_body())

        # Whichever comes second finds the order Processing already (403) or loses the compare-and-set (409).
        responses = await asyncio.gather(
            move(client, auth_headers, order["id"], "Processing"),
            move(client, auth_headers, order["id"], "Processing"),
        )

        assert sorted(response.status_code for response in responses)[0] == 200
        loser = max(responses, key=lambda response: response.status_code)
        assert loser.status_code in (403, 409)
        assert_error(loser, loser.status_code)
        assert await status_of(client, auth_headers, order["id"]) == "Processing"
        assert [row["status"] for row in await changes(client, auth_headers)] == ["Created", "Processing"]


class TestWhoMayMove:
    async def test_live_orders_cannot_be_moved_by_the_shop(
        self, client: httpx.AsyncClient, runtime: Runtime, shop: Credentials
    ) -> None:
        live = await bearer(
            client, await make_credentials(runtime, email=shop.email, environment=Environment.LIVE)
        )
        order = await place(client, live, order_body())
        before = await snapshot(client, live, order["id"])

        response = await move(client, live, order["id"], "Processing")

        assert_error(response, 403)
        assert await snapshot(client, live, order["id"]) == before

    async def test_an_unknown_order_is_not_found(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        assert_error(await move(client, auth_headers, "12345678", "Processing"), 404)

    async def test_another_accounts_order_is_not_found_and_stays_as_it_is(
        self, client: httpx.AsyncClient, runtime: Runtime, auth_headers: dict[str, str]
    ) -> None:
        theirs_headers = await bearer(client, await make_credentials(runtime))
        theirs = await place(client, theirs_headers, order_body())

        assert_error(await move(client, auth_headers, theirs["id"], "Cancelled"), 404)
        assert await status_of(client, theirs_headers, theirs["id"]) == "Created"
