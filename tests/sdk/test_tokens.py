"""The SDK's token: fetched once, renewed before it expires by the SDK's clock, and renewed once
when the server refuses it (401) — against ``printapi serve``, without waiting for a real expiry.

The SDK takes its clock as an argument, so moving it is how a token comes due. For the server's
side, a token the server has expired while the SDK still trusts it, the test moves that token's
expiry in the server's database to its creation time: the server then refuses it by its own
clock and its own check, as it does when a token's four hours are over (the server checks every
token in the database: its token cache is off here).
"""

from __future__ import annotations

import asyncio
import sqlite3
from dataclasses import dataclass, field

import httpx
import pytest

from printapi.auth.hashing import keyed_hash
from printapi.config import DEV_SECRET_KEY
from printapi_client import ApiError, AsyncPrintApi, AuthenticationError, PrintApi, ok
from printapi_client.generated.api.orders import get_order, list_orders, place_order
from printapi_client.generated.api.products import get_product
from printapi_client.generated.models import OrderIn
from tests.sdk.conftest import Server, order_body, order_id

LIFETIME = 14_399  # seconds: what the server gives a token (docs/api.md)
PRODUCT = "boek_hc_a5_sta"


@dataclass
class Clock:
    """The SDK's clock, moved by hand."""

    now: float = 1_000.0

    def __call__(self) -> float:
        return self.now


@dataclass(frozen=True)
class Sent:
    method: str
    path: str
    token: str | None
    status: int
    idempotency_key: str | None


@dataclass
class Recording(httpx.HTTPTransport):
    """httpx's transport, noting every request that goes out and the status of its answer."""

    sent: list[Sent] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        bearer = request.headers.get("Authorization", "").removeprefix("Bearer ") or None
        key = request.headers.get("Idempotency-Key")
        self.sent.append(Sent(request.method, request.url.path, bearer, response.status_code, key))
        return response

    def paths(self) -> list[tuple[str, str, int]]:
        return [(sent.method, sent.path, sent.status) for sent in self.sent]


@dataclass
class AsyncRecording(httpx.AsyncHTTPTransport):
    """``Recording`` for the async client."""

    sent: list[Sent] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await super().handle_async_request(request)
        bearer = request.headers.get("Authorization", "").removeprefix("Bearer ") or None
        self.sent.append(Sent(request.method, request.url.path, bearer, response.status_code, None))
        return response


def expire_on_the_server(server: Server, token: str) -> None:
    """The server's copy of ``token`` expires now (see the module's docstring)."""
    with sqlite3.connect(server.database, timeout=10) as database:
        changed = database.execute(
            "UPDATE access_tokens SET expires_at = created_at WHERE token_hash = ?",
            (keyed_hash(DEV_SECRET_KEY, token),),
        ).rowcount
    assert changed == 1


class TestTheToken:
    def test_is_fetched_once_and_used_for_every_call_while_it_is_fresh(self, server: Server) -> None:
        wire = Recording()
        with PrintApi(server.client_id, server.client_secret, server.base, transport=wire) as api:
            for _ in range(3):
                ok(get_product.sync_detailed(PRODUCT, client=api.client))

        assert [path for _, path, _ in wire.paths()] == ["/v2/oauth"] + [f"/v2/products/{PRODUCT}"] * 3
        assert len({sent.token for sent in wire.sent[1:]}) == 1

    def test_is_renewed_before_it_expires_by_the_sdks_clock(self, server: Server) -> None:
        clock, wire = Clock(), Recording()
        with PrintApi(
            server.client_id, server.client_secret, server.base, clock=clock, transport=wire
        ) as api:
            ok(get_product.sync_detailed(PRODUCT, client=api.client))
            clock.now += LIFETIME - 61  # a minute and a second before it expires: still used
            ok(get_product.sync_detailed(PRODUCT, client=api.client))
            clock.now += 1  # a minute before: renewed before the call
            ok(get_product.sync_detailed(PRODUCT, client=api.client))

        product = ("GET", f"/v2/products/{PRODUCT}", 200)
        assert wire.paths() == [
            ("POST", "/v2/oauth", 200),
            product,
            product,
            ("POST", "/v2/oauth", 200),
            product,
        ]
        first, second = wire.sent[1].token, wire.sent[4].token
        assert first == wire.sent[2].token
        assert first != second

    def test_the_server_refused_is_renewed_once_and_the_call_sent_again_with_its_idempotency_key(
        self, server: Server
    ) -> None:
        wire = Recording()
        number = order_id("renewed")
        with PrintApi(server.client_id, server.client_secret, server.base, transport=wire) as api:
            ok(get_product.sync_detailed(PRODUCT, client=api.client))
            expired = wire.sent[-1].token
            assert expired is not None
            expire_on_the_server(server, expired)
            placed = ok(
                place_order.sync_detailed(client=api.client, body=OrderIn.from_dict(order_body(number)))
            )
            read = ok(get_order.sync_detailed(number, client=api.client))

        refused, token, again, reread = wire.sent[2:]
        assert (refused.path, refused.token, refused.status) == ("/v2/orders", expired, 401)
        assert (token.path, token.status) == ("/v2/oauth", 200)
        assert (again.path, again.status) == ("/v2/orders", 201)
        assert again.token not in (None, expired)
        assert again.idempotency_key == refused.idempotency_key is not None
        assert reread.token == again.token
        assert placed.id == read.id == number

    def test_of_wrong_credentials_is_refused_with_an_authentication_error(self, server: Server) -> None:
        with (
            PrintApi(server.client_id, "not-the-secret", server.base) as api,
            pytest.raises(AuthenticationError) as refused,
        ):
            get_product.sync_detailed(PRODUCT, client=api.client)

        assert (refused.value.status, refused.value.error) == (401, "invalid_client")

    async def test_is_fetched_once_for_many_concurrent_calls(self, server: Server) -> None:
        wire = AsyncRecording()
        async with AsyncPrintApi(server.client_id, server.client_secret, server.base, transport=wire) as api:
            pages = await asyncio.gather(*(list_orders.asyncio_detailed(client=api.client) for _ in range(8)))

        assert {page.status_code for page in pages} == {200}
        assert [sent.path for sent in wire.sent].count("/v2/oauth") == 1
        assert wire.sent[0].path == "/v2/oauth"


class TestATokenRefusedAgain:
    def test_after_its_renewal_is_an_api_error_and_is_not_sent_a_third_time(self) -> None:
        answers: list[tuple[str, int]] = []

        def server(request: httpx.Request) -> httpx.Response:
            status = 200 if request.url.path == "/v2/oauth" else 401
            answers.append((request.url.path, status))
            if status == 200:
                return httpx.Response(200, json={"access_token": f"t{len(answers)}", "expires_in": LIFETIME})
            return httpx.Response(401, json={"message": "The token is unknown.", "hints": [], "errors": []})

        transport = httpx.MockTransport(server)
        with (
            PrintApi("id", "secret", "http://printapi.test", transport=transport) as api,
            pytest.raises(ApiError) as refused,
        ):
            ok(get_product.sync_detailed(PRODUCT, client=api.client))

        assert refused.value.status == 401
        assert answers == [("/v2/oauth", 200), (f"/v2/products/{PRODUCT}", 401)] * 2
