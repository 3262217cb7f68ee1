"""The endpoint page's "recover failures since" form: what failed since then is queued again.

The failures are written straight into the log, as the delivery log's own tests do; the delivery
of recovered notifications to a real receiver is tests/webhooks/test_recover.py's.
"""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import select, update

from printapi.kit.clock import FixedClock
from printapi.models import WebhookNotification
from printapi.orders.states import OrderStatus
from printapi.runtime import Runtime
from tests.dashboard.conftest import Person, api_headers, move, place
from tests.dashboard.helpers import flash_text, post_form
from tests.dashboard.test_owner_pages import add_endpoint


async def changed_and_failed(runtime: Runtime, client: httpx.AsyncClient, owner: Person, count: int) -> None:
    """``count`` orders placed and moved; the endpoint was down: each notification gave up now."""
    headers = await api_headers(runtime, client, owner.email)
    for _ in range(count):
        order = await place(client, headers)
        await move(
            runtime,
            account_id=owner.account_id,
            environment="test",
            order_id=order["id"],
            status=OrderStatus.PROCESSING,
        )
    async with runtime.db.write() as session:
        await session.execute(
            update(WebhookNotification)
            .where(WebhookNotification.status == "pending")
            .values(status="failed", finished_at=runtime.clock.now(), attempts=10, next_attempt_at=None)
        )


async def pending(runtime: Runtime) -> list[tuple[str, str]]:
    async with runtime.db.read() as session:
        query = select(WebhookNotification.kind, WebhookNotification.order_id).where(
            WebhookNotification.status == "pending"
        )
        return [(kind, order_id or "") for kind, order_id in (await session.execute(query)).all()]


def local(runtime: Runtime, clock: FixedClock) -> str:
    """The clock's moment as a datetime-local field sends it."""
    return clock.now().astimezone(runtime.zone).strftime("%Y-%m-%dT%H:%M:%S")


class TestTheRecoverForm:
    async def test_failures_since_the_moment_given_are_queued_again_one_per_order(
        self, runtime: Runtime, client: httpx.AsyncClient, clock: FixedClock, owner: Person
    ) -> None:
        endpoint_id = await add_endpoint(owner)
        page = f"/dashboard/webhooks/{endpoint_id}"
        await changed_and_failed(runtime, client, owner, 1)  # before: stays failed
        clock.advance(timedelta(hours=2))
        since = local(runtime, clock)
        clock.advance(timedelta(minutes=1))
        await changed_and_failed(runtime, client, owner, 2)

        shown = (await owner.http.get(page)).text
        response = await post_form(owner.http, f"{page}/recover", {"since": since}, from_page=page)
        after = (await owner.http.get(page)).text

        assert 'action="' + page + '/recover"' in shown
        assert 'name="since" type="datetime-local"' in shown
        assert response.status_code == 303
        assert response.headers["location"] == page
        assert "Failed notifications of 2 orders queued again." in flash_text(after)
        queued = await pending(runtime)
        assert [kind for kind, _ in queued] == ["resend", "resend"]
        assert len({order_id for _, order_id in queued}) == 2

    async def test_a_moment_that_cannot_be_read_is_shown_and_nothing_is_queued(
        self, runtime: Runtime, client: httpx.AsyncClient, owner: Person
    ) -> None:
        endpoint_id = await add_endpoint(owner)
        page = f"/dashboard/webhooks/{endpoint_id}"
        await changed_and_failed(runtime, client, owner, 1)

        for since in ("", "yesterday", "2025-02-30T10:00"):
            response = await post_form(owner.http, f"{page}/recover", {"since": since}, from_page=page)
            shown = (await owner.http.get(response.headers["location"])).text
            assert response.status_code == 303
            assert "since" in flash_text(shown)
            assert 'class="flash error"' in shown
        assert await pending(runtime) == []

    async def test_another_accounts_endpoint_cannot_be_recovered(
        self, runtime: Runtime, client: httpx.AsyncClient, owner: Person, other_owner: Person
    ) -> None:
        endpoint_id = await add_endpoint(owner)
        await changed_and_failed(runtime, client, owner, 1)
        page = "/dashboard/webhooks"

        response = await post_form(
            other_owner.http, f"{page}/{endpoint_id}/recover", {"since": "2000-01-01T00:00"}, from_page=page
        )

        assert response.status_code in (303, 404)
        assert await pending(runtime) == []
