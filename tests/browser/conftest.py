"""Real parts for the browser tests: the app over HTTP (uvicorn), a loopback shop, headless Chromium.

Playwright drives Debian's Chromium (``/usr/bin/chromium``): it cannot download a browser of its
own here. The app runs in-process on a free port with a runtime on the test database, and
``PRINTAPI_PUBLIC_URL`` points at that port, so ``paymentUrl`` and the page's form lead there.
The tests are skipped, with the reason, where Chromium is not installed; CI installs it.

Chromium is launched once per pytest process, behind Playwright's browser server (``playwright
launch-server``, the launch options of ``Browser.launch``); each test connects to it and works in
browser contexts of its own, which share no cookies, storage or cache. Launching and closing a
Chromium costs about a second a test.
"""

from __future__ import annotations

import asyncio
import json
import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from aiohttp import web
from playwright.async_api import Browser, Page, async_playwright

from printapi.app import create_app
from printapi.runtime import Runtime
from tests.dashboard.browser_support import CHROMIUM, CHROMIUM_ARGS

# The webhook tests' receiver, runtime (system clock, fast schedule), API client and worker.
from tests.webhooks.conftest import FAST, api, free_port, live_runtime, receiver, shop_api, worker  # noqa: F401

# How long Chromium may take to start behind the browser server.
LAUNCH_SECONDS = 60

# Every browser test carries this mark: skipped with its reason where Chromium is not installed.
needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing: install Debian's chromium (CI does, in .ci/run)"
)


@pytest.fixture
def app_port() -> int:
    return free_port()


@pytest.fixture
def webhook_settings(tmp_path: Path, app_port: int) -> dict[str, Any]:
    """``live_runtime``'s settings: fast webhooks, and URLs that point at the served app."""
    return {**FAST, "storage_dir": str(tmp_path / "files"), "public_url": f"http://127.0.0.1:{app_port}"}


@pytest.fixture
async def served(
    live_runtime: Runtime,  # noqa: F811 - the imported fixture, requested by its name
    app_port: int,
) -> AsyncIterator[str]:
    """The app over real HTTP on 127.0.0.1; yields its base URL."""
    config = uvicorn.Config(
        create_app(runtime=live_runtime),
        host="127.0.0.1",
        port=app_port,
        log_level="warning",
        ws="none",
        access_log=False,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    deadline = time.monotonic() + 10
    while not server.started:
        if task.done() or time.monotonic() > deadline:
            server.should_exit = True
            await task
            raise AssertionError("uvicorn did not start")
        await asyncio.sleep(0.01)
    yield live_runtime.settings.public_url
    server.should_exit = True
    await asyncio.wait_for(task, timeout=10)


@dataclass
class ShopSite:
    """The shop's site that returnUrl points to: it records every visit."""

    base: str = ""
    visits: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    async def wait_for_visit(self, path_qs: str, *, seconds: float = 5.0) -> None:
        deadline = time.monotonic() + seconds
        while path_qs not in self.visits:
            if time.monotonic() > deadline:
                raise AssertionError(f"the customer never came back to {path_qs}; visits: {self.visits}")
            await asyncio.sleep(0.02)


@pytest.fixture
async def shop_site() -> AsyncIterator[ShopSite]:
    site = ShopSite()

    async def visit(request: web.Request) -> web.Response:
        site.visits.append(request.path_qs)
        return web.Response(text="<h1>Back at the shop</h1>", content_type="text/html")

    app = web.Application()
    app.router.add_get("/{tail:.*}", visit)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    tcp = web.TCPSite(runner, "127.0.0.1", 0)
    await tcp.start()
    assert tcp._server is not None
    site.base = f"http://127.0.0.1:{tcp._server.sockets[0].getsockname()[1]}"
    yield site
    await runner.cleanup()


@pytest.fixture(scope="session")
def browser_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Chromium behind Playwright's browser server, for the tests this pytest process runs: its
    WebSocket endpoint. It runs in a process group of its own (the driver, Node.js and Chromium),
    which is stopped as a whole."""
    options = tmp_path_factory.mktemp("chromium") / "launch.json"
    options.write_text(json.dumps({"executablePath": str(CHROMIUM), "args": CHROMIUM_ARGS, "headless": True}))
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "playwright",
            "launch-server",
            "--browser",
            "chromium",
            "--config",
            str(options),
        ],
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    assert server.stdout is not None
    try:
        # The endpoint is printed once Chromium is up.
        started, _, _ = select.select([server.stdout], [], [], LAUNCH_SECONDS)
        endpoint = server.stdout.readline().strip() if started else f"nothing within {LAUNCH_SECONDS} s"
        assert endpoint.startswith("ws://"), f"playwright launch-server: {endpoint!r}, exit {server.poll()}"
        yield endpoint
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        server.stdout.close()


@pytest.fixture
async def browser(browser_server: str) -> AsyncIterator[Browser]:
    """The shared Chromium; on closing, the contexts the test made are closed with it."""
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.connect(browser_server)
        try:
            yield chromium
        finally:
            await chromium.close()


@pytest.fixture
async def page(browser: Browser) -> AsyncIterator[Page]:
    context = await browser.new_context(viewport={"width": 800, "height": 900}, locale="nl-NL")
    context.set_default_timeout(30_000)  # generous: two test processes share two cores with Chromium
    try:
        yield await context.new_page()
    finally:
        await context.close()
