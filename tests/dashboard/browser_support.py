"""Real parts for the dashboard's browser tests: the app served by uvicorn on a free loopback port
(with the embedded worker), a loopback webhook receiver, and Debian's Chromium driven by Playwright.

Kept here (not in a conftest) so that ``tests/browser/test_dashboard*.py`` can import them.
"""

from __future__ import annotations

import asyncio
import os
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import uvicorn
from aiohttp import web

from printapi.app import create_app
from printapi.kit.clock import SystemClock
from printapi.runtime import Runtime
from tests.conftest import TEST_PASSWORDS, Backend, _empty, _settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def chromium_missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is not installed (CI installs Debian's chromium)"
    try:
        import playwright.async_api  # noqa: F401, PLC0415 - only to tell whether it is there
    except ImportError:
        return "playwright is not installed"
    return None


@dataclass
class Call:
    path: str
    body: str
    headers: dict[str, str]


@dataclass
class Receiver:
    """A loopback HTTP server that records webhook calls and answers 200; it also serves ``pages``."""

    base: str = ""
    calls: list[Call] = field(default_factory=list)
    pages: dict[str, str] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    async def wait_for(self, path: str, body: str, *, seconds: float = 15.0) -> Call:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for call in self.calls:
                if call.path == path and call.body == body:
                    return call
            await asyncio.sleep(0.05)
        raise AssertionError(f"no call {body!r} to {path}; got {[(c.path, c.body) for c in self.calls]}")


@asynccontextmanager
async def receiver() -> AsyncIterator[Receiver]:
    found = Receiver()

    async def record(request: web.Request) -> web.Response:
        body = (await request.read()).decode()
        found.calls.append(Call(request.path, body, {k.lower(): v for k, v in request.headers.items()}))
        return web.Response(text="thanks")

    async def page(request: web.Request) -> web.Response:
        return web.Response(text=found.pages.get(request.path, ""), content_type="text/html")

    app = web.Application()
    app.router.add_post("/{tail:.*}", record)
    app.router.add_get("/{tail:.*}", page)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    server = site._server
    assert server is not None
    found.base = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"  # type: ignore[union-attr]
    try:
        yield found
    finally:
        await runner.cleanup()


@dataclass
class LiveServer:
    base: str
    runtime: Runtime


@asynccontextmanager
async def live_server(backend: Backend, storage: Path) -> AsyncIterator[LiveServer]:
    """The whole application (API, dashboard, embedded worker) on a free port of 127.0.0.1."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    settings = _settings(
        backend.url,
        public_url=base,
        embedded_worker=True,
        outbound_allow_networks="127.0.0.0/8",
        webhook_timeout_seconds=2.0,
        webhook_lease_seconds=5.0,
        worker_poll_seconds=0.2,
        storage_dir=str(storage),
    )
    runtime = Runtime.create(settings, clock=SystemClock(), passwords=TEST_PASSWORDS)
    config = uvicorn.Config(create_app(runtime=runtime), log_level="warning", lifespan="on", ws="none")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]), name="uvicorn")
    try:
        while not server.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.02)
        yield LiveServer(base, runtime)
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, timeout=15)
        sock.close()
        await _empty(runtime)
        await runtime.close()


async def eventually(
    check: Callable[[], Awaitable[bool]], *, seconds: float = 15.0, what: str = "it"
) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if await check():
            return
        await asyncio.sleep(0.25)
    raise AssertionError(f"{what} did not happen within {seconds} s")


def screenshots_wanted(backend: Backend) -> bool:
    """Screenshots for docs/ are taken once per run (on SQLite), unless PRINTAPI_SCREENSHOTS=off."""
    return backend.name == "sqlite" and os.environ.get("PRINTAPI_SCREENSHOTS", "on") != "off"
