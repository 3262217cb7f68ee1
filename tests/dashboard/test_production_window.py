"""The production window on the dashboard (extension): the delay, when production starts, and what
the shop may still do, on the operator's queue and order page and on the owner's order page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from printapi.auth.principal import Environment
from printapi.kit.clock import FixedClock
from printapi.orders.states import OrderStatus
from printapi.runtime import Runtime
from tests.dashboard.conftest import Person, api_headers, move, place

DELAY = timedelta(minutes=90)


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"production_delay": "90m"}


def fact(page: str, testid: str) -> str:
    """The text of the element ``data-testid=testid`` (up to its closing tag)."""
    start = page.index(f'data-testid="{testid}"')
    return page[page.index(">", start) + 1 : page.index("</dd>", start)]


class TestTheProductionStart:
    async def test_the_operator_sees_when_production_starts_and_that_the_shop_may_cancel_until_then(
        self,
        runtime: Runtime,
        clock: FixedClock,
        client: httpx.AsyncClient,
        owner: Person,
        operator: Person,
    ) -> None:
        headers = await api_headers(runtime, client, owner.email, Environment.LIVE)
        await place(client, headers, id="WINDOW")
        await move(
            runtime,
            account_id=owner.account_id,
            environment="live",
            order_id="WINDOW",
            status=OrderStatus.PROCESSING,
        )
        order_page = f"/dashboard/operator/orders/{owner.account_id}/live/WINDOW"

        queue = (await operator.http.get("/dashboard/operator")).text
        page = (await operator.http.get(order_page)).text
        clock.advance(DELAY)
        later_queue = (await operator.http.get("/dashboard/operator")).text
        later_page = (await operator.http.get(order_page)).text

        # Processing at 21:40:20 Amsterdam time; production 90 minutes later, at 23:10:20.
        assert "production starts" in queue
        assert "23:10" in queue
        assert fact(page, "production-delay") == "1 h 30 min"
        assert "23:10" in fact(page, "production-start")
        assert "the shop can cancel until then" in fact(page, "production-start")
        assert "<code>cancel</code>" in fact(page, "allowed-actions")
        assert "production starts" not in later_queue
        assert 'data-order="WINDOW"' in later_queue
        assert "the shop can cancel until then" not in fact(later_page, "production-start")
        assert "nothing more" in fact(later_page, "allowed-actions")

    async def test_the_owner_sees_the_delay_of_a_created_order(
        self, runtime: Runtime, client: httpx.AsyncClient, owner: Person
    ) -> None:
        headers = await api_headers(runtime, client, owner.email)
        await place(client, headers, id="NEW")

        page = (await owner.http.get("/dashboard/orders/test/NEW")).text

        assert fact(page, "production-delay") == "1 h 30 min"
        assert 'data-testid="production-start"' not in page  # not Processing yet
        assert "<code>cancel</code>, <code>uploadFiles</code>" in fact(page, "allowed-actions")

    async def test_the_due_date_counts_from_the_production_start(
        self,
        runtime: Runtime,
        clock: FixedClock,
        client: httpx.AsyncClient,
        owner: Person,
        operator: Person,
    ) -> None:
        headers = await api_headers(runtime, client, owner.email, Environment.LIVE)
        now = clock.now()
        # Monday 24 March 2025, 10:00 in Amsterdam: before the mug's 11:00 cut-off, but its
        # production starts at 11:30, after it; so day 1 is Tuesday and the mug (2 days) is due Wednesday.
        clock.set(datetime(2025, 3, 24, 9, 0, tzinfo=UTC))
        await place(client, headers, id="MUG", items=[{"productId": "mok", "quantity": 1}])
        await move(
            runtime,
            account_id=owner.account_id,
            environment="live",
            order_id="MUG",
            status=OrderStatus.PROCESSING,
        )
        clock.set(now)

        queue = (await operator.http.get("/dashboard/operator")).text
        page = (await operator.http.get(f"/dashboard/operator/orders/{owner.account_id}/live/MUG")).text

        assert "Wed 26 Mar 2025" in queue
        assert "Tue 25 Mar 2025" not in queue
        assert "Wed 26 Mar 2025" in page
