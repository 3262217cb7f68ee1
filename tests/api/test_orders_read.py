"""Reading orders (spec §3.3–3.6): one order, the list, the status, and ``sync/statuses``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import event

from printapi.auth.principal import Environment
from printapi.kit.clock import FixedClock
from printapi.runtime import Runtime
from tests.api.helpers import API_JSON, START_LOCAL, assert_error, changes, move, place
from tests.conftest import Credentials, bearer, book_item, make_credentials, order_body


async def other_shop(client: httpx.AsyncClient, runtime: Runtime) -> dict[str, str]:
    return await bearer(client, await make_credentials(runtime))


async def live_headers(client: httpx.AsyncClient, runtime: Runtime, shop: Credentials) -> dict[str, str]:
    return await bearer(
        client, await make_credentials(runtime, email=shop.email, environment=Environment.LIVE)
    )


async def three_orders(
    client: httpx.AsyncClient, headers: dict[str, str], clock: FixedClock
) -> list[dict[str, object]]:
    """Three orders a minute apart, oldest first."""
    orders = []
    for number in range(3):
        orders.append(
            await place(client, headers, order_body(id=f"order-{number}", email=f"k{number}@example.nl"))
        )
        clock.advance(timedelta(minutes=1))
    return orders


class TestGetOrder:
    async def test_an_order_reads_back_as_it_was_placed(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        placed = await client.post(
            "/v2/orders",
            json=order_body(book_item(title="Ons jaar"), email="k@example.nl"),
            headers=auth_headers,
        )
        order_id = placed.json()["id"]

        response = await client.get(f"/v2/orders/{order_id}", headers=auth_headers)

        assert response.status_code == 200
        assert response.headers["content-type"] == API_JSON
        assert response.text == placed.text

    async def test_an_unknown_order_is_not_found(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        body = assert_error(await client.get("/v2/orders/12345678", headers=auth_headers), 404)

        assert "12345678" in body["message"]

    async def test_another_accounts_order_is_not_found_exactly_like_an_unknown_one(
        self, client: httpx.AsyncClient, runtime: Runtime, auth_headers: dict[str, str]
    ) -> None:
        theirs = await place(client, await other_shop(client, runtime), order_body(id="shared-id"))

        mine = await client.get(f"/v2/orders/{theirs['id']}", headers=auth_headers)

        assert_error(mine, 404)
        unknown = await client.get("/v2/orders/shared-ie", headers=auth_headers)
        assert mine.json()["hints"] == unknown.json()["hints"]
        assert mine.json()["message"] == unknown.json()["message"].replace("shared-ie", "shared-id")

    async def test_a_test_token_does_not_see_live_orders(
        self, client: httpx.AsyncClient, runtime: Runtime, shop: Credentials, auth_headers: dict[str, str]
    ) -> None:
        live = await place(client, await live_headers(client, runtime, shop), order_body())

        assert_error(await client.get(f"/v2/orders/{live['id']}", headers=auth_headers), 404)
        assert_error(await client.get(f"/v2/orders/{live['id']}/status", headers=auth_headers), 404)
        listed = (await client.get("/v2/orders", headers=auth_headers)).json()
        assert (listed["count"], listed["results"]) == (0, [])
        assert await changes(client, auth_headers) == []

    async def test_a_live_token_does_not_see_test_orders(
        self, client: httpx.AsyncClient, runtime: Runtime, shop: Credentials, auth_headers: dict[str, str]
    ) -> None:
        test_order = await place(client, auth_headers, order_body())
        live = await live_headers(client, runtime, shop)

        assert_error(await client.get(f"/v2/orders/{test_order['id']}", headers=live), 404)

    async def test_an_id_with_url_characters_reads_back_through_its_location(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        response = await client.post("/v2/orders", json=order_body(id="shop:1+2&3"), headers=auth_headers)
        assert response.status_code == 201, response.text

        again = await client.get(response.headers["location"], headers=auth_headers)

        assert again.status_code == 200, again.text
        assert again.json()["id"] == "shop:1+2&3"


class TestListOrders:
    async def test_an_account_without_orders_has_an_empty_list(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        response = await client.get("/v2/orders", headers=auth_headers)

        assert response.status_code == 200
        assert response.text == '{"count":0,"offset":0,"limit":20,"results":[]}'

    async def test_orders_are_listed_newest_first_with_the_total_count(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str], clock: FixedClock
    ) -> None:
        orders = await three_orders(client, auth_headers, clock)

        body = (await client.get("/v2/orders", headers=auth_headers)).json()

        assert list(body) == ["count", "offset", "limit", "results"]
        assert (body["count"], body["offset"], body["limit"]) == (3, 0, 20)
        assert [entry["id"] for entry in body["results"]] == [o["id"] for o in reversed(orders)]

    async def test_orders_placed_in_the_same_instant_list_the_later_one_first(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        first = await place(client, auth_headers, order_body(id="first"))
        second = await place(client, auth_headers, order_body(id="second"))

        body = (await client.get("/v2/orders", headers=auth_headers)).json()

        assert [entry["id"] for entry in body["results"]] == [second["id"], first["id"]]

    async def test_a_summary_has_id_date_email_status_and_url_in_that_order(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        order = await place(client, auth_headers, order_body(email="k@example.nl"))

        entry = (await client.get("/v2/orders", headers=auth_headers)).json()["results"][0]

        assert list(entry) == ["id", "dateTime", "email", "status", "url"]
        assert entry == {
            "id": order["id"],
            "dateTime": START_LOCAL,
            "email": "k@example.nl",
            "status": "Created",
            "url": f"http://testserver/v2/orders/{order['id']}",
        }

    async def test_a_summary_leaves_out_an_email_that_was_not_given(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        await place(client, auth_headers, order_body())

        entry = (await client.get("/v2/orders", headers=auth_headers)).json()["results"][0]

        assert list(entry) == ["id", "dateTime", "status", "url"]

    async def test_a_summary_shows_the_username_after_the_email(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        await place(client, auth_headers, order_body(email="k@example.nl", username="Jan"))

        entry = (await client.get("/v2/orders", headers=auth_headers)).json()["results"][0]

        assert list(entry) == ["id", "dateTime", "email", "username", "status", "url"]

    async def test_offset_and_limit_pick_a_window_and_are_echoed(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str], clock: FixedClock
    ) -> None:
        orders = await three_orders(client, auth_headers, clock)

        body = (await client.get("/v2/orders", params={"offset": 1, "limit": 1}, headers=auth_headers)).json()

        assert (body["count"], body["offset"], body["limit"]) == (3, 1, 1)
        assert [entry["id"] for entry in body["results"]] == [orders[1]["id"]]

    async def test_the_list_shows_the_current_status(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        order = await place(client, auth_headers, order_body())
        assert (await move(client, auth_headers, order["id"], "Processing")).status_code == 200

        entry = (await client.get("/v2/orders", headers=auth_headers)).json()["results"][0]

        assert entry["status"] == "Processing"

    async def test_other_accounts_orders_are_neither_listed_nor_counted(
        self, client: httpx.AsyncClient, runtime: Runtime, auth_headers: dict[str, str]
    ) -> None:
        await place(client, await other_shop(client, runtime), order_body())
        mine = await place(client, auth_headers, order_body())

        body = (await client.get("/v2/orders", headers=auth_headers)).json()

        assert body["count"] == 1
        assert [entry["id"] for entry in body["results"]] == [mine["id"]]

    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({"limit": 101}, "limit"),
            ({"limit": 0}, "limit"),
            ({"offset": -1}, "offset"),
            ({"limit": "x"}, "limit"),
        ],
    )
    async def test_a_bad_offset_or_limit_is_refused(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str], params: dict[str, object], field: str
    ) -> None:
        assert_error(await client.get("/v2/orders", params=params, headers=auth_headers), 400, field=field)


class TestOrderStatus:
    async def test_the_status_of_a_new_order_is_created(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        order = await place(client, auth_headers, order_body())

        response = await client.get(f"/v2/orders/{order['id']}/status", headers=auth_headers)

        assert response.status_code == 200
        assert response.text == f'{{"id":"{order["id"]}","order":"Created"}}'

    async def test_the_status_of_an_unknown_order_is_not_found(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        assert_error(await client.get("/v2/orders/12345678/status", headers=auth_headers), 404)

    async def test_the_status_of_another_accounts_order_is_not_found(
        self, client: httpx.AsyncClient, runtime: Runtime, auth_headers: dict[str, str]
    ) -> None:
        theirs = await place(client, await other_shop(client, runtime), order_body())

        assert_error(await client.get(f"/v2/orders/{theirs['id']}/status", headers=auth_headers), 404)


class TestSyncStatuses:
    async def test_the_changes_since_a_moment_are_listed_oldest_first_and_the_moment_echoed(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str], clock: FixedClock
    ) -> None:
        orders = await three_orders(client, auth_headers, clock)

        response = await client.get(
            "/v2/sync/statuses", params={"since": "2025-03-24T13:00:00"}, headers=auth_headers
        )

        assert response.status_code == 200
        body = response.json()
        assert list(body) == ["since", "results"]
        assert body["since"] == "2025-03-24T13:00:00"
        assert body["results"] == [
            {"id": orders[0]["id"], "status": "Created", "dateTime": "2025-03-29T21:40:20.004491"},
            {"id": orders[1]["id"], "status": "Created", "dateTime": "2025-03-29T21:41:20.004491"},
            {"id": orders[2]["id"], "status": "Created", "dateTime": "2025-03-29T21:42:20.004491"},
        ]
        assert list(body["results"][0]) == ["id", "status", "dateTime"]

    async def test_only_changes_after_the_moment_are_listed(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str], clock: FixedClock
    ) -> None:
        order = await place(client, auth_headers, order_body())
        clock.advance(timedelta(hours=1))
        assert (await move(client, auth_headers, order["id"], "Processing")).status_code == 200

        results = await changes(client, auth_headers, since="2025-03-29T22:00:00")

        assert results == [
            {"id": order["id"], "status": "Processing", "dateTime": "2025-03-29T22:40:20.004491"}
        ]

    async def test_a_change_at_the_moment_itself_is_not_after_it(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        await place(client, auth_headers, order_body())

        assert await changes(client, auth_headers, since=START_LOCAL) == []

    async def test_an_empty_result_is_an_empty_list(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        response = await client.get(
            "/v2/sync/statuses", params={"since": "2025-03-24T13:00:00"}, headers=auth_headers
        )

        assert response.text == '{"since":"2025-03-24T13:00:00","results":[]}'

    @pytest.mark.parametrize(
        ("since", "echoed"),
        [
            ("2025-03-29T21:40:20+01:00", "2025-03-29T21:40:20"),
            ("2025-03-29T20:40:20Z", "2025-03-29T21:40:20"),
            ("2025-03-29T20:40:20.000+00:00", "2025-03-29T21:40:20"),
            ("2025-03-29T21:40:20", "2025-03-29T21:40:20"),
            ("2025-03-29", "2025-03-29T00:00:00"),
        ],
    )
    async def test_a_moment_with_or_without_an_offset_is_accepted_and_echoed_in_local_time(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str], since: str, echoed: str
    ) -> None:
        order = await place(client, auth_headers, order_body())

        response = await client.get("/v2/sync/statuses", params={"since": since}, headers=auth_headers)

        assert response.status_code == 200, response.text
        assert response.json()["since"] == echoed
        assert [row["id"] for row in response.json()["results"]] == [order["id"]]

    async def test_a_missing_since_is_refused(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        assert_error(await client.get("/v2/sync/statuses", headers=auth_headers), 400, field="since")

    @pytest.mark.parametrize(
        "since",
        ["yesterday", "", "2025-13-01T00:00:00", "2025-02-30T00:00:00", "29-03-2025", "2025-03-29T25:00:00"],
    )
    async def test_a_since_that_is_not_a_date_time_is_refused(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str], since: str
    ) -> None:
        response = await client.get("/v2/sync/statuses", params={"since": since}, headers=auth_headers)

        assert_error(response, 400, field="since")

    async def test_other_accounts_changes_are_not_listed(
        self, client: httpx.AsyncClient, runtime: Runtime, auth_headers: dict[str, str]
    ) -> None:
        await place(client, await other_shop(client, runtime), order_body())

        assert await changes(client, auth_headers) == []


class TestTheReadOfAnOrder:
    async def test_joins_its_items_and_files_through_their_indexes(
        self, client: httpx.AsyncClient, runtime: Runtime, auth_headers: dict[str, str]
    ) -> None:
        """Not a scan of every order's items and files (which grew slower with every order)."""
        if runtime.db.dialect != "sqlite":
            pytest.skip("SQLite's plan is stable on a small table; PostgreSQL's planner scans small tables")
        order_id = (await place(client, auth_headers, order_body()))["id"]
        sent: list[tuple[str, Any]] = []

        def capture(_conn: object, _cursor: object, statement: str, parameters: Any, *_rest: object) -> None:
            sent.append((statement, parameters))

        event.listen(runtime.db.read_engine.sync_engine, "before_cursor_execute", capture)
        try:
            assert (await client.get(f"/v2/orders/{order_id}", headers=auth_headers)).status_code == 200
        finally:
            event.remove(runtime.db.read_engine.sync_engine, "before_cursor_execute", capture)
        (read,) = [(sql, params) for sql, params in sent if "FROM orders" in sql and "order_items" in sql]
        async with runtime.db.read() as session:
            connection = await session.connection()
            plan = (await connection.exec_driver_sql("EXPLAIN QUERY PLAN " + read[0], read[1])).all()
        details = " | ".join(str(row[-1]) for row in plan)
        assert "USING INDEX ix_order_items_order_pk (order_pk=?)" in details, details
        assert "USING INDEX ix_item_files_item_pk (item_pk=?)" in details, details
