"""Fixtures of the end-to-end tier: a deployment of real processes per database, and the real parts
around it (an SMTP server, a webhook receiver, a file server, a shop of its own per test).

The deployment is package-scoped (started once for the tests of this folder that a pytest process
runs, as tests/sdk does) and parametrised like ``tests/conftest.py``'s ``backend``: SQLite always,
PostgreSQL (on a database made for it and dropped after it) as ``PRINTAPI_TEST_POSTGRES`` says.
Each test opens its own shop (account and credentials), so tests share the processes and nothing
else. A failing test carries the processes' logs in its report, and every test fails when a
process logged a traceback while it ran.
"""

from __future__ import annotations

import signal
from collections.abc import AsyncIterator, Generator, Iterator
from dataclasses import dataclass, field

import httpx
import pytest
from aiohttp import web

# Chromium through Playwright, and the shop's site that a payment's returnUrl leads back to.
from tests.browser.conftest import browser, browser_server, page, shop_site  # noqa: F401 - fixtures used here
from tests.e2e.processes import Deployment, start_postgres, start_sqlite
from tests.e2e.shop import Shop, open_shop
from tests.integration.conftest import (
    drop_postgres_database,
    fresh_postgres_database,
    postgres_server_or_skip,
)
from tests.webhooks.conftest import Smtp, loopback_site, receiver, smtp_server  # noqa: F401 - a fixture

LOG_TAIL = 20_000


@pytest.fixture(scope="package")
def mail_server() -> Iterator[Smtp]:
    """The SMTP server of the deployment's mail outbox (aiosmtpd on loopback, no STARTTLS)."""
    with smtp_server() as server:
        yield server


@pytest.fixture(scope="package", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def deployment(
    request: pytest.FixtureRequest, mail_server: Smtp, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Deployment]:
    folder = tmp_path_factory.mktemp(f"e2e-{request.param}")
    smtp = {
        "PRINTAPI_SMTP_HOST": "127.0.0.1",
        "PRINTAPI_SMTP_PORT": str(mail_server.port),
        "PRINTAPI_SMTP_STARTTLS": "false",
    }
    if request.param == "sqlite":
        yield from _running(start_sqlite(folder, extra=smtp))
        return
    server = postgres_server_or_skip()
    name, url = fresh_postgres_database(server)
    try:
        yield from _running(start_postgres(folder, url, extra=smtp))
    finally:
        drop_postgres_database(server, name)


def _running(deployment: Deployment) -> Iterator[Deployment]:
    """Yield the deployment; then stop it and check that every process stopped cleanly on SIGTERM."""
    try:
        yield deployment
    finally:
        deployment.stop()
    for process in deployment.processes:
        # uvicorn shuts down gracefully on SIGTERM, then ends by the signal it got (-15).
        assert process.popen.returncode in (0, -signal.SIGTERM), (
            f"{process.name} ended {process.popen.returncode}:\n{process.log_text()}"
        )
        assert "Traceback" not in process.log_text(), f"{process.name}:\n{process.log_text()}"


@pytest.fixture(autouse=True)
def no_tracebacks(deployment: Deployment) -> Iterator[None]:
    """Every test fails when a process of the deployment logged a traceback while it ran."""
    start = {name: len(text) for name, text in deployment.logs().items()}
    yield
    during = {name: text[start.get(name, 0) :] for name, text in deployment.logs().items()}
    broken = {name: text for name, text in during.items() if "Traceback" in text}
    assert not broken, f"tracebacks in the logs of {sorted(broken)}:\n{broken}"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """A failed test's report carries the end of each process's log."""
    report: pytest.TestReport = yield
    deployment = getattr(item, "funcargs", {}).get("deployment")
    if report.failed and isinstance(deployment, Deployment):
        for name, text in deployment.logs().items():
            report.sections.append((f"printapi {name} log ({deployment.database})", text[-LOG_TAIL:]))
    return report


@pytest.fixture
async def http(deployment: Deployment) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=deployment.base, timeout=15) as client:
        yield client


@pytest.fixture
async def shop(deployment: Deployment, http: httpx.AsyncClient) -> Shop:
    """A shop of the test's own: an account and test credentials on the database, and a token."""
    return await open_shop(deployment, http)


@pytest.fixture
async def cli_shop(deployment: Deployment, http: httpx.AsyncClient) -> Shop:
    """A shop opened as the print shop opens one: with ``printapi accounts create`` and
    ``printapi clients create``, and a token."""
    return await open_shop(deployment, http, through_cli=True)


@dataclass
class FileServer:
    """A loopback web server that serves ``files`` by name under ``/files/``, as a shop's CDN would."""

    base: str = ""
    files: dict[str, bytes] = field(default_factory=dict)
    hits: list[str] = field(default_factory=list)

    def url(self, name: str) -> str:
        return f"{self.base}/files/{name}"


@pytest.fixture
async def file_server() -> AsyncIterator[FileServer]:
    server = FileServer()

    async def serve(request: web.Request) -> web.Response:
        name = request.match_info["name"]
        server.hits.append(name)
        if name not in server.files:
            raise web.HTTPNotFound
        return web.Response(body=server.files[name], content_type="application/pdf")

    app = web.Application()
    app.router.add_get("/files/{name}", serve)
    async with loopback_site(app) as base:
        server.base = base
        yield server
