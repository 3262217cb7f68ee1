"""The ``printapi`` command as operators and scripts run it: real subprocesses on real databases.

Each command runs the installed entry point with ``PRINTAPI_*`` settings in its environment, on
a SQLite file of the test's own. What a command changed is checked through the API, in process
(``httpx.ASGITransport`` on a ``Runtime`` over the same file), or over HTTP for ``serve``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, text
from typer.testing import CliRunner

from printapi.cli import app as printapi_cli
from printapi.models import ApiClient, Product
from printapi.runtime import Runtime
from tests.conftest import (
    SECRET_KEY,
    TEST_PASSWORDS,
    Credentials,
    _settings,
    app_for,
    book_item,
    make_credentials,
    order_body,
)
from tests.integration.conftest import (
    drop_postgres_database,
    fresh_postgres_database,
    postgres_server_or_skip,
)

PRINTAPI = Path(sys.executable).parent / "printapi"
PRODUCTS = 499
COMMAND_TIMEOUT = 120
START_TIMEOUT = 60


@dataclass(frozen=True)
class Run:
    returncode: int
    stdout: str
    stderr: str


@dataclass(frozen=True)
class Cli:
    """The environment of one database: every command of a test runs against it."""

    folder: Path
    url: str

    def environment(self, **extra: str) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items() if not key.startswith("PRINTAPI_")}
        env.update(
            PRINTAPI_DATABASE_URL=self.url,
            PRINTAPI_MODE="development",
            PRINTAPI_SECRET_KEY=SECRET_KEY,
            PRINTAPI_LOG_FORMAT="json",
            PRINTAPI_LOG_LEVEL="WARNING",
        )
        env.update(extra)
        return env

    def settings(self, **extra: str) -> dict[str, str]:
        """Only the PRINTAPI_* settings of ``environment``."""
        return {key: value for key, value in self.environment(**extra).items() if key.startswith("PRINTAPI_")}

    async def run(self, *args: str, **extra_env: str) -> Run:
        """The command in this process, as Typer's test runner calls it, in a thread of its own: the
        command runs an event loop of its own. (A subprocess costs about 2 s of start-up; a few
        smoke tests below ``spawn`` the installed command.)"""
        return await asyncio.to_thread(self._invoke, list(args), self.settings(**extra_env))

    def _invoke(self, args: list[str], settings: dict[str, str]) -> Run:
        unset: dict[str, str | None] = {key: None for key in os.environ if key.startswith("PRINTAPI_")}
        with contextlib.chdir(self.folder):
            result = CliRunner().invoke(printapi_cli, args, env=unset | settings, catch_exceptions=False)
        return Run(result.exit_code, result.stdout, result.stderr)

    async def spawn(self, *args: str, **extra_env: str) -> Run:
        """The installed ``printapi`` command in a process of its own."""
        process = await asyncio.create_subprocess_exec(
            str(PRINTAPI),
            *args,
            env=self.environment(**extra_env),
            cwd=self.folder,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        async with asyncio.timeout(COMMAND_TIMEOUT):
            out, err = await process.communicate()
        assert process.returncode is not None
        return Run(process.returncode, out.decode(), err.decode())

    async def ok(self, *args: str, spawn: bool = False) -> str:
        result = await (self.spawn(*args) if spawn else self.run(*args))
        assert result.returncode == 0, result
        return result.stdout


def _sqlite_cli(folder: str) -> Cli:
    return Cli(Path(folder), f"sqlite+aiosqlite:///{Path(folder) / 'cli.db'}")


@pytest.fixture
def empty_cli() -> Iterator[Cli]:
    """A folder with no database file yet."""
    with tempfile.TemporaryDirectory(prefix="printapi-cli-") as folder:
        yield _sqlite_cli(folder)


@pytest.fixture(scope="module")
def prepared_folder() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="printapi-cli-") as folder:
        yield folder


@pytest.fixture
async def cli(prepared_folder: str) -> Cli:
    """A database migrated and seeded by the CLI itself, once per module (tests use their own ids)."""
    cli = _sqlite_cli(prepared_folder)
    if not (cli.folder / "cli.db").exists():
        await cli.ok("migrate")
        await cli.ok("seed")
    return cli


@asynccontextmanager
async def api(cli: Cli, **settings: Any) -> AsyncIterator[tuple[httpx.AsyncClient, Runtime]]:
    """The app in process, on the same database file as the commands."""
    runtime = Runtime.create(_settings(cli.url, **settings), passwords=TEST_PASSWORDS)
    try:
        transport = httpx.ASGITransport(app=app_for(runtime))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield http, runtime
    finally:
        await runtime.close()


async def token_headers(http: httpx.AsyncClient, client_id: str, client_secret: str) -> dict[str, str]:
    response = await http.post(
        "/v2/oauth",
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": client_secret},
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _email() -> str:
    return f"cli-{secrets.token_hex(4)}@example.nl"


class TestMigrateAndSeed:
    async def test_migrate_builds_a_new_database_and_seed_fills_the_catalogue_once(
        self, empty_cli: Cli
    ) -> None:
        assert "database is up to date" in await empty_cli.ok("migrate")

        assert f"catalogue seeded: {PRODUCTS} products added or changed" in await empty_cli.ok("seed")
        assert "catalogue seeded: 0 products added or changed" in await empty_cli.ok("seed")
        assert "database is up to date" in await empty_cli.ok("migrate")

        async with api(empty_cli) as (_, runtime), runtime.db.read() as session:
            count = (await session.execute(select(func.count()).select_from(Product))).scalar_one()
        assert count == PRODUCTS

    async def test_bad_settings_exit_2_with_a_message(self, empty_cli: Cli) -> None:
        result = await empty_cli.spawn("migrate", PRINTAPI_SECRET_KEY="too-short")  # the installed command

        assert result.returncode == 2
        assert "PRINTAPI_SECRET_KEY must be at least 32 characters" in result.stderr
        assert not (empty_cli.folder / "cli.db").exists()


class TestAccountsAndClients:
    async def test_credentials_printed_as_json_get_a_token_that_works(self, cli: Cli) -> None:
        email = _email()
        assert await cli.ok("accounts", "create", "--email", email, "--password", "password-123") == (
            f"account created: {email}\n"
        )

        printed = json.loads(
            await cli.ok(
                "clients", "create", "--account", email, "--environment", "test", "--json", spawn=True
            )
        )

        assert set(printed) == {"client_id", "client_secret"}
        assert printed["client_id"].startswith("test_")
        async with api(cli) as (http, _):
            headers = await token_headers(http, printed["client_id"], printed["client_secret"])
            products = await http.get("/v2/products", params={"limit": 1}, headers=headers)
        assert products.status_code == 200, products.text
        assert products.json()["count"] == PRODUCTS

    async def test_credentials_without_json_are_printed_once_with_a_warning(self, cli: Cli) -> None:
        email = _email()
        await cli.ok("accounts", "create", "--email", email, "--password", "password-123")

        result = await cli.run("clients", "create", "--account", email, "--environment", "live")

        assert result.returncode == 0, result
        lines = dict(line.split(":", 1) for line in result.stdout.splitlines())
        assert lines["client_id"].strip().startswith("live_")
        assert len(lines["client_secret"].strip()) >= 32
        assert "shown only now" in result.stderr

    async def test_an_account_that_exists_already_exits_1_with_a_message(self, cli: Cli) -> None:
        email = _email()
        await cli.ok("accounts", "create", "--email", email, "--password", "password-123")

        result = await cli.run("accounts", "create", "--email", email.upper(), "--password", "password-123")

        assert result.returncode == 1
        assert f"error: An account for {email} already exists." in result.stderr
        assert result.stdout == ""

    async def test_credentials_for_an_unknown_account_exit_1_with_a_message(self, cli: Cli) -> None:
        result = await cli.run(
            "clients", "create", "--account", "nobody@example.nl", "--environment", "test", "--json"
        )

        assert result.returncode == 1
        assert "error: No account for nobody@example.nl." in result.stderr
        assert result.stdout == ""


@dataclass(frozen=True)
class Shop:
    http: httpx.AsyncClient
    headers: dict[str, str]
    credentials: Credentials

    async def place(self, order_id: str | None = None) -> str:
        order_id = order_id or f"cli-{secrets.token_hex(6)}"
        response = await self.http.post(
            "/v2/orders", json=order_body(book_item(), id=order_id), headers=self.headers
        )
        assert response.status_code == 201, response.text
        return order_id

    async def order(self, order_id: str) -> dict[str, object]:
        response = await self.http.get(f"/v2/orders/{order_id}", headers=self.headers)
        assert response.status_code == 200, response.text
        body: dict[str, object] = response.json()
        return body


@pytest.fixture
async def shop(cli: Cli) -> AsyncIterator[Shop]:
    async with api(cli) as (http, runtime):
        credentials = await make_credentials(runtime)
        headers = await token_headers(http, credentials.client_id, credentials.client_secret)
        yield Shop(http, headers, credentials)


class TestOrdersSetStatus:
    async def test_set_status_moves_an_order_placed_through_the_api(self, cli: Cli, shop: Shop) -> None:
        order_id = await shop.place()

        assert (
            await cli.ok("orders", "set-status", order_id, "Processing") == f"order {order_id}: Processing\n"
        )

        assert (await shop.order(order_id))["status"] == "Processing"

    async def test_a_move_to_processing_says_when_production_starts_within_a_window(self, cli: Cli) -> None:
        async with api(cli, production_delay="60m") as (http, runtime):
            credentials = await make_credentials(runtime)
            shop = Shop(
                http, await token_headers(http, credentials.client_id, credentials.client_secret), credentials
            )
            order_id = await shop.place()

            printed = await cli.ok("orders", "set-status", order_id, "Processing")

            assert printed.startswith(f"order {order_id}: Processing (production starts ")
            assert printed.endswith("; the shop may cancel until then)\n")
            assert (await shop.order(order_id))["allowedActions"] == ["cancel"]

    async def test_an_id_two_accounts_used_needs_the_account_and_moves_that_one_only(
        self, cli: Cli, shop: Shop
    ) -> None:
        async with api(cli) as (http, runtime):
            credentials = await make_credentials(runtime)
            headers = await token_headers(http, credentials.client_id, credentials.client_secret)
            other = Shop(http, headers, credentials)
            order_id = await shop.place()
            await other.place(order_id)

            ambiguous = await cli.run("orders", "set-status", order_id, "Processing")
            named = await cli.run(
                "orders",
                "set-status",
                order_id,
                "Processing",
                "--account",
                credentials.email,
                "--environment",
                "test",
            )

            assert ambiguous.returncode == 1
            assert f"error: 2 orders have id '{order_id}'." in ambiguous.stderr
            assert named.returncode == 0, named
            assert ((await other.order(order_id))["status"], (await shop.order(order_id))["status"]) == (
                "Processing",
                "Created",
            )

    async def test_an_illegal_move_exits_1_and_changes_nothing(self, cli: Cli, shop: Shop) -> None:
        order_id = await shop.place()
        before = await shop.order(order_id)

        result = await cli.run("orders", "set-status", order_id, "Shipped")

        assert result.returncode == 1
        assert "error: An order cannot move from Created to Shipped." in result.stderr
        assert "hint: From Created an order can move to: Cancelled, Processing." in result.stderr
        assert await shop.order(order_id) == before

    async def test_a_tracking_url_given_when_shipping_shows_on_the_order(self, cli: Cli, shop: Shop) -> None:
        order_id = await shop.place()
        url = "https://jouw.postnl.nl/track-and-trace/3SABCD1234567"
        await cli.ok("orders", "set-status", order_id, "Processing")

        await cli.ok("orders", "set-status", order_id, "Shipped", "--tracking-url", url)

        order = await shop.order(order_id)
        assert (order["status"], order["trackingUrl"]) == ("Shipped", url)

    async def test_a_tracking_url_on_another_move_exits_1_and_changes_nothing(
        self, cli: Cli, shop: Shop
    ) -> None:
        order_id = await shop.place()

        result = await cli.run(
            "orders", "set-status", order_id, "Processing", "--tracking-url", "https://t.nl/1"
        )

        assert result.returncode == 1
        assert "trackingUrl" in result.stderr
        assert (await shop.order(order_id))["status"] == "Created"

    async def test_an_unknown_order_exits_1_with_a_message(self, cli: Cli) -> None:
        result = await cli.run("orders", "set-status", "no-such-order", "Cancelled")

        assert result.returncode == 1
        assert "error: Order 'no-such-order' does not exist." in result.stderr

    async def test_a_status_that_does_not_exist_is_a_usage_error(self, cli: Cli, shop: Shop) -> None:
        order_id = await shop.place()

        result = await cli.run("orders", "set-status", order_id, "Lost")

        assert result.returncode == 2
        assert (await shop.order(order_id))["status"] == "Created"


def _demo_credentials(stdout: str) -> tuple[str, str]:
    fields = dict(line.split(None, 1) for line in stdout.splitlines() if line.startswith("  "))
    return fields["client_id"].strip(), fields["client_secret"].strip()


class TestDemo:
    async def test_demo_sets_up_a_new_database_and_prints_credentials_that_work(self, empty_cli: Cli) -> None:
        stdout = await empty_cli.ok("demo", "--credentials-file", "demo.json")

        assert f"new database: migrated and seeded {PRODUCTS} products" in stdout
        client_id, client_secret = _demo_credentials(stdout)
        assert json.loads((empty_cli.folder / "demo.json").read_text()) == {
            "client_id": client_id,
            "client_secret": client_secret,
        }
        async with api(empty_cli) as (http, _):
            headers = await token_headers(http, client_id, client_secret)
            assert (await http.get("/v2/products/boek_hc_a5_sta", headers=headers)).status_code == 200

    async def test_a_second_run_prints_the_same_credentials_and_adds_no_client(self, empty_cli: Cli) -> None:
        first = _demo_credentials(await empty_cli.ok("demo", "--credentials-file", "demo.json"))

        second_run = await empty_cli.ok("demo", "--credentials-file", "demo.json")

        assert _demo_credentials(second_run) == first
        assert "new database" not in second_run
        async with api(empty_cli) as (_, runtime), runtime.db.read() as session:
            count = (await session.execute(select(func.count()).select_from(ApiClient))).scalar_one()
        assert count == 1

    async def test_demo_is_refused_outside_development(self, empty_cli: Cli) -> None:
        result = await empty_cli.run("demo", PRINTAPI_MODE="production")

        assert result.returncode == 2
        assert "development only" in result.stderr


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def serving(cli: Cli, log: Path, *, public_url: bool = True) -> Iterator[str]:
    """``printapi serve`` on a free port until the block ends; yields its base URL once it answers.
    With ``public_url=False`` the server is not told PRINTAPI_PUBLIC_URL. (Blocking, so that a
    module's tests can share one: a served process belongs to no event loop.)"""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(PRINTAPI), "serve", "--port", str(port)],
            env=cli.environment(**({"PRINTAPI_PUBLIC_URL": base} if public_url else {})),
            cwd=cli.folder,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        with httpx.Client(base_url=base, timeout=5) as http:
            while True:
                if process.poll() is not None:
                    pytest.fail(f"serve exited early:\n{log.read_text()}")
                if time.monotonic() > deadline:
                    pytest.fail(f"serve did not answer within {START_TIMEOUT} s:\n{log.read_text()}")
                try:
                    if http.get("/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.05)
        yield base
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@dataclass(frozen=True)
class Served:
    """A ``printapi serve`` started on an empty SQLite file: its CLI environment, base URL and log."""

    cli: Cli
    base: str
    log: Path


@pytest.fixture(scope="module")
def served_on_an_empty_file() -> Iterator[Served]:
    """One ``printapi serve`` on a file that did not exist, for the tests that only read from it
    (each process start costs seconds): it migrated and seeded the file on start."""
    with tempfile.TemporaryDirectory(prefix="printapi-cli-") as folder:
        cli = _sqlite_cli(folder)
        log = cli.folder / "serve.log"
        with serving(cli, log) as base:
            yield Served(cli, base, log)


class TestServe:
    async def test_serve_on_an_empty_sqlite_file_migrates_seeds_and_answers_with_demo_credentials(
        self, served_on_an_empty_file: Served
    ) -> None:
        served = served_on_an_empty_file
        cli, base, log = served.cli, served.base, served.log

        async with httpx.AsyncClient(base_url=base, timeout=10) as http:
            health = (await http.get("/healthz")).json()
            client_id, client_secret = _demo_credentials(await cli.ok("demo", "--credentials-file", "d.json"))
            headers = await token_headers(http, client_id, client_secret)
            products = await http.get("/v2/products", headers=headers)

        assert health["status"] == "ok"
        assert products.status_code == 200, products.text
        assert products.json()["count"] == PRODUCTS
        assert f"new database: migrated and seeded {PRODUCTS} products" in log.read_text()

    async def test_the_urls_it_hands_out_name_the_port_it_serves_when_no_public_url_is_set(
        self, empty_cli: Cli
    ) -> None:
        with serving(empty_cli, empty_cli.folder / "serve.log", public_url=False) as base:
            client_id, client_secret = _demo_credentials(
                await empty_cli.ok("demo", "--credentials-file", "d.json")
            )
            async with httpx.AsyncClient(base_url=base, timeout=10) as http:
                headers = await token_headers(http, client_id, client_secret)
                placed = await http.post("/v2/orders", json=order_body(), headers=headers)

        assert placed.status_code == 201, placed.text
        assert placed.headers["Location"].startswith(f"{base}/v2/orders/")
        assert placed.json()["items"][0]["files"]["content"]["uploadUrl"].startswith(f"{base}/v2/files/")

    async def test_it_is_ready_with_every_loop_of_its_worker_and_has_a_favicon(
        self, served_on_an_empty_file: Served
    ) -> None:
        async with httpx.AsyncClient(base_url=served_on_an_empty_file.base, timeout=10) as http:
            ready = await http.get("/readyz")
            icon = await http.get("/favicon.ico")

        assert ready.status_code == 200, ready.text
        assert ready.json()["problems"] == []
        assert {"webhook-deliveries", "file-downloads", "payment-expiry", "owner-alerts"} <= set(
            ready.json()["loops"]
        )
        assert icon.status_code == 200
        assert icon.headers["content-type"] == "image/vnd.microsoft.icon"
        assert icon.content.startswith(b"\x00\x00\x01\x00")  # an ICO file's header


class TestMakeRun:
    def test_the_port_given_to_make_run_is_the_port_of_the_urls_it_prints_and_hands_out(self) -> None:
        root = Path(__file__).resolve().parents[2]
        env = {key: value for key, value in os.environ.items() if key != "PRINTAPI_PUBLIC_URL"}

        planned = subprocess.run(
            [shutil.which("make") or "make", "-n", "run", "PORT=8091"],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout

        commands = [
            line for line in planned.splitlines() if "printapi demo" in line or "printapi serve" in line
        ]
        assert len(commands) == 2
        assert all("PRINTAPI_PUBLIC_URL=${PRINTAPI_PUBLIC_URL:-http://127.0.0.1:8091}" in c for c in commands)
        assert "--port 8091" in commands[1]


@pytest.mark.postgres
class TestMigrateOnPostgres:
    async def test_two_processes_migrating_a_new_database_at_once_both_succeed(self) -> None:
        server = await asyncio.to_thread(postgres_server_or_skip)
        name, url = await asyncio.to_thread(fresh_postgres_database, server)
        try:
            cli = Cli(Path(tempfile.gettempdir()), url)

            first, second = await asyncio.gather(cli.spawn("migrate"), cli.spawn("migrate"))

            assert (first.returncode, second.returncode) == (0, 0), (first, second)
            async with api(cli) as (_, runtime), runtime.db.read() as session:
                assert (await session.execute(select(func.count()).select_from(Product))).scalar_one() == 0
                versions = (await session.execute(text("SELECT count(*) FROM alembic_version"))).scalar_one()
            assert versions == 1
        finally:
            await asyncio.to_thread(drop_postgres_database, server, name)
