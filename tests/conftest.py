"""Shared fixtures: real databases (SQLite and PostgreSQL), the app, and small builders.

Every database test runs once per backend (``backend`` is parametrised). Each backend gets one
database per test session, migrated and seeded once; after every test the tables that tests
write are emptied, so each test starts from the seeded catalogue and nothing else.

PostgreSQL follows ``PRINTAPI_TEST_POSTGRES``: ``auto`` (default) uses the server on
127.0.0.1:5432 when it answers and skips those tests otherwise, ``required`` fails instead of
skipping (CI), ``off`` skips them, and any other value is taken as the server URL.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import tempfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import uvloop
from fastapi import FastAPI
from sqlalchemy import text
from xdist.scheduler import LoadFileScheduling

from printapi import migrate
from printapi.app import create_app
from printapi.auth import service as auth
from printapi.auth.hashing import Passwords
from printapi.auth.principal import Environment
from printapi.catalogue import service as catalogue
from printapi.config import Settings
from printapi.kit.clock import FixedClock
from printapi.kit.errors import NotFound
from printapi.runtime import Runtime
from tests.s3server import Bucket, S3Server, s3_server

SECRET_KEY = "test-secret-key-that-is-long-enough-0123456789"
DEFAULT_PG = "postgresql+asyncpg://postgres@127.0.0.1:5432"
# Emptied after each test, children first; the catalogue and the schema stay.
WRITTEN_TABLES = (
    "idempotency_keys",
    "feed_events",
    "coupons",
    "payments",
    "checkout_prices",
    "dashboard_sign_in_attempts",
    "dashboard_sessions",
    "mail_outbox",
    "owner_alerts",
    "webhook_attempts",
    "webhook_notifications",
    "webhook_endpoints",
    "order_status_history",
    "item_files",
    "order_items",
    "orders",
    "access_tokens",
    "api_clients",
    "accounts",
)
START = datetime(2025, 3, 29, 20, 40, 20, 4491, tzinfo=UTC)
# Passwords hashed at argon2-cffi's cheapest cost ("only for testing"), handed in through the runtime.
TEST_PASSWORDS = Passwords.cheapest()

_skipped_postgres: list[str] = []


def _postgres_server() -> str | None:
    mode = os.environ.get("PRINTAPI_TEST_POSTGRES", "auto")
    if mode == "off":
        return None
    url = DEFAULT_PG if mode in ("auto", "required") else mode.rstrip("/")

    async def ping() -> None:
        conn = await asyncpg.connect(_asyncpg_dsn(url, "postgres"), timeout=3)
        await conn.close()

    try:
        asyncio.run(ping())
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        if mode == "required":
            raise RuntimeError(
                f"PRINTAPI_TEST_POSTGRES=required but PostgreSQL is not reachable: {exc}"
            ) from exc
        _skipped_postgres.append(f"PostgreSQL not reachable at {url} ({exc.__class__.__name__})")
        return None
    return url


def _asyncpg_dsn(url: str, database: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://") + f"/{database}"


def _settings(database_url: str, **overrides: Any) -> Settings:
    """The test settings, built once per set of values and ``PRINTAPI_*`` environment: building one
    takes 2 ms (pydantic-settings looks up every field in every source) and the ``runtime`` fixture
    asks for one per test. Settings are frozen, so the tests that ask for the same share one."""
    environment = tuple(sorted((k, v) for k, v in os.environ.items() if k.upper().startswith("PRINTAPI_")))
    try:
        return _built_settings(database_url, tuple(sorted(overrides.items())), environment)
    except TypeError:  # an unhashable value (a list): built for this call alone
        return _build_settings(database_url, overrides)


@cache
def _built_settings(
    database_url: str, overrides: tuple[tuple[str, Any], ...], environment: tuple[tuple[str, str], ...]
) -> Settings:
    del environment  # a key only: Settings reads the environment itself
    return _build_settings(database_url, dict(overrides))


def _build_settings(database_url: str, overrides: dict[str, Any]) -> Settings:
    values: dict[str, Any] = {
        "mode": "development",
        "database_url": database_url,
        "secret_key": SECRET_KEY,
        "public_url": "http://testserver",
        "embedded_worker": False,
        "token_cache_seconds": 0,
        "log_format": "json",
        "log_level": "WARNING",
    }
    values.update(overrides)
    return Settings(**values)


async def _seed(url: str) -> None:
    runtime = Runtime.create(_settings(url))
    try:
        async with runtime.db.write() as session:
            await catalogue.seed(session)
    finally:
        await runtime.close()


@dataclass
class Backend:
    name: str
    url: str


@pytest.fixture(scope="session")
def sqlite_backend() -> Iterator[Backend]:
    with tempfile.TemporaryDirectory(prefix="printapi-test-") as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'test.db'}"
        migrate.upgrade(url)
        asyncio.run(_seed(url))
        yield Backend("sqlite", url)


@pytest.fixture(scope="session")
def postgres_backend() -> Iterator[Backend]:
    server = _postgres_server()
    if server is None:
        pytest.skip(_skipped_postgres[-1] if _skipped_postgres else "PostgreSQL tests are off")
    name = f"printapi_test_{os.getpid()}_{secrets.token_hex(4)}"

    async def admin(sql: str) -> None:
        conn = await asyncpg.connect(_asyncpg_dsn(server, "postgres"))
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    url = f"{server}/{name}"
    try:
        migrate.upgrade(url)
        asyncio.run(_seed(url))
        yield Backend("postgres", url)
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> Backend:
    fixture = "sqlite_backend" if request.param == "sqlite" else "postgres_backend"
    result: Backend = request.getfixturevalue(fixture)
    return result


async def _empty(runtime: Runtime) -> None:
    """DELETE, children first: a test leaves a few rows, and on PostgreSQL a TRUNCATE of the 17
    tables took 540 ms (new files for every table) where the DELETEs take under 1 ms."""
    async with runtime.db.write() as session:
        for table in WRITTEN_TABLES:
            await session.execute(text(f"DELETE FROM {table}"))


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    """Override in a test module to change settings of the runtime under test."""
    return {}


@pytest.fixture
async def runtime(
    backend: Backend, clock: FixedClock, settings_overrides: dict[str, Any]
) -> AsyncIterator[Runtime]:
    rt = Runtime.create(_settings(backend.url, **settings_overrides), clock=clock, passwords=TEST_PASSWORDS)
    try:
        yield rt
    finally:
        await _empty(rt)
        await rt.close()


_APPS: dict[Settings, FastAPI] = {}


def app_for(runtime: Runtime) -> FastAPI:
    """The app for these settings, built once per test session (building one took 0.05-0.17 s,
    the dashboard's routes most of it) and pointed at this test's runtime. Its lifespan is not run
    (the ASGI transport does not), so no worker of an earlier runtime lingers in it."""
    app = _APPS.get(runtime.settings)
    if app is None:
        app = _APPS[runtime.settings] = create_app(runtime=runtime)
    app.state.runtime = runtime
    return app


@pytest.fixture
async def client(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    app = app_for(runtime)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture(scope="session")
def s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    """A real S3-compatible server on loopback, one per test process (tests/s3server.py)."""
    with s3_server(tmp_path_factory.mktemp("s3")) as server:
        yield server


@pytest.fixture
async def bucket(s3: S3Server) -> Bucket:
    """A new, empty bucket of the test's own."""
    return await s3.new_bucket()


# -- builders ----------------------------------------------------------------------------------


@dataclass
class Credentials:
    account_id: int
    email: str
    client_id: str
    client_secret: str


async def make_credentials(
    runtime: Runtime,
    *,
    email: str | None = None,
    environment: Environment = Environment.TEST,
    role: str = "owner",
) -> Credentials:
    email = email or f"shop-{secrets.token_hex(4)}@example.nl"
    async with runtime.db.write() as session:
        try:
            account = await auth.find_account(session, email=email)
        except NotFound:
            account = await auth.create_account(
                session,
                email=email,
                password_hash=runtime.passwords.hash("password-123"),
                role=role,
                now=runtime.clock.now(),
            )
        new = await auth.create_client(
            session,
            account_email=email,
            environment=environment,
            secret_key=runtime.settings.secret_key,
            now=runtime.clock.now(),
        )
    return Credentials(account.id, account.email, new.client.client_id, new.secret)


async def bearer(http: httpx.AsyncClient, credentials: Credentials) -> dict[str, str]:
    response = await http.post(
        "/v2/oauth",
        data={
            "grant_type": "client_credentials",
            "client_id": credentials.client_id,
            "client_secret": credentials.client_secret,
        },
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.fixture
async def shop(runtime: Runtime) -> Credentials:
    return await make_credentials(runtime)


@pytest.fixture
async def auth_headers(client: httpx.AsyncClient, shop: Credentials) -> dict[str, str]:
    return await bearer(client, shop)


def address(**overrides: Any) -> dict[str, Any]:
    body = {
        "name": "J. Jansen",
        "line1": "Dorpsstraat 1",
        "postCode": "1234 AB",
        "city": "Utrecht",
        "country": "NL",
    }
    body.update(overrides)
    return body


def book_item(**overrides: Any) -> dict[str, Any]:
    item: dict[str, Any] = {"productId": "boek_hc_a5_sta", "pageCount": 32, "quantity": 1}
    item.update(overrides)
    return item


def order_body(*items: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "items": list(items) or [book_item()],
        "shipping": {"address": address()},
    }
    body.update(overrides)
    return body


# Run first: the modules that drive real processes and wait on them, a few tests taking many
# seconds each. pytest-xdist hands whole files to whichever worker is free, in the order collected
# (`make pytest` turns off its reordering by number of tests, which put these last), so a long
# file handed out at the end left one worker running it alone while the other had finished.
SLOW_FIRST = (
    "tests/scale/",
    "tests/e2e/",
    "tests/browser/",
    "tests/webhooks/test_processes.py",
    "tests/sdk/",
    "tests/cli/",
    "tests/files/test_downloads.py",
    "tests/worker/",
)


# Handed out whole, as one file is: the folders whose deployment is a package fixture. Split into
# their files, each file went to whichever worker was free and started the deployment again there
# (tests/e2e: for each database, so up to six starts of 7-12 s where two do).
ONE_UNIT = ("tests/e2e/", "tests/sdk/")


class _FilesAndDeployments(LoadFileScheduling):
    """pytest-xdist's ``loadfile``, with each folder of ``ONE_UNIT`` one unit of work."""

    def _split_scope(self, nodeid: str) -> str:
        return next(
            (folder for folder in ONE_UNIT if nodeid.startswith(folder)), super()._split_scope(nodeid)
        )


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> LoadFileScheduling | None:
    return _FilesAndDeployments(config, log) if config.getoption("dist") == "loadfile" else None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        path = Path(str(item.path)).relative_to(Path(str(config.rootpath))).as_posix()
        ranks = (index for index, prefix in enumerate(SLOW_FIRST) if path.startswith(prefix))
        return next(ranks, len(SLOW_FIRST))

    items.sort(key=rank)  # stable: a file's tests keep their order, and stay together


def pytest_terminal_summary(terminalreporter: Any) -> None:
    # From the reports, not from _skipped_postgres: under pytest-xdist the tests ran in the worker
    # processes, and the controller, which prints this, saw only their reports.
    reasons = [
        str(report.longrepr[2]).removeprefix("Skipped: ")
        for report in terminalreporter.stats.get("skipped", [])
        if isinstance(report.longrepr, tuple) and "PostgreSQL not reachable" in str(report.longrepr[2])
    ]
    if reasons:
        terminalreporter.write_sep("=", "PostgreSQL half SKIPPED", yellow=True, bold=True)
        terminalreporter.write_line(
            f"{reasons[-1]}: the tests ran on SQLite only. "
            "Start PostgreSQL on 127.0.0.1:5432 or set PRINTAPI_TEST_POSTGRES to a server URL."
        )


# -- event loops ------------------------------------------------------------------------------

# The loops production runs on: `printapi serve` and `printapi worker` both run uvloop (uvicorn
# picks it, `printapi worker` asks for it). Every async test runs on it; the worker, webhook and
# wake-up tests run on plain asyncio as well, where loop-specific code lives (a bound socket, the
# event-loop calls of the dispatcher) and which a deployment without uvloop would use.
_BOTH_LOOPS = ("tests/webhooks/", "tests/worker/", "tests/integration/test_doorbell.py")


def pytest_asyncio_loop_factories(config: pytest.Config, item: pytest.Item) -> dict[str, Any]:
    path = Path(str(item.path)).relative_to(Path(str(config.rootpath))).as_posix()
    if path.startswith(_BOTH_LOOPS):
        return {"uvloop": uvloop.new_event_loop, "asyncio": asyncio.new_event_loop}
    return {"uvloop": uvloop.new_event_loop}
