"""Probe: how long the webhook claim takes while the queue grows from nothing, by who keeps its statistics.

The situation of the benchmark's outage run, without the HTTP: 101 endpoints, 100 of them with a
call in flight at their cap of one (they never answer), one healthy at the default cap. Every
``--tick`` seconds an order change per endpoint-batch queues ``--rows`` notifications (10,000 a
second by default, as 100 changes/s to an account with 101 endpoints), and one claim runs, as
the worker's would, its healthy rows then marked delivered. The queue was analysed while empty,
as a fresh database is. Each variant gets a fresh PostgreSQL database:

- ``job``: the worker's queue-statistics job (``kit/statistics.analyze_stale``) every 0.5 s;
- ``autovacuum``: nothing but autovacuum, with every column of the queue sampled at statistics
  target 10 (autovacuum analyses whole tables); what it does depends on the server's
  ``autovacuum_naptime``, which is reported;
- ``none``: autovacuum off for the table: the plan of an empty table throughout (what a
  server whose autovacuum looks once a minute gives for up to a minute).

It prints the claim's duration by second of the run and writes nothing:

    .venv/bin/python bench/queue_statistics.py [--pg postgresql://postgres@127.0.0.1:5432]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text

import server
from common import percentile
from printapi import migrate
from printapi.kit import statistics
from printapi.kit.db import Database, create_database
from printapi.webhooks.repository import attempts
from printapi.worker import QUEUE_TABLES

VARIANTS = ("job", "autovacuum", "none")
DEAD = 100
QUEUE = "webhook_notifications"


async def setup(db: Database, variant: str) -> None:
    """An account with one healthy endpoint (pk 1) and 100 dead ones, each with a call in flight."""
    async with db.write() as session:
        await session.execute(
            text(
                "INSERT INTO accounts (id, email, role, created_at) "
                "VALUES (1, 'probe@example.nl', 'owner', now())"
            )
        )
        await session.execute(
            text(
                "INSERT INTO webhook_endpoints (pk, id, account_id, environment, url, enabled, secret, "
                "created_at, updated_at, concurrency) SELECT n, 'ep_' || n, 1, 'test', "
                "'https://ep' || n || '.example/h', true, 'whsec_x', now(), now(), "
                "CASE WHEN n = 1 THEN 8 ELSE 1 END FROM generate_series(1, :endpoints) n"
            ),
            {"endpoints": DEAD + 1},
        )
        await insert_rows(session, first_order=-10, per_endpoint=1, leased=True)
        columns = await session.execute(
            text("SELECT attname FROM pg_attribute WHERE attrelid = CAST(:t AS regclass) AND attnum > 0"),
            {"t": QUEUE},
        )
        if variant == "autovacuum":
            targets = ", ".join(f'ALTER COLUMN "{name}" SET STATISTICS 10' for name in columns.scalars())
            await session.execute(text(f"ALTER TABLE {QUEUE} {targets}"))
        if variant == "none":
            await session.execute(text(f"ALTER TABLE {QUEUE} SET (autovacuum_enabled = false)"))
    async with db.write() as session:
        await session.execute(text("DELETE FROM webhook_notifications WHERE locked_until IS NULL"))
        await session.execute(text("ANALYZE webhook_notifications"))  # as a fresh database is: (nearly) empty


async def insert_rows(session: object, *, first_order: int, per_endpoint: int, leased: bool = False) -> None:
    """``per_endpoint`` pending notifications of every endpoint; ``leased``: of every dead one, in flight."""
    await session.execute(  # type: ignore[attr-defined]
        text(
            "INSERT INTO webhook_notifications (id, endpoint_pk, account_id, order_pk, order_id, kind, "
            "status, attempts, next_attempt_at, locked_until, locked_by, created_at, changed_at) "
            "SELECT 'msg_' || md5(random()::text), e, 1, :first_order + o, 'o', 'status', 'pending', 0, "
            "now(), "
            "CASE WHEN :leased THEN now() + interval '1 hour' END, CASE WHEN :leased THEN 'dead' END, "
            "now(), now() "
            "FROM generate_series(CASE WHEN :leased THEN 2 ELSE 1 END, :endpoints) e, "
            "generate_series(1, :per_endpoint) o"
        ),
        {"endpoints": DEAD + 1, "per_endpoint": per_endpoint, "leased": leased, "first_order": first_order},
    )


async def claim_once(db: Database) -> float:
    started = time.perf_counter()
    async with db.write() as session:
        claimed = await attempts.claim(
            session, now=datetime.now(UTC), worker="probe", lease_seconds=60, limit=200, per_endpoint=8
        )
        await session.execute(
            text(
                "UPDATE webhook_notifications SET status = 'delivered', locked_until = NULL, "
                "locked_by = NULL WHERE pk = ANY(:k)"
            ),
            {"k": [c.pk for c in claimed if c.endpoint_pk == 1]},
        )
    return (time.perf_counter() - started) * 1000


async def analyse_every_half_second(db: Database, stop: asyncio.Event, analysed: list[str]) -> None:
    while not stop.is_set():
        async with db.write() as session:
            analysed += await statistics.analyze_stale(session, QUEUE_TABLES)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=0.5)


async def run(url: str, variant: str, *, seconds: float, tick: float, rows: int) -> None:
    db = create_database(url)
    try:
        await setup(db, variant)
        stop, analysed = asyncio.Event(), []
        job = asyncio.create_task(analyse_every_half_second(db, stop, analysed)) if variant == "job" else None
        by_second: dict[int, list[float]] = {}
        started = time.monotonic()
        per_endpoint, orders = max(1, rows // (DEAD + 1)), 0
        while (elapsed := time.monotonic() - started) < seconds:
            async with db.write() as session:
                await insert_rows(session, first_order=orders, per_endpoint=per_endpoint)
            orders += per_endpoint
            by_second.setdefault(int(elapsed), []).append(await claim_once(db))
            await asyncio.sleep(max(0.0, tick - (time.monotonic() - started - elapsed)))
        stop.set()
        if job is not None:
            await job
        async with db.read() as session:
            count = (await session.execute(text("SELECT count(*) FROM webhook_notifications"))).scalar_one()
            naptime = (await session.execute(text("SHOW autovacuum_naptime"))).scalar_one()
            last = await session.execute(
                text("SELECT last_analyze, last_autoanalyze FROM pg_stat_user_tables WHERE relname = :t"),
                {"t": QUEUE},
            )
        print(
            f"\n{variant}: {count:,} rows at the end; autovacuum_naptime {naptime}; "
            f"analyses by the job: {len(analysed)}; last analyse, autoanalyse: {last.one()}"
        )
        print("second  claims  p50 ms  max ms")
        for second, times in sorted(by_second.items()):
            print(f"{second:6}  {len(times):6}  {percentile(times, 0.5) or 0:6.1f}  {max(times):6.1f}")
    finally:
        await db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--pg", default="postgresql://postgres@127.0.0.1:5432", help="PostgreSQL server (no db)"
    )
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--tick", type=float, default=0.1)
    parser.add_argument("--rows", type=int, default=1010, help="notifications queued per tick")
    parser.add_argument("--variants", nargs="*", default=list(VARIANTS), choices=VARIANTS)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="printapi-statistics-") as folder:
        for variant in args.variants:
            with server.fresh_database("postgresql", workdir=Path(folder), admin_dsn=args.pg) as url:
                migrate.upgrade(url)
                asyncio.run(run(url, variant, seconds=args.seconds, tick=args.tick, rows=args.rows))


if __name__ == "__main__":
    main()
