"""The SDK (clients/python) against a real server: ``printapi demo`` and ``printapi serve`` as
``make run`` starts them (tests/e2e/processes.py), once for the tests of this folder that a pytest
process runs, with the demo account's test credentials.

Tests share the server and its demo account, and nothing they rely on: each uses order ids of its
own (``order_id()``) and puts back what it switches (the payment screen). The webhook receivers
and the proxy here are loopback servers in threads, so that sync and async tests alike can use
them while they call the server.
"""

from __future__ import annotations

import http.server
import secrets
import socketserver
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest

from printapi_client import PrintApi, ok
from printapi_client.generated.api.webhooks import delete_webhook, list_webhooks
from tests.conftest import order_body as shared_order_body
from tests.e2e.processes import Deployment, start_sqlite
from tests.files.make_files import make_pdf

T = TypeVar("T")
BOOK = {"productId": "boek_hc_a5_sta", "pageCount": 32, "quantity": 1}
CONTENT_MM = (154.0, 216.0)
COVER_MM = (348.56, 253.0)
# The server checks each token in the database on every request (no cache), so that a token
# expired there is refused at once.
SETTINGS = {"PRINTAPI_TOKEN_CACHE_SECONDS": "0"}


@dataclass(frozen=True)
class Server:
    """A served printapi: where it answers, the demo credentials, its processes and database."""

    deployment: Deployment
    client_id: str
    client_secret: str

    @property
    def base(self) -> str:
        return self.deployment.base

    @property
    def database(self) -> Path:
        return self.deployment.folder / "printapi.db"


@pytest.fixture(scope="package")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    deployment = start_sqlite(tmp_path_factory.mktemp("sdk"), extra=SETTINGS)
    try:
        assert deployment.demo_credentials is not None
        credentials = deployment.demo_credentials
        yield Server(deployment, credentials["client_id"], credentials["client_secret"])
    finally:
        deployment.stop()
    log = deployment.process("serve").log_text()
    assert "Traceback" not in log, log


@dataclass(frozen=True)
class PrintFiles:
    """A book's print files that pass preflight: 32 content pages and a cover with its spine."""

    content: Path
    cover: Path


@pytest.fixture(scope="package")
def print_files(tmp_path_factory: pytest.TempPathFactory) -> PrintFiles:
    folder = tmp_path_factory.mktemp("print-files")
    return PrintFiles(
        make_pdf(folder / "content.pdf", size_mm=CONTENT_MM, pages=32),
        make_pdf(folder / "cover.pdf", size_mm=COVER_MM),
    )


def order_id(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(4)}"


def order_body(order: str, **overrides: Any) -> dict[str, Any]:
    """An order of one book (tests/conftest.py's), with its own id and an e-mail address."""
    return shared_order_body(BOOK, id=order, email="klant@example.nl", **overrides)


def until(probe: Callable[[], T | None], *, seconds: float, what: str) -> T:
    """``probe()`` again and again until it returns something; fail, saying ``what``, after ``seconds``."""
    deadline = time.monotonic() + seconds
    while (found := probe()) is None:
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {seconds} s")
        time.sleep(0.02)
    return found


@dataclass(frozen=True)
class Call:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """A loopback HTTP server that records every POST and answers 204: a shop's webhook endpoint."""

    base: str = ""
    calls: list[Call] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    def call(self, path: str, body: bytes) -> Call:
        """The first call to ``path`` with ``body``, once it has come (within 10 s)."""

        def probe() -> Call | None:
            return next((c for c in list(self.calls) if c.path == path and c.body == body), None)

        return until(probe, seconds=10, what=f"a call to {path} with {body!r}")


@pytest.fixture
def webhooks_removed(server: Server) -> Iterator[None]:
    """After the test, the demo account's webhook endpoints are removed: the next test's orders
    notify only the endpoints it adds."""
    yield
    with PrintApi(server.client_id, server.client_secret, server.base) as api:
        for endpoint in ok(list_webhooks.sync_detailed(client=api.client)).results:
            ok(delete_webhook.sync_detailed(endpoint.id, client=api.client))


@pytest.fixture
def receiver(webhooks_removed: None) -> Iterator[Receiver]:
    receiver = Receiver()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            headers = {name.lower(): value for name, value in self.headers.items()}
            receiver.calls.append(Call(self.path, headers, body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    with serving(http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)) as base:
        receiver.base = base
        yield receiver


@contextmanager
def serving(server: socketserver.TCPServer) -> Iterator[str]:
    """Serve ``server`` in a thread until the block ends; yields its base URL."""
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host!s}:{port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
