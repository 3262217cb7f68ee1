"""``GET /v2/events``: every order and payment change of the caller's account and environment,
oldest first, read on with a cursor; pruned after the retention period; bad input is a 400."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from printapi import worker
from printapi.auth.principal import Environment
from printapi.feed.repository import HORIZON
from printapi.kit.clock import FixedClock
from printapi.models import FeedEvent
from printapi.runtime import Runtime
from tests.api.helpers import START_LOCAL, assert_error, move, place
from tests.conftest import Credentials, bearer, make_credentials, order_body
from tests.payments.conftest import choose, set_up, switch_payment_screen

# The runtime of the test running (``_reads_wait_for_the_horizon``).
_RUNTIME: list[Runtime] = []


@pytest.fixture(autouse=True)
def _reads_wait_for_the_horizon(runtime: Runtime) -> Iterator[None]:
    _RUNTIME.append(runtime)
    yield
    _RUNTIME.pop()


async def settled() -> None:
    """Until the feed's horizon has passed every event written so far.

    On PostgreSQL the feed holds back the rows above a transaction it cannot place in another
    database (feed/repository.py): one that ended between the statement's snapshot and its read
    of pg_stat_activity counts as running. With the server busy with other databases (other test
    processes), a read can so come back short, and the rows appear a moment later; the tests
    read once their writes have committed, so they wait for the horizon first."""
    runtime = _RUNTIME[-1]
    if runtime.db.dialect != "postgresql":
        return  # SQLite's writers are serial: nothing is held back
    deadline = asyncio.get_running_loop().time() + 10
    while True:
        async with runtime.db.read() as session:
            held = await session.scalar(
                select(func.count()).select_from(FeedEvent).where(FeedEvent.txid >= HORIZON)
            )
        if not held:
            return
        assert asyncio.get_running_loop().time() < deadline, f"{held} events held back for 10 s"
        await asyncio.sleep(0.05)


async def events(client: httpx.AsyncClient, headers: dict[str, str], **params: Any) -> dict[str, Any]:
    await settled()
    response = await client.get("/v2/events", params=params, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def walk(client: httpx.AsyncClient, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    """Every event from the start (or ``after``), page by page."""
    seen: list[dict[str, Any]] = []
    while True:
        page = await events(client, headers, **params)
        seen += page["results"]
        params["after"] = page["cursor"]
        if not page["hasMore"]:
            return seen


def kinds(found: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    return [(e["type"], e["orderId"], e.get("previousStatus") or e.get("paymentStatus") or "") for e in found]


class TestTheFeed:
    async def test_it_lists_creation_and_every_move_oldest_first(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        first = await place(client, auth_headers, order_body())
        second = await place(client, auth_headers, order_body())
        assert (await move(client, auth_headers, first["id"], "Processing")).status_code == 200
        assert (await move(client, auth_headers, second["id"], "Cancelled")).status_code == 200

        body = await events(client, auth_headers)

        assert list(body) == ["results", "cursor", "hasMore"]
        assert body["hasMore"] is False
        assert [(e["type"], e["orderId"], e["status"]) for e in body["results"]] == [
            ("order.created", first["id"], "Created"),
            ("order.created", second["id"], "Created"),
            ("order.status_changed", first["id"], "Processing"),
            ("order.status_changed", second["id"], "Cancelled"),
        ]
        moved = body["results"][2]
        assert list(moved) == ["id", "type", "orderId", "status", "previousStatus", "dateTime"]
        assert moved["previousStatus"] == "Created"
        assert moved["dateTime"] == START_LOCAL
        assert body["cursor"] == body["results"][-1]["id"]

    async def test_a_payment_change_is_an_event_before_what_it_does_to_the_order(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        await switch_payment_screen(client, auth_headers, on=True)
        order = await place(client, auth_headers)
        checkout = await set_up(client, auth_headers, order)
        response = await choose(client, checkout["paymentUrl"], "Failed")
        assert response.status_code in (200, 303), response.text

        found = await walk(client, auth_headers)

        assert kinds(found) == [
            ("order.created", order["id"], ""),
            ("payment.status_changed", order["id"], "Failed"),
            ("order.status_changed", order["id"], "Created"),
        ]
        assert found[1]["status"] == "Created"
        assert found[2]["status"] == "Cancelled"

    async def test_a_cancelled_order_records_its_cancelled_payment(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        await switch_payment_screen(client, auth_headers, on=True)
        order = await place(client, auth_headers)
        await set_up(client, auth_headers, order)
        assert (await move(client, auth_headers, order["id"], "Cancelled")).status_code == 200

        found = await walk(client, auth_headers)

        assert kinds(found) == [
            ("order.created", order["id"], ""),
            ("payment.status_changed", order["id"], "Cancelled"),
            ("order.status_changed", order["id"], "Created"),
        ]

    async def test_pages_read_on_from_the_cursor_or_any_events_id(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        placed = [(await place(client, auth_headers, order_body()))["id"] for _ in range(5)]

        first = await events(client, auth_headers, limit=2)
        second = await events(client, auth_headers, limit=2, after=first["cursor"])
        rest = await events(client, auth_headers, after=second["cursor"])
        from_an_id = await events(client, auth_headers, after=first["results"][0]["id"])

        assert (first["hasMore"], second["hasMore"], rest["hasMore"]) == (True, True, False)
        read = [e["orderId"] for page in (first, second, rest) for e in page["results"]]
        assert read == placed
        assert [e["orderId"] for e in from_an_id["results"]] == placed[1:]

    async def test_at_the_end_the_cursor_stays_where_it_was(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        empty = await events(client, auth_headers)
        assert empty["results"] == []
        assert empty["hasMore"] is False
        await place(client, auth_headers, order_body())

        found = await events(client, auth_headers, after=empty["cursor"])
        again = await events(client, auth_headers, after=found["cursor"])

        assert len(found["results"]) == 1
        assert again == {"results": [], "cursor": found["cursor"], "hasMore": False}


class TestScoping:
    async def test_another_account_and_the_other_environment_are_not_listed(
        self, client: httpx.AsyncClient, runtime: Runtime, auth_headers: dict[str, str]
    ) -> None:
        mine = await place(client, auth_headers, order_body())
        other = await bearer(client, await make_credentials(runtime))
        theirs = await place(client, other, order_body())
        shop = await make_credentials(runtime)
        live = await bearer(
            client, await make_credentials(runtime, email=shop.email, environment=Environment.LIVE)
        )
        test = await bearer(client, shop)
        in_live = await place(client, live, order_body())

        assert [e["orderId"] for e in await walk(client, auth_headers)] == [mine["id"]]
        assert [e["orderId"] for e in await walk(client, other)] == [theirs["id"]]
        assert [e["orderId"] for e in await walk(client, live)] == [in_live["id"]]
        assert await walk(client, test) == []

    async def test_another_accounts_cursor_reads_only_your_own_events(
        self, client: httpx.AsyncClient, runtime: Runtime, auth_headers: dict[str, str]
    ) -> None:
        other = await bearer(client, await make_credentials(runtime))
        await place(client, other, order_body())
        theirs = await events(client, other)
        mine = await place(client, auth_headers, order_body())

        found = await walk(client, auth_headers, after=theirs["cursor"])

        assert [e["orderId"] for e in found] == [mine["id"]]

    async def test_it_needs_the_orders_track_scope(self, client: httpx.AsyncClient, runtime: Runtime) -> None:
        shop = await make_credentials(runtime)
        token = await client.post(
            "/v2/oauth",
            data={
                "grant_type": "client_credentials",
                "client_id": shop.client_id,
                "client_secret": shop.client_secret,
                "scope": "products:browse",
            },
        )
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}

        assert_error(await client.get("/v2/events", headers=headers), 403)
        assert_error(await client.get("/v2/events"), 401)


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


class TestBadInput:
    @pytest.mark.parametrize(
        "after",
        [
            "",
            "garbage",
            "!!!!",
            _b64("2.1.1"),  # another version
            _b64("1.1"),
            _b64("1.-1.2"),
            _b64("1.01.2"),  # not as this feed writes it
            _b64("1.99999999999999999999.1"),
            _b64("1.1.1") + "=",
            "x" * 100,
            "é",
        ],
    )
    async def test_a_cursor_this_feed_did_not_hand_out_is_a_400_on_after(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str], after: str
    ) -> None:
        body = assert_error(
            await client.get("/v2/events", params={"after": after}, headers=auth_headers), 400
        )

        assert [e["field"] for e in body["errors"]] == ["after"]
        assert body["hints"]

    @pytest.mark.parametrize("limit", ["0", "-1", "1001", "abc", "1.5", str(2**40)])
    async def test_a_limit_out_of_range_is_a_400_on_limit(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str], limit: str
    ) -> None:
        response = await client.get("/v2/events", params={"limit": limit}, headers=auth_headers)

        body = assert_error(response, 400)
        assert "limit" in body["message"]

    async def test_the_largest_limit_is_allowed(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        assert (await events(client, auth_headers, limit=1000))["results"] == []


class TestRetention:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        return {"retention_days": 30}

    async def test_events_older_than_the_retention_period_are_pruned_and_the_walk_reads_on(
        self, client: httpx.AsyncClient, runtime: Runtime, clock: FixedClock, shop: Credentials
    ) -> None:
        headers = await bearer(client, shop)
        old = await place(client, headers, order_body())
        before = await events(client, headers)
        clock.advance(timedelta(days=20))
        headers = await bearer(client, shop)  # tokens expire within the hour
        kept = await place(client, headers, order_body())
        clock.advance(timedelta(days=10, seconds=1))
        headers = await bearer(client, shop)

        assert await worker.prune_finished(runtime) == 1

        remaining = await walk(client, headers)
        assert [e["orderId"] for e in remaining] == [kept["id"]]
        assert old["id"] != kept["id"]
        assert [e["orderId"] for e in await walk(client, headers, after=before["cursor"])] == [kept["id"]]
        newer = await place(client, headers, order_body())
        after_kept = await walk(client, headers, after=remaining[-1]["id"])
        assert [e["orderId"] for e in after_kept] == [newer["id"]]
