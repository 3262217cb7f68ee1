"""Real parts for the webhook tests: a loopback HTTP receiver, an SMTP server (aiosmtpd), a worker.

Most tests drive the worker's loops a turn at a time on the ``runtime`` of tests/conftest.py and
its ``FixedClock`` (``dispatcher`` and ``turn``, ``outbox``): retries fall due when the test moves
the clock, and "nothing more was sent" is a turn that found nothing due. The receiver and the
SMTP server are real, and so are the timeouts (``TURNS``: half a second).

A few tests run the worker as it runs in production, on the system clock (``live_runtime`` and
``worker``): a compressed schedule, short timeouts and leases (``FAST``). Both allow loopback, so
that the receiver on 127.0.0.1 may be called.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field, replace
from email import message_from_bytes
from email.message import Message
from typing import Any

import aiohttp
import httpx
import pytest
from aiohttp import web
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope, Session

from printapi.kit.clock import SystemClock
from printapi.kit.outbound import create_session
from printapi.mail.sender import SmtpSender
from printapi.mail.tasks import Outbox
from printapi.runtime import Runtime
from printapi.webhooks.delivery import DeliveryConfig, Dispatcher
from printapi.webhooks.sending import USER_AGENT
from printapi.worker import Worker, mail_alerts
from tests.conftest import (
    TEST_PASSWORDS,
    Backend,
    Credentials,
    _empty,
    _settings,
    app_for,
    bearer,
    make_credentials,
    order_body,
)

# The settings of the turn-driven tests: the production schedule, a real timeout short enough
# for the receiver's /sleep path, and tokens that outlive the days these tests move the clock by.
TURNS = {
    "outbound_allow_networks": "127.0.0.0/8",
    "webhook_timeout_seconds": 0.5,
    "token_ttl_seconds": 30 * 24 * 3600,
}
# The settings of the tests of a running worker (``live_runtime``).
FAST = {
    "outbound_allow_networks": "127.0.0.0/8",
    "webhook_schedule": ",".join(["100ms"] * 9),
    "webhook_timeout_seconds": 0.5,
    "webhook_lease_seconds": 2.0,
    "worker_poll_seconds": 0.2,
    "alert_group_seconds": 3600,
}


@dataclass
class Call:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float


@dataclass
class Receiver:
    """A loopback HTTP server: ``/status/<code>`` answers that code, ``/sleep/<seconds>`` stalls,
    ``/hold`` answers once ``released`` is set (at the latest as the receiver closes)."""

    base: str
    calls: list[Call] = field(default_factory=list)
    released: asyncio.Event = field(default_factory=asyncio.Event)
    # Set as the receiver closes: a stalled answer (``/sleep``) ends then, not after its seconds.
    closing: asyncio.Event = field(default_factory=asyncio.Event)

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    def to(self, path: str) -> list[Call]:
        return [call for call in self.calls if call.path == path]

    async def wait_for(self, count: int, *, path: str | None = None, seconds: float = 10.0) -> list[Call]:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            calls = self.to(path) if path else self.calls
            if len(calls) >= count:
                return calls
            await asyncio.sleep(0.02)
        calls = self.to(path) if path else self.calls
        raise AssertionError(f"expected {count} calls to {path or 'the receiver'}, got {len(calls)}")


def _make_app(receiver: Receiver) -> web.Application:
    async def record(request: web.Request) -> web.Response:
        receiver.calls.append(
            Call(
                request.path,
                {k.lower(): v for k, v in request.headers.items()},
                await request.read(),
                time.monotonic(),
            )
        )
        return web.Response(text="thanks")

    async def status(request: web.Request) -> web.Response:
        await record(request)
        code = int(request.match_info["code"])
        headers = {"Location": receiver.url("/status/200")} if 300 <= code < 400 else None
        return web.Response(status=code, text=f"answer {code}", headers=headers)

    async def sleep(request: web.Request) -> web.Response:
        await record(request)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(receiver.closing.wait(), timeout=float(request.match_info["seconds"]))
        return web.Response(text="late")

    async def hold(request: web.Request) -> web.Response:
        await record(request)
        await receiver.released.wait()
        return web.Response(text="released")

    app = web.Application()
    app.router.add_post("/status/{code}", status)
    app.router.add_post("/sleep/{seconds}", sleep)
    app.router.add_post("/hold", hold)
    app.router.add_post("/{tail:.*}", record)
    return app


@asynccontextmanager
async def loopback_site(app: web.Application) -> AsyncIterator[str]:
    """Serve ``app`` on a free port of 127.0.0.1 until the block ends; yields its base URL."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    server = site._server
    assert server is not None
    try:
        yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    finally:
        await runner.cleanup()


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    receiver = Receiver("")
    async with loopback_site(_make_app(receiver)) as base:
        receiver.base = base
        yield receiver
        receiver.closing.set()
        receiver.released.set()


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, _server: object, _session: Session, envelope: Envelope) -> str:  # noqa: N802 - aiosmtpd API
        assert isinstance(envelope.content, bytes)
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


@dataclass
class Smtp:
    port: int
    inbox: _Inbox

    @property
    def messages(self) -> list[Message]:
        return self.inbox.messages

    async def wait_for(self, count: int, *, seconds: float = 10.0) -> list[Message]:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if len(self.messages) >= count:
                return self.messages
            await asyncio.sleep(0.02)
        raise AssertionError(f"expected {count} mails, got {len(self.messages)}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def smtp_server() -> Iterator[Smtp]:
    """An aiosmtpd server on a free loopback port (in a thread of its own) until the block ends."""
    inbox = _Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield Smtp(port, inbox)
    finally:
        controller.stop()


@pytest.fixture(scope="session")
def session_smtp() -> Iterator[Smtp]:
    """One SMTP server for the session: its port is part of ``live_runtime``'s settings, which
    then stay the same from test to test, and so does the app tests/conftest.py's ``app_for``
    builds for them (0.15-0.6 s each)."""
    with smtp_server() as server:
        yield server


@pytest.fixture
def smtp(session_smtp: Smtp) -> Smtp:
    """The session's SMTP server, its inbox emptied for the test (the worker and the outbox of
    the test before, which sent to it, have stopped)."""
    session_smtp.messages.clear()
    return session_smtp


@pytest.fixture
def webhook_settings(smtp: Smtp) -> dict[str, Any]:
    """Override per module or test to change the settings of ``live_runtime``."""
    return {**FAST, "smtp_host": "127.0.0.1", "smtp_port": smtp.port, "smtp_starttls": False}


@pytest.fixture
async def live_runtime(backend: Backend, webhook_settings: dict[str, Any]) -> AsyncIterator[Runtime]:
    runtime = Runtime.create(
        _settings(backend.url, **webhook_settings), clock=SystemClock(), passwords=TEST_PASSWORDS
    )
    try:
        yield runtime
    finally:
        await _empty(runtime)
        await runtime.close()


@pytest.fixture
async def api(live_runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app_for(live_runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@dataclass
class Shop:
    credentials: Credentials
    headers: dict[str, str]


@pytest.fixture
async def shop_api(live_runtime: Runtime, api: httpx.AsyncClient) -> Shop:
    credentials = await make_credentials(live_runtime)
    return Shop(credentials, await bearer(api, credentials))


@pytest.fixture
async def worker(live_runtime: Runtime) -> AsyncIterator[Worker]:
    """The worker loops of one process, running in the background for the test."""
    loops = Worker(live_runtime)
    task = asyncio.create_task(loops.run())
    yield loops
    loops.stop()
    await asyncio.wait_for(task, timeout=10)


async def add_endpoint(api: httpx.AsyncClient, shop: Shop, url: str) -> dict[str, Any]:
    response = await api.post("/v2/webhooks", json={"url": url}, headers=shop.headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def place(api: httpx.AsyncClient, shop: Shop, order_id: str) -> None:
    response = await api.post("/v2/orders", json=order_body(id=order_id), headers=shop.headers)
    assert response.status_code == 201, response.text


async def move(api: httpx.AsyncClient, shop: Shop, order_id: str, status: str) -> None:
    response = await api.post(f"/v2/orders/{order_id}/status", json={"status": status}, headers=shop.headers)
    assert response.status_code == 200, response.text


async def eventually(check: Callable[[], Awaitable[bool]], *, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met in time")


# -- turn by turn, on the FixedClock of ``runtime`` ----------------------------------------------

WORKER = "worker-a"


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    """The settings of ``runtime`` (tests/conftest.py) here; override per module or test."""
    return TURNS


@pytest.fixture
async def merchant(shop: Credentials, auth_headers: dict[str, str]) -> Shop:
    """A shop with its API token, on ``runtime`` (``client`` is its API)."""
    return Shop(shop, auth_headers)


def dispatcher_for(
    runtime: Runtime, http: aiohttp.ClientSession, *, jitter: random.Random | None = None, **config: Any
) -> Dispatcher:
    """A dispatcher on the runtime's parts, its settings changed by ``config``, its jitter seeded."""
    return Dispatcher(
        db=runtime.db,
        clock=runtime.clock,
        wakeup=runtime.wakeup,
        http=http,
        guard=runtime.guard,
        config=replace(DeliveryConfig.of(runtime.settings), **config),
        worker=WORKER,
        jitter=jitter or random.Random(14),
    )


@pytest.fixture
async def webhook_http(runtime: Runtime) -> AsyncIterator[aiohttp.ClientSession]:
    """The worker's HTTP session for webhook calls (the outbound guard at connect time included)."""
    http = create_session(
        runtime.guard, timeout_seconds=runtime.settings.webhook_timeout_seconds, user_agent=USER_AGENT
    )
    yield http
    await http.close()


@pytest.fixture
def dispatcher(runtime: Runtime, webhook_http: aiohttp.ClientSession) -> Dispatcher:
    return dispatcher_for(runtime, webhook_http)


async def turn(dispatcher: Dispatcher) -> None:
    """One turn of the webhook loop: claim what is due now, send it, record the outcomes."""
    await dispatcher.run_once()
    await dispatcher.settle()


@pytest.fixture
def outbox(runtime: Runtime, smtp: Smtp) -> Outbox:
    """The mail loop, sending to ``smtp``."""
    sender = SmtpSender(
        _settings("sqlite://", smtp_host="127.0.0.1", smtp_port=smtp.port, smtp_starttls=False)
    )
    return Outbox(
        db=runtime.db,
        clock=runtime.clock,
        wakeup=runtime.wakeup,
        sender=sender,
        worker=WORKER,
        poll_seconds=1,
    )


async def mail_turn(runtime: Runtime, outbox: Outbox) -> None:
    """A turn of the owner-alert job, then of the mail outbox."""
    await mail_alerts(runtime)
    while await outbox.run_once():
        pass
