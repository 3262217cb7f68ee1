"""The ``printapi`` command: a stable interface for operators and scripts.

Every command reads the same ``PRINTAPI_*`` settings as the server. Commands that change data
run in one transaction and print what they did; errors print the API's message and exit 1.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from collections.abc import Awaitable, Callable, Coroutine
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from pydantic import ValidationError

# Only what the commands' options name is imported here: each command imports the services it
# uses, so that a command does not pay for the whole server (FastAPI, Alembic, every domain).
from printapi.auth.principal import Environment
from printapi.config import Mode, Settings
from printapi.coupons.terms import CouponScope, CouponType
from printapi.kit.errors import ApiError
from printapi.orders.states import OrderStatus

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from printapi.orders.shipments.schemas import ShipmentItemIn
    from printapi.runtime import Runtime

app = typer.Typer(help="printapi: a self-hostable Print API v2 server.", no_args_is_help=True)
accounts_app = typer.Typer(help="Accounts of shops and operators.", no_args_is_help=True)
clients_app = typer.Typer(help="API credentials (client id and secret) of an account.", no_args_is_help=True)
orders_app = typer.Typer(help="Operator actions on orders.", no_args_is_help=True)
webhooks_app = typer.Typer(help="Webhook endpoints of an account.", no_args_is_help=True)
coupons_app = typer.Typer(help="Coupons for the payment screen.", no_args_is_help=True)
files_app = typer.Typer(help="Stored print files.", no_args_is_help=True)
app.add_typer(accounts_app, name="accounts")
app.add_typer(webhooks_app, name="webhooks")
app.add_typer(coupons_app, name="coupons")
app.add_typer(clients_app, name="clients")
app.add_typer(orders_app, name="orders")
app.add_typer(files_app, name="files")

T = TypeVar("T")


class OnOff(StrEnum):
    ON = "on"
    OFF = "off"


DEMO_EMAIL = "demo@printapi.local"
DEMO_PASSWORD = "demo-password"  # noqa: S105 - the documented password of the local demo account
DEMO_OPERATOR_EMAIL = "operator@printapi.local"
DEMO_OPERATOR_PASSWORD = "operator-password"  # noqa: S105 - the documented password of the local demo operator


def _settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        typer.echo(f"invalid settings: {exc}", err=True)
        raise typer.Exit(2) from exc


def _in_transaction(work: Callable[[AsyncSession, Runtime], Awaitable[T]]) -> T:
    """Run ``work`` in one write transaction; an ApiError is printed and exits 1."""

    from printapi.runtime import Runtime

    async def main() -> T:
        runtime = Runtime.create(_settings())
        try:
            async with runtime.db.write() as session:
                return await work(session, runtime)
        finally:
            await runtime.close()

    try:
        return asyncio.run(main())
    except ApiError as error:
        typer.echo(f"error: {error.message}", err=True)
        for hint in error.hints:
            typer.echo(f"hint: {hint}", err=True)
        raise typer.Exit(1) from error


async def _schema_is_empty(settings: Settings) -> bool:
    from sqlalchemy import inspect

    from printapi.runtime import Runtime

    runtime = Runtime.create(settings)
    try:
        async with runtime.db.write_engine.connect() as connection:
            tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
        return "alembic_version" not in tables
    finally:
        await runtime.close()


async def _seed(runtime: Runtime) -> int:
    from printapi.catalogue import service as catalogue

    async with runtime.db.write() as session:
        return await catalogue.seed(session)


def _prepare_sqlite(settings: Settings) -> None:
    """The embedded default: an empty or old SQLite file is migrated and seeded on start."""
    from printapi import migrate

    empty = asyncio.run(_schema_is_empty(settings))
    migrate.upgrade(settings.database_url)
    if empty:
        changed = asyncio.run(_with_runtime(settings, _seed))
        typer.echo(f"new database: migrated and seeded {changed} products")


async def _with_runtime(settings: Settings, work: Callable[[Runtime], Awaitable[T]]) -> T:
    from printapi.runtime import Runtime

    runtime = Runtime.create(settings)
    try:
        return await work(runtime)
    finally:
        await runtime.close()


# The app factory each `printapi serve` process runs (it freezes the start-up objects).
SERVED_APP = "printapi.app:create_served_app"


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8080,
    workers: Annotated[int, typer.Option(help="API processes (PostgreSQL for more than one).")] = 1,
    no_worker: Annotated[
        bool, typer.Option("--no-worker", help="API only; run `printapi worker` apart.")
    ] = False,
) -> None:
    """Serve the API, the docs and (unless --no-worker) the due-work loops."""
    import uvicorn

    # Without PRINTAPI_PUBLIC_URL, the URLs handed out name the address served (the processes
    # uvicorn starts read their settings from the environment).
    os.environ.setdefault("PRINTAPI_PUBLIC_URL", f"http://{_reachable(host)}:{port}")
    settings = _settings()
    if settings.is_sqlite:
        _prepare_sqlite(settings)
    if no_worker:
        # Child processes read the settings from the environment.
        os.environ["PRINTAPI_EMBEDDED_WORKER"] = "false"
    uvicorn.run(
        SERVED_APP,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
        proxy_headers=True,
    )


def _reachable(host: str) -> str:
    """The host to name in URLs for a listening address (all interfaces: this machine)."""
    if host in ("0.0.0.0", "::", ""):  # noqa: S104 - compared, not bound
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


@app.command()
def worker(
    metrics_port: Annotated[
        int | None, typer.Option(help="Serve this worker's /metrics, /healthz and /readyz on this port.")
    ] = None,
    metrics_host: Annotated[str, typer.Option(help="Interface for --metrics-port.")] = "0.0.0.0",  # noqa: S104 - scraped from other hosts
) -> None:
    """Run the due-work loops only (webhooks, mails, alerts, housekeeping); stops cleanly on SIGTERM."""
    from printapi import health
    from printapi.kit.logging import configure as configure_logging
    from printapi.runtime import freeze_startup_objects
    from printapi.worker import Worker

    settings = _settings()
    configure_logging(level=settings.log_level, fmt=settings.log_format)

    async def main(runtime: Runtime) -> None:
        loops = Worker(runtime)
        operations = (
            await health.serve_operations(runtime, host=metrics_host, port=metrics_port)
            if metrics_port is not None
            else None
        )
        freeze_startup_objects()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, loops.stop)
        try:
            await loops.run()
        finally:
            if operations is not None:
                await operations.cleanup()

    _run_loop(_with_runtime(settings, main))


def _run_loop(main: Coroutine[Any, Any, None]) -> None:
    """On uvloop, the event loop `printapi serve` runs on too (uvicorn picks it where installed)."""
    try:
        import uvloop  # optional: uvicorn[standard] installs it where it builds
    except ImportError:
        asyncio.run(main)
    else:
        uvloop.run(main)


@app.command(name="migrate")
def migrate_command() -> None:
    """Bring the database schema up to date (safe to run from several processes at once)."""
    from printapi import migrate

    settings = _settings()
    migrate.upgrade(settings.database_url)
    typer.echo("database is up to date")


@app.command()
def seed() -> None:
    """Insert or update the built-in product catalogue."""
    changed = asyncio.run(_with_runtime(_settings(), _seed))
    typer.echo(f"catalogue seeded: {changed} products added or changed")


@app.command()
def demo(
    credentials_file: Annotated[
        Path, typer.Option(help="Where the demo's test credentials are kept.")
    ] = Path("var/demo-credentials.json"),
) -> None:
    """Development only: make sure the demo account and its test credentials exist, and print them."""
    from printapi.auth import service as auth

    settings = _settings()
    if settings.mode is not Mode.DEVELOPMENT:
        typer.echo("the demo account is for PRINTAPI_MODE=development only", err=True)
        raise typer.Exit(2)
    if settings.is_sqlite:
        _prepare_sqlite(settings)
    stored = json.loads(credentials_file.read_text()) if credentials_file.exists() else None

    async def ensure(session: AsyncSession, runtime: Runtime) -> dict[str, str] | None:
        now = runtime.clock.now()
        for email, password, role in (
            (DEMO_EMAIL, DEMO_PASSWORD, "owner"),
            (DEMO_OPERATOR_EMAIL, DEMO_OPERATOR_PASSWORD, "operator"),
        ):
            try:
                await auth.find_account(session, email=email)
            except ApiError:
                password_hash = await auth.new_password_hash(password, passwords=runtime.passwords)
                await auth.create_account(
                    session, email=email, password_hash=password_hash, role=role, now=now
                )
        if stored and await auth.client_is_active(session, client_id=stored["client_id"]):
            return None
        new = await auth.create_client(
            session,
            account_email=DEMO_EMAIL,
            environment=Environment.TEST,
            secret_key=settings.secret_key,
            now=now,
        )
        return {"client_id": new.client.client_id, "client_secret": new.secret}

    created = _in_transaction(ensure)
    if created:
        credentials_file.parent.mkdir(parents=True, exist_ok=True)
        credentials_file.write_text(json.dumps(created, indent=2))
        stored = created
    assert stored is not None
    base = settings.public_url
    typer.echo(
        "\n".join(
            [
                "",
                "printapi demo (test environment)",
                f"  account        {DEMO_EMAIL} / {DEMO_PASSWORD}",
                f"  client_id      {stored['client_id']}",
                f"  client_secret  {stored['client_secret']}",
                f"  token          curl -s {base}/v2/oauth -d grant_type=client_credentials "
                f"-d client_id={stored['client_id']} -d client_secret={stored['client_secret']}",
                f"  docs           {base}/docs",
                f"  dashboard      {base}/dashboard  (sign in as the account above)",
                f"  operator       {DEMO_OPERATOR_EMAIL} / {DEMO_OPERATOR_PASSWORD}  (production console)",
                "",
            ]
        )
    )


@accounts_app.command("create")
def accounts_create(
    email: Annotated[str, typer.Option(help="Sign-in e-mail of the account.")],
    password: Annotated[str, typer.Option(help="Dashboard password (8+ characters).")],
    operator: Annotated[bool, typer.Option("--operator", help="A print-shop operator, not a shop.")] = False,
) -> None:
    """Create an account (a shop, or with --operator a member of the print shop's staff)."""
    from printapi.auth import service as auth

    async def work(session: AsyncSession, runtime: Runtime) -> str:
        account = await auth.create_account(
            session,
            email=email,
            password_hash=await auth.new_password_hash(password, passwords=runtime.passwords),
            role="operator" if operator else "owner",
            now=runtime.clock.now(),
        )
        return account.email

    typer.echo(f"account created: {_in_transaction(work)}")


@accounts_app.command("update")
def accounts_update(
    email: Annotated[str, typer.Option(help="Sign-in e-mail of the account.")],
    payment_screen: Annotated[OnOff | None, typer.Option(help="Switch the payment screen on or off.")] = None,
    notification_email: Annotated[
        str | None, typer.Option(help="Where failure mails go ('' = sign-in e-mail).")
    ] = None,
) -> None:
    """Change an account's settings."""
    from printapi.accounts import service as accounts
    from printapi.auth import service as auth

    async def work(session: AsyncSession, _runtime: Runtime) -> str:
        found = await auth.find_account(session, email=email)
        updated = await accounts.update(
            session,
            account_id=found.id,
            payment_screen=None if payment_screen is None else payment_screen is OnOff.ON,
            notification_email=notification_email,
        )
        return f"{updated.email}: payment screen {'on' if updated.payment_screen else 'off'}"

    typer.echo(_in_transaction(work))


@clients_app.command("create")
def clients_create(
    account: Annotated[str, typer.Option(help="E-mail of the account.")],
    environment: Annotated[Environment, typer.Option(help="test or live.")],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print {client_id, client_secret} as JSON.")
    ] = False,
) -> None:
    """Create API credentials; the secret is printed once and stored only as a keyed hash."""
    from printapi.auth import service as auth

    async def work(session: AsyncSession, runtime: Runtime) -> auth.NewClient:
        return await auth.create_client(
            session,
            account_email=account,
            environment=environment,
            secret_key=runtime.settings.secret_key,
            now=runtime.clock.now(),
        )

    new = _in_transaction(work)
    if as_json:
        typer.echo(json.dumps({"client_id": new.client.client_id, "client_secret": new.secret}))
    else:
        typer.echo(f"client_id:     {new.client.client_id}\nclient_secret: {new.secret}")
        typer.echo("The secret is shown only now; store it safely.", err=True)


# An order id is unique in an account and environment only: these options pick one where ids collide.
WhoseOrder = Annotated[str | None, typer.Option("--account", help="E-mail of the account, when ids collide.")]
WhichEnvironment = Annotated[
    Environment | None, typer.Option("--environment", help="test or live, when ids collide.")
]


async def _account_id(session: AsyncSession, email: str | None) -> int | None:
    """The id of the account with this e-mail (an error when there is none), or None when not given."""
    from printapi.auth import service as auth

    return (await auth.find_account(session, email=email)).id if email else None


@orders_app.command("set-status")
def orders_set_status(
    order_id: Annotated[str, typer.Argument(help="The order id as the shop knows it.")],
    status: Annotated[OrderStatus, typer.Argument(help="Processing, Shipped or Cancelled.")],
    tracking_url: Annotated[str | None, typer.Option(help="Carrier tracking link (Shipped).")] = None,
    reason: Annotated[str | None, typer.Option(help="Why (kept in the status history).")] = None,
    account: WhoseOrder = None,
    environment: WhichEnvironment = None,
) -> None:
    """Move an order through its statuses as the print shop."""
    from printapi import effects
    from printapi.orders import service as orders
    from printapi.orders.actions import Stage
    from printapi.orders.schemas import StatusChangeIn

    async def work(session: AsyncSession, runtime: Runtime) -> str:
        account_id = await _account_id(session, account)
        try:
            change = StatusChangeIn(status=status, tracking_url=tracking_url, reason=reason)
        except ValidationError as exc:
            raise ApiError(message=str(exc)) from exc
        changed = await orders.operator_set_status(
            session,
            order_id=order_id,
            account_id=account_id,
            environment=environment,
            change=change,
            now=runtime.clock.now(),
        )
        await effects.handle(session, changed)
        line = f"order {changed.order.id}: {changed.order.status}"
        starts = changed.order.production_starts_at
        if orders.stage_of(changed.order, now=runtime.clock.now()) is Stage.WAITING_FOR_PRODUCTION and starts:
            # The production window (PRINTAPI_PRODUCTION_DELAY): the shop may cancel until then.
            local = starts.astimezone(runtime.zone).strftime("%Y-%m-%d %H:%M")
            line += f" (production starts {local}; the shop may cancel until then)"
        return line

    typer.echo(_in_transaction(work))


def _shipment_lines(items: list[str]) -> list[ShipmentItemIn]:
    """``--item ID=QUANTITY`` options as the lines of a shipment."""
    from printapi.orders.shipments.schemas import ShipmentItemIn

    lines = []
    for value in items:
        item_id, _, quantity = value.rpartition("=")
        if not item_id or not quantity.isdigit():
            raise ApiError(message=f"--item {value}: expected ITEM_ID=QUANTITY, e.g. 00001=2")
        try:
            lines.append(ShipmentItemIn(item_id=item_id, quantity=int(quantity)))
        except ValidationError as exc:
            raise ApiError(message=f"--item {value}: {exc.errors()[0]['msg']}") from exc
    return lines


@orders_app.command("ship")
def orders_ship(
    order_id: Annotated[str, typer.Argument(help="The order id as the shop knows it.")],
    item: Annotated[
        list[str] | None,
        typer.Option(help="ITEM_ID=QUANTITY carried by this parcel (repeat it); none: everything left."),
    ] = None,
    carrier: Annotated[str | None, typer.Option(help="The carrier, e.g. PostNL.")] = None,
    tracking_code: Annotated[str | None, typer.Option(help="The carrier's code of the parcel.")] = None,
    tracking_url: Annotated[str | None, typer.Option(help="Where the parcel is followed.")] = None,
    account: WhoseOrder = None,
    environment: WhichEnvironment = None,
) -> None:
    """Record a parcel of an order in Processing; the one with the last items ships the order."""
    from printapi import effects
    from printapi.orders.shipments import service as shipments
    from printapi.orders.shipments.schemas import ShipmentIn

    async def work(session: AsyncSession, runtime: Runtime) -> str:
        account_id = await _account_id(session, account)
        try:
            request = ShipmentIn(
                carrier=carrier,
                tracking_code=tracking_code,
                tracking_url=tracking_url,
                items=_shipment_lines(item) if item else None,
            )
        except ValidationError as exc:
            raise ApiError(message=str(exc)) from exc
        recorded = await shipments.operator_record(
            session,
            order_id=order_id,
            account_id=account_id,
            environment=environment,
            request=request,
            now=runtime.clock.now(),
        )
        await effects.handle(session, *recorded.events)
        carried = ", ".join(f"{line.quantity} x {line.item_id}" for line in recorded.shipment.items)
        left = ", ".join(f"{quantity} x {item_id}" for item_id, quantity in recorded.left.items() if quantity)
        return (
            f"order {recorded.order.id}: shipment {recorded.shipment.number} ({carried}); "
            f"{recorded.order.status}" + (f", left to ship: {left}" if left else "")
        )

    typer.echo(_in_transaction(work))


@webhooks_app.command("add")
def webhooks_add(
    account: Annotated[str, typer.Option(help="E-mail of the account.")],
    environment: Annotated[Environment, typer.Option(help="test or live.")],
    url: Annotated[str, typer.Option(help="Where to POST orderId=<id>.")],
    as_json: Annotated[
        bool, typer.Option("--json", help='Print {"id": ..., "secret": "whsec_..."}.')
    ] = False,
) -> None:
    """Add a webhook endpoint; its signing secret is printed once."""
    from printapi.auth import service as auth
    from printapi.webhooks import service as webhooks

    async def work(session: AsyncSession, runtime: Runtime) -> tuple[str, str]:
        owner = await auth.find_account(session, email=account)
        endpoint = await webhooks.create_endpoint(
            session,
            account_id=owner.id,
            environment=environment,
            url=url,
            guard=runtime.guard,
            now=runtime.clock.now(),
        )
        return endpoint.id, endpoint.secret

    endpoint_id, secret = _in_transaction(work)
    if as_json:
        typer.echo(json.dumps({"id": endpoint_id, "secret": secret}))
    else:
        typer.echo(f"id:     {endpoint_id}\nsecret: {secret}")


@webhooks_app.command("list")
def webhooks_list(
    account: Annotated[str, typer.Option(help="E-mail of the account.")],
    environment: Annotated[Environment, typer.Option(help="test or live.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list.")] = False,
) -> None:
    """List an account's webhook endpoints of one environment."""
    from printapi.auth import service as auth
    from printapi.webhooks import service as webhooks

    async def work(session: AsyncSession, _runtime: Runtime) -> list[dict[str, object]]:
        owner = await auth.find_account(session, email=account)
        endpoints = await webhooks.list_endpoints(session, account_id=owner.id, environment=environment)
        return [{"id": e.id, "url": e.url, "enabled": e.enabled} for e in endpoints]

    rows = _in_transaction(work)
    if as_json:
        typer.echo(json.dumps(rows))
        return
    for row in rows:
        typer.echo(f"{row['id']}  {'enabled ' if row['enabled'] else 'disabled'}  {row['url']}")


@webhooks_app.command("remove")
def webhooks_remove(endpoint_id: Annotated[str, typer.Argument(help="The endpoint id (ep_...).")]) -> None:
    """Delete an endpoint; its pending notifications are cancelled, its log is kept."""
    from printapi.webhooks import service as webhooks

    async def work(session: AsyncSession, runtime: Runtime) -> str:
        endpoint = await webhooks.find_endpoint(session, endpoint_id=endpoint_id)
        await webhooks.delete_endpoint(session, endpoint=endpoint, now=runtime.clock.now())
        return endpoint.url

    typer.echo(f"removed {endpoint_id} ({_in_transaction(work)})")


@webhooks_app.command("recover")
def webhooks_recover(
    endpoint_id: Annotated[str, typer.Argument(help="The endpoint id (ep_...).")],
    since: Annotated[str, typer.Option(help="Local date/time, e.g. 2026-12-07T09:00:00, or with Z/offset.")],
) -> None:
    """Queue again every notification of the endpoint that failed since then, one per order."""
    from printapi.kit.wire import parse_local
    from printapi.webhooks import service as webhooks

    async def work(session: AsyncSession, runtime: Runtime) -> int:
        try:
            moment = parse_local(since, runtime.zone)
        except ValueError as exc:
            raise ApiError(message=f"since: {exc}") from exc
        endpoint = await webhooks.find_endpoint(session, endpoint_id=endpoint_id)
        now = runtime.clock.now()
        return await webhooks.recover_endpoint(session, endpoint=endpoint, since=moment, now=now)

    queued = _in_transaction(work)
    typer.echo(f"queued {queued} {'order' if queued == 1 else 'orders'} again for {endpoint_id}")


@coupons_app.command("create")
def coupons_create(
    code: Annotated[str, typer.Option(help="What customers type, e.g. ZOMER10.")],
    percentage: Annotated[int | None, typer.Option(help="A percentage coupon (1-100).")] = None,
    amount: Annotated[str | None, typer.Option(help="A fixed amount in euros, e.g. 7.50.")] = None,
    scope: Annotated[
        CouponScope, typer.Option(help="Products, or Total (shipping included).")
    ] = CouponScope.PRODUCTS,
    expires: Annotated[
        str | None, typer.Option(help="Local date/time it expires, e.g. 2026-12-31T23:59:59.")
    ] = None,
    usage_limit: Annotated[int | None, typer.Option(help="How many orders may use it.")] = None,
) -> None:
    """Create a coupon (a percentage or an amount)."""
    from printapi.coupons import service as coupons
    from printapi.kit.wire import parse_local

    async def work(session: AsyncSession, runtime: Runtime) -> str:
        try:
            expires_at = parse_local(expires, runtime.zone) if expires else None
            value = Decimal(amount) if amount is not None else None
        except (ValueError, ArithmeticError) as exc:
            raise ApiError(message=f"bad value: {exc}") from exc
        coupon = await coupons.create(
            session,
            code=code,
            type=CouponType.PERCENTAGE if percentage is not None else CouponType.AMOUNT,
            scope=scope,
            amount=value,
            percentage=percentage,
            expires_at=expires_at,
            usage_limit=usage_limit,
            now=runtime.clock.now(),
        )
        return f"coupon {coupon.code} created"

    typer.echo(_in_transaction(work))


@coupons_app.command("list")
def coupons_list() -> None:
    """All coupons with their use."""
    from printapi.coupons import service as coupons

    async def work(session: AsyncSession, _runtime: Runtime) -> list[str]:
        return [
            f"{c.code}  {c.type} {c.percentage or c.amount}  {c.scope}  used {c.used}/{c.usage_limit or '∞'}"
            for c in await coupons.all_coupons(session)
        ]

    for line in _in_transaction(work):
        typer.echo(line)


@coupons_app.command("remove")
def coupons_remove(code: Annotated[str, typer.Argument(help="The coupon code.")]) -> None:
    """Delete a coupon."""
    from printapi.coupons import service as coupons

    async def work(session: AsyncSession, _runtime: Runtime) -> None:
        await coupons.remove(session, code=code)

    _in_transaction(work)
    typer.echo(f"coupon {code} removed")


PROGRESS_SECONDS = 2.0


@files_app.command("migrate-storage")
def files_migrate_storage(
    source: Annotated[
        str | None,
        typer.Option("--from", help="The directory the files are in now (default: PRINTAPI_STORAGE_DIR)."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Count what would be copied; copy nothing.")
    ] = False,
) -> None:
    """Copy the stored print files from local disk to the object store of PRINTAPI_STORAGE_URL.

    Keys stay the same, so the database is not changed; a file already in the store with the same
    size is skipped, so an interrupted run is resumed by running it again.
    """
    from printapi.files import service as files
    from printapi.kit.storage import LocalStorage, StorageUnavailable

    settings = _settings()
    if settings.s3_bucket is None:
        typer.echo(
            "error: PRINTAPI_STORAGE_URL must name the object store to copy to (s3://bucket/prefix)", err=True
        )
        raise typer.Exit(2)
    folder = Path(source.removeprefix("file://") if source else settings.storage_dir)
    if not folder.is_dir():
        typer.echo(f"error: {folder} is not a directory", err=True)
        raise typer.Exit(2)
    shown = [0.0]

    def progress(done: files.Migration) -> None:
        if time.monotonic() - shown[0] >= PROGRESS_SECONDS:
            shown[0] = time.monotonic()
            typer.echo(done.line())

    async def work(runtime: Runtime) -> files.Migration:
        return await files.migrate_storage(
            db=runtime.db,
            source=LocalStorage(folder),
            target=runtime.storage,
            dry_run=dry_run,
            progress=progress,
        )

    try:
        done = asyncio.run(_with_runtime(settings, work))
    except StorageUnavailable as exc:
        typer.echo(f"error: {exc}; run the command again to go on where it stopped", err=True)
        raise typer.Exit(1) from exc
    typer.echo(done.line())
    for key in done.missing:
        typer.echo(f"missing from {folder}: {key}", err=True)


def main() -> None:
    app(prog_name="printapi")


if __name__ == "__main__":
    main()
