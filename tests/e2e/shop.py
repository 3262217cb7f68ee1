"""What a shop does against a deployment over HTTP, and what it checks on the webhooks it receives.

A shop's account and test credentials are written on the deployment's database by the services
the CLI's commands call, or, for the test that shows the print shop's way, by the CLI itself;
from then on everything goes over HTTP to the served processes: a token, webhook endpoints,
orders, uploads, the test simulator.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import httpx
from standardwebhooks import Webhook

from printapi.auth import service as auth
from printapi.auth.principal import Environment
from printapi.config import Settings
from printapi.runtime import Runtime
from tests.conftest import TEST_PASSWORDS, order_body
from tests.e2e.processes import Deployment
from tests.webhooks.conftest import Call, Receiver

T = TypeVar("T")
PDF = {"Content-Type": "application/pdf"}
# The dashboard password of every shop opened here.
SHOP_PASSWORD = "password-123"


@dataclass
class Shop:
    email: str
    http: httpx.AsyncClient
    headers: dict[str, str]

    async def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.http.post(url, headers=self.headers, **kwargs)

    async def get_json(self, url: str) -> dict[str, Any]:
        response = await self.http.get(url, headers=self.headers)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def add_endpoint(self, url: str) -> dict[str, Any]:
        """A webhook endpoint; the answer holds its signing secret (``whsec_...``)."""
        response = await self.post("/v2/webhooks", json={"url": url})
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        assert body["secret"].startswith("whsec_")
        return body

    async def place(self, *items: dict[str, Any], order_id: str) -> dict[str, Any]:
        response = await self.post("/v2/orders", json=order_body(*items, id=order_id))
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    async def upload(self, url: str, data: bytes) -> httpx.Response:
        response = await self.http.post(url, content=data, headers={**self.headers, **PDF})
        assert response.status_code == 200, response.text
        return response

    async def order(self, order_id: str) -> dict[str, Any]:
        return await self.get_json(f"/v2/orders/{order_id}")

    async def statuses(self, order_id: str) -> dict[str, Any]:
        return await self.get_json(f"/v2/orders/{order_id}/status")

    async def notifications(self, order_id: str) -> list[dict[str, Any]]:
        log = await self.get_json(f"/v2/orders/{order_id}/notifications")
        results: list[dict[str, Any]] = log["results"]
        return results

    async def delivered(self, order_id: str) -> list[dict[str, Any]] | None:
        """The order's delivery log once it has entries and every one is delivered."""
        log = await self.notifications(order_id)
        return log if log and all(entry["status"] == "delivered" for entry in log) else None


async def open_shop(deployment: Deployment, http: httpx.AsyncClient, *, through_cli: bool = False) -> Shop:
    """A new account with test credentials, and a token for them over HTTP.

    ``through_cli``: made by ``printapi accounts create`` and ``printapi clients create``, as the
    print shop makes them; else written by the services those commands call, in this process
    (two CLI processes cost 3.5 s of CPU, a tenth of the tier's; tests/cli tests the commands)."""
    email = f"shop-{secrets.token_hex(4)}@example.nl"
    if through_cli:
        await deployment.cli("accounts", "create", "--email", email, "--password", SHOP_PASSWORD)
        created = await deployment.cli(
            "clients", "create", "--account", email, "--environment", "test", "--json"
        )
        credentials = json.loads(created.output)
    else:
        credentials = await _written(deployment, email)
    return Shop(email, http, await token_headers(http, credentials))


async def _written(deployment: Deployment, email: str) -> dict[str, str]:
    """The account and its test client, on the deployment's database with its settings (the
    secret key the client's secret is derived with included)."""
    settings = Settings(
        **{
            name.removeprefix("PRINTAPI_").lower(): value
            for name, value in deployment.env.items()
            if name.startswith("PRINTAPI_")
        }
    )
    runtime = Runtime.create(settings, passwords=TEST_PASSWORDS)
    try:
        async with runtime.db.write() as session:
            now = runtime.clock.now()
            password_hash = runtime.passwords.hash(SHOP_PASSWORD)
            await auth.create_account(
                session, email=email, password_hash=password_hash, role="owner", now=now
            )
            new = await auth.create_client(
                session,
                account_email=email,
                environment=Environment.TEST,
                secret_key=settings.secret_key,
                now=now,
            )
    finally:
        await runtime.close()
    return {"client_id": new.client.client_id, "client_secret": new.secret}


async def token_headers(http: httpx.AsyncClient, credentials: dict[str, str]) -> dict[str, str]:
    response = await http.post(
        "/v2/oauth",
        data={"grant_type": "client_credentials", **credentials},
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def signed_correctly(secret: str, call: Call, *, tolerance_seconds: float = 300) -> bool:
    """The call's Standard Webhooks signature, checked with the reference implementation, and its
    timestamp within the tolerance a receiver allows (docs/webhooks.md)."""
    timestamp = int(call.headers["webhook-timestamp"])
    moment = datetime.fromtimestamp(timestamp, tz=UTC)
    expected = Webhook(secret).sign(call.headers["webhook-id"], moment, call.body.decode())
    fresh = abs(time.time() - timestamp) <= tolerance_seconds
    return fresh and expected in call.headers["webhook-signature"].split(" ")


async def until(probe: Callable[[], Awaitable[T | None]], *, seconds: float, what: str) -> T:
    """Ask ``probe`` again and again until it returns something; fail, saying ``what``, after ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        found = await probe()
        if found is not None:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {seconds} s")
        await asyncio.sleep(0.02)


async def webhook_for(receiver: Receiver, path: str, order_id: str, *, after: int = 0) -> Call:
    """The first call to ``path`` with ``orderId=<order_id>`` beyond the first ``after`` such calls."""

    async def probe() -> Call | None:
        calls = [call for call in receiver.to(path) if call.body == f"orderId={order_id}".encode()]
        return calls[after] if len(calls) > after else None

    return await until(probe, seconds=10, what=f"webhook {after + 1} for order {order_id}")
