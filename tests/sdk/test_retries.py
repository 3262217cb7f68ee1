"""The SDK's retries: through a loopback TCP proxy in front of ``printapi serve`` that drops a
connection for real (it reads the request, then closes the socket without a word), loses the
server's answer (it forwards the request, reads the answer and closes the socket without passing
it on) or answers 503 itself; and the policy's rules one by one.
"""

from __future__ import annotations

import json
import random
import select
import socket
import socketserver
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from urllib.parse import urlsplit

import httpx
import pytest

from printapi_client import ApiError, AsyncPrintApi, PrintApi, Retries, ok
from printapi_client._retries import SAFE_TO_REPEAT, give_key, retry_after
from printapi_client._uploads import FileBody
from printapi_client.generated.api.orders import get_order, place_order
from printapi_client.generated.api.products import get_product
from printapi_client.generated.models import OrderIn
from tests.sdk.conftest import Server, order_body, order_id, serving

FAST = Retries(attempts=3, backoff=0.05)
# Every request on a connection of its own, so that the proxy sees each request's head first.
ONE_REQUEST_PER_CONNECTION = httpx.Limits(max_keepalive_connections=0)
UNAVAILABLE = (
    b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
)


@dataclass
class Proxy:
    """Forwards each connection to the server, unless a rule for its first request says otherwise:
    ``drop`` closes it once the request is read; ``answer`` sends bytes of its own instead;
    ``lose_answer`` forwards the request and keeps the server's answer in ``lost`` instead of
    passing it on. ``heads`` are the first request heads of every connection, in order."""

    upstream: tuple[str, int]
    base: str = ""
    heads: list[bytes] = field(default_factory=list)
    rules: list[tuple[bytes, bytes | None, int]] = field(default_factory=list)
    losing: list[bytes] = field(default_factory=list)
    lost: list[bytes] = field(default_factory=list)

    def lose_answer(self, request_line: bytes) -> None:
        self.losing.append(request_line)

    def loses(self, head: bytes) -> bool:
        for index, line in enumerate(self.losing):
            if head.startswith(line):
                del self.losing[index]
                return True
        return False

    def drop(self, request_line: bytes, *, times: int = 1) -> None:
        self.rules.append((request_line, None, times))

    def answer(self, request_line: bytes, raw: bytes) -> None:
        self.rules.append((request_line, raw, 1))

    def to(self, request_line: bytes) -> list[bytes]:
        return [head for head in self.heads if head.startswith(request_line)]

    def rule_for(self, head: bytes) -> tuple[bool, bytes | None]:
        """Whether a rule takes the connection, and what it answers (None: nothing)."""
        for index, (line, raw, times) in enumerate(self.rules):
            if head.startswith(line):
                if times == 1:
                    del self.rules[index]
                else:
                    self.rules[index] = (line, raw, times - 1)
                return True, raw
        return False, None


def _read_head(client: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = client.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def _content_length(head: bytes) -> int:
    value = header(head.split(b"\r\n\r\n", 1)[0], "Content-Length")
    return int(value) if value else 0


def _pass_rest_of_body(received: bytes, client: socket.socket, upstream: socket.socket) -> None:
    """The bytes of the request's body that came after its head was read."""
    missing = _content_length(received) - len(received.split(b"\r\n\r\n", 1)[1])
    while missing > 0:
        chunk = client.recv(65536)
        if not chunk:
            return
        upstream.sendall(chunk)
        missing -= len(chunk)


def _read_message(peer: socket.socket) -> bytes:
    """A whole HTTP answer (head and Content-Length body)."""
    data = _read_head(peer)
    while len(data.split(b"\r\n\r\n", 1)[1]) < _content_length(data):
        chunk = peer.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def _pipe(client: socket.socket, upstream: socket.socket) -> None:
    """Bytes both ways until one side closes."""
    peers = {client: upstream, upstream: client}
    while True:
        readable, _, _ = select.select(list(peers), [], [], 30)
        if not readable:
            return
        for source in readable:
            chunk = source.recv(65536)
            if not chunk:
                return
            peers[source].sendall(chunk)


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True  # a connection left open by the client does not hold up the shutdown


@pytest.fixture
def proxy(server: Server) -> Iterator[Proxy]:
    address = urlsplit(server.base)
    assert address.hostname is not None
    assert address.port is not None
    proxy = Proxy((address.hostname, address.port))

    class Handler(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            client: socket.socket = self.request
            received = _read_head(client)
            proxy.heads.append(received)
            if proxy.loses(received):
                with socket.create_connection(proxy.upstream, timeout=30) as upstream:
                    upstream.sendall(received)
                    _pass_rest_of_body(received, client, upstream)
                    proxy.lost.append(_read_message(upstream))
                return  # the connection closes: the server answered, the client never hears it
            taken, raw = proxy.rule_for(received)
            if taken:
                if raw is not None:
                    client.sendall(raw)
                return  # the connection closes: dropped without an answer, or after ours
            with socket.create_connection(proxy.upstream, timeout=30) as upstream:
                upstream.sendall(received)
                _pipe(client, upstream)

    with serving(_Server(("127.0.0.1", 0), Handler)) as base:
        proxy.base = base
        yield proxy


def through(proxy: Proxy, server: Server, retries: Retries = FAST) -> PrintApi:
    transport = httpx.HTTPTransport(limits=ONE_REQUEST_PER_CONNECTION)
    return PrintApi(server.client_id, server.client_secret, proxy.base, retries=retries, transport=transport)


def header(head: bytes, name: str) -> str | None:
    for line in head.split(b"\r\n")[1:]:
        key, _, value = line.decode().partition(":")
        if key.strip().lower() == name.lower():
            return value.strip()
    return None


class TestADroppedConnection:
    def test_under_a_post_sends_it_again_with_the_same_idempotency_key_and_the_order_is_placed(
        self, proxy: Proxy, server: Server
    ) -> None:
        number = order_id("dropped")
        proxy.drop(b"POST /v2/orders ")
        with through(proxy, server) as api:
            placed = ok(
                place_order.sync_detailed(client=api.client, body=OrderIn.from_dict(order_body(number)))
            )
            read = ok(get_order.sync_detailed(number, client=api.client))

        attempts = proxy.to(b"POST /v2/orders ")
        keys = {header(head, "Idempotency-Key") for head in attempts}
        assert len(attempts) == 2
        assert len(keys) == 1
        assert None not in keys
        assert placed.id == read.id == number

    async def test_under_an_async_get_is_tried_again(self, proxy: Proxy, server: Server) -> None:
        proxy.drop(b"GET /v2/products/")
        transport = httpx.AsyncHTTPTransport(limits=ONE_REQUEST_PER_CONNECTION)
        async with AsyncPrintApi(
            server.client_id, server.client_secret, proxy.base, retries=FAST, transport=transport
        ) as api:
            product = ok(await get_product.asyncio_detailed("boek_hc_a5_sta", client=api.client))

        assert product.id == "boek_hc_a5_sta"
        assert len(proxy.to(b"GET /v2/products/")) == 2

    def test_every_time_fails_with_the_transport_error_after_the_attempts_allowed(
        self, proxy: Proxy, server: Server
    ) -> None:
        proxy.drop(b"GET /v2/products/", times=10)
        with through(proxy, server) as api, pytest.raises(httpx.RemoteProtocolError):
            get_product.sync_detailed("boek_hc_a5_sta", client=api.client)

        assert len(proxy.to(b"GET /v2/products/")) == FAST.attempts


class TestALostAnswer:
    def test_to_a_post_is_asked_again_with_its_key_and_the_server_answers_it_without_a_second_order(
        self, proxy: Proxy, server: Server
    ) -> None:
        body = {name: value for name, value in order_body("unused").items() if name != "id"}
        proxy.lose_answer(b"POST /v2/orders ")
        with through(proxy, server) as api:
            placed = ok(place_order.sync_detailed(client=api.client, body=OrderIn.from_dict(body)))

        (lost,) = proxy.lost
        assert lost.startswith(b"HTTP/1.1 201 ")
        assert json.loads(lost.split(b"\r\n\r\n", 1)[1])["id"] == placed.id  # the retry got the first order
        attempts = proxy.to(b"POST /v2/orders ")
        assert len(attempts) == 2
        assert len({header(head, "Idempotency-Key") for head in attempts} - {None}) == 1


class TestAnAnswer:
    def test_503_with_retry_after_is_waited_for_and_tried_again(self, proxy: Proxy, server: Server) -> None:
        with through(proxy, server) as api:
            ok(get_product.sync_detailed("boek_hc_a5_sta", client=api.client))  # the token first
            proxy.answer(b"GET /v2/products/", UNAVAILABLE)
            started = time.monotonic()
            ok(get_product.sync_detailed("boek_hc_a5_sta", client=api.client))
            waited = time.monotonic() - started

        assert len(proxy.to(b"GET /v2/products/")) == 3
        assert waited >= 1.0

    def test_that_is_an_error_of_the_request_is_not_tried_again(self, proxy: Proxy, server: Server) -> None:
        with through(proxy, server) as api, pytest.raises(ApiError) as refused:
            ok(get_order.sync_detailed("no-such-order", client=api.client))

        assert refused.value.status == 404
        assert len(proxy.to(b"GET /v2/orders/no-such-order ")) == 1


def request(method: str, *, key: bool = False, body: bytes = b"{}") -> httpx.Request:
    headers = {"Idempotency-Key": "k"} if key else {}
    return httpx.Request(method, "http://printapi.test/v2/orders", headers=headers, content=body)


def answer(status: int, **headers: str) -> httpx.Response:
    return httpx.Response(status, headers=headers)


class TestThePolicy:
    def test_waits_grow_exponentially_under_a_ceiling_with_full_jitter(self) -> None:
        retries = Retries(backoff=0.5, max_backoff=4.0, rng=random.Random(7))
        waits = [retries.wait(n) for n in range(6) for _ in range(200)]
        by_retry = [waits[n * 200 : (n + 1) * 200] for n in range(6)]

        assert [max(w) <= c for w, c in zip(by_retry, [0.5, 1, 2, 4, 4, 4], strict=True)] == [True] * 6
        assert min(waits) >= 0
        assert max(by_retry[3]) > 2  # the ceiling doubled up to 4 s: the jitter spreads over all of it

    def test_idempotent_methods_and_keyed_posts_are_tried_again_after_a_5xx_and_a_bare_post_is_not(
        self,
    ) -> None:
        retries = Retries()

        assert retries.after_answer(request("GET"), answer(502), 1) is not None
        assert retries.after_answer(request("POST", key=True), answer(500), 1) is not None
        assert retries.after_answer(request("POST"), answer(500), 1) is None
        assert retries.after_answer(request("POST"), answer(429), 1) is not None  # nothing was done
        assert retries.after_answer(request("GET"), answer(501), 1) is None
        assert retries.after_answer(request("GET"), answer(502), retries.attempts) is None

    def test_a_post_that_never_left_is_tried_again_and_one_that_may_have_arrived_only_with_a_key(
        self,
    ) -> None:
        retries = Retries()
        refused = httpx.ConnectError("refused")
        dropped = httpx.RemoteProtocolError("Server disconnected without sending a response.")

        assert retries.after_error(request("POST"), refused, 1) is not None
        assert retries.after_error(request("POST"), dropped, 1) is None
        assert retries.after_error(request("POST", key=True), dropped, 1) is not None
        assert retries.after_error(request("GET"), httpx.UnsupportedProtocol("ftp"), 1) is None

    def test_retry_after_is_honoured_in_seconds_or_as_a_date_up_to_its_limit(self) -> None:
        now = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
        later = format_datetime(datetime(2026, 12, 4, 12, 0, 30, tzinfo=UTC), usegmt=True)
        retries = Retries(max_retry_after=60)

        assert retry_after(answer(503, **{"Retry-After": "7"})) == 7
        assert retry_after(answer(503, **{"Retry-After": later}), now=now) == 30
        assert retry_after(answer(503, **{"Retry-After": "soon"})) is None
        assert retries.after_answer(request("GET"), answer(429, **{"Retry-After": "12"}), 1) == 12
        assert retries.after_answer(request("GET"), answer(429, **{"Retry-After": "600"}), 1) is None

    def test_a_post_gets_one_idempotency_key_for_all_its_attempts_and_the_token_request_none(self) -> None:
        post, token = request("POST"), request("POST")
        token.extensions[SAFE_TO_REPEAT] = True

        give_key(post)
        first = post.headers["Idempotency-Key"]
        give_key(post)
        give_key(token)

        assert post.headers["Idempotency-Key"] == first
        assert "Idempotency-Key" not in token.headers
        assert "Idempotency-Key" not in request("GET").headers

    def test_a_body_that_cannot_be_sent_twice_is_sent_once(self) -> None:
        class OnePass:
            def read(self, size: int = -1) -> bytes:
                return b""

            def seekable(self) -> bool:
                return False

        body = FileBody(OnePass())  # type: ignore[arg-type]  # a pipe-like stream, all that is read of it
        sent = httpx.Request("PUT", "http://printapi.test/x", stream=body)
        list(body)

        assert Retries().after_answer(sent, answer(503), 1) is None
