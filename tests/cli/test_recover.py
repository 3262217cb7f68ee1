"""``printapi webhooks recover EP --since``: the operator queues again what failed since then."""

from __future__ import annotations

import json

from sqlalchemy import select, update

from printapi.models import WebhookNotification
from tests.cli.test_cli import Cli, _email, api, cli, prepared_folder, token_headers  # noqa: F401
from tests.conftest import make_credentials, order_body


class TestRecover:
    async def test_failures_since_the_moment_are_queued_again_one_per_order(self, cli: Cli) -> None:  # noqa: F811
        email = _email()
        await cli.ok("accounts", "create", "--email", email, "--password", "password-123")
        added = await cli.ok(
            "webhooks",
            "add",
            "--account",
            email,
            "--environment",
            "test",
            "--url",
            "https://shop.example/h",
            "--json",
        )
        endpoint_id = json.loads(added)["id"]
        async with api(cli) as (http, runtime):
            shop = await make_credentials(runtime, email=email)
            headers = await token_headers(http, shop.client_id, shop.client_secret)
            for _ in range(2):
                placed = await http.post("/v2/orders", json=order_body(), headers=headers)
                order_id = placed.json()["id"]
                for status in ("Processing", "Cancelled"):  # two notifications of the order fail
                    moved = await http.post(
                        f"/v2/orders/{order_id}/status", json={"status": status}, headers=headers
                    )
                    assert moved.status_code == 200, moved.text
                    async with runtime.db.write() as session:
                        await session.execute(
                            update(WebhookNotification)
                            .where(WebhookNotification.status == "pending")
                            .values(status="failed", finished_at=runtime.clock.now(), next_attempt_at=None)
                        )

        out = await cli.ok("webhooks", "recover", endpoint_id, "--since", "2000-01-01T00:00:00")
        bad = await cli.run("webhooks", "recover", endpoint_id, "--since", "soon")
        unknown = await cli.run("webhooks", "recover", "ep_nope", "--since", "2000-01-01")

        assert out.strip() == f"queued 2 orders again for {endpoint_id}"
        assert bad.returncode == 1
        assert "since:" in bad.stderr
        assert unknown.returncode == 1
        async with api(cli) as (_, runtime), runtime.db.read() as session:
            query = select(WebhookNotification.kind).where(WebhookNotification.status == "pending")
            assert sorted((await session.execute(query)).scalars()) == ["resend", "resend"]
