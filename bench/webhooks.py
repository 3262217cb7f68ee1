"""Benchmark of webhook delivery (issue 3, webhooks.md §6): throughput and latency of `printapi worker`.

In one run, against a loopback sink in its own process that answers 200 at once (bench/wh_sink.py):

1. the ceiling: a bare aiohttp client posting to the sink (before and after the rest);
2. deliveries/s: a batch of notifications queued through the app's services, then `printapi worker`
   started, timed until none is pending — on SQLite, and on PostgreSQL with one worker, then two;
3. commit-to-receipt latency: a driver process moves orders Created → Processing at a fixed rate,
   each in its own transaction; the sink's receipt time minus the commit time, matched by orderId;
4. the same at 100 changes/s with 100 more endpoints on a tarpit that never answers.

Results are prepended to docs/benchmarks.md. This measures and reports; it asserts nothing about timing.

    .venv/bin/python bench/webhooks.py [--quick] [--only sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import math
import re
import secrets
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Coroutine
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import common
import doc
import server
import wh_ceiling
import wh_procs
from common import REPO, percentile, say
from printapi.auth.principal import Principal
from wh_ceiling import CeilingResult
from wh_data import AppData
from wh_procs import Receipt, Sink
from wh_report import LatencyResult, ThroughputResult, Tuning, WebhookRun, render

T = TypeVar("T")
HEALTHY_PATH = "/hook/latency"
WARM_UP_CHANGES = 20
DRIVER_WARM_UP_CHANGES = 10
DRIVER_STOP_FACTOR = 2.0  # a driver this many times the planned duration behind skips the rest
LATENCY_RATES = (100.0, 500.0)
DEAD_RATE = 100.0
POLL_S = 0.1
DELIVERY_TIMEOUT_S = 30.0
MASKED = "<40 random characters>"
# A log record at WARNING or worse, or the last line of a traceback.
PROBLEM_LINE = re.compile(
    r"\[(warning|error|critical)\s*\]|\"level\": \"(warning|error|critical)\"|^\w+(Error|Exception)\b"
)


@dataclass(frozen=True)
class Delivery:
    """One deliveries/s measurement: worker processes, and the tuned settings or the defaults."""

    workers: int
    tuned: bool


@dataclass(frozen=True)
class Database:
    key: str
    title: str
    deliveries: tuple[Delivery, ...]


DATABASES = (
    Database("sqlite", "SQLite", (Delivery(1, tuned=True),)),
    Database(
        "postgresql",
        "PostgreSQL",
        (Delivery(1, tuned=False), Delivery(1, tuned=True), Delivery(2, tuned=True)),
    ),
)


@dataclass(frozen=True)
class Plan:
    quick: bool
    notifications: int
    untuned_notifications: int
    endpoints: int
    dead_endpoints: int
    ceiling_s: float
    ceiling_concurrency: int
    latency_s: float
    compared_s: float
    driver_concurrency: int
    tuning: Tuning
    throughput_tuning: Tuning
    admin_dsn: str

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> Plan:
        tuning = Tuning(
            max_in_flight=args.max_in_flight,
            per_endpoint=args.per_endpoint,
            claim_batch=args.claim_batch,
            poll_seconds=args.poll_seconds,
        )
        notifications = 2000 if args.quick else args.notifications
        return cls(
            quick=args.quick,
            notifications=notifications,
            untuned_notifications=min(notifications, args.untuned_notifications),
            endpoints=args.endpoints,
            dead_endpoints=args.dead_endpoints,
            ceiling_s=3.0 if args.quick else 10.0,
            ceiling_concurrency=args.ceiling_concurrency,
            latency_s=3.0 if args.quick else 10.0,
            compared_s=3.0 if args.quick else args.compared_seconds,
            driver_concurrency=args.driver_concurrency,
            tuning=tuning,
            throughput_tuning=replace(tuning, per_endpoint=args.throughput_per_endpoint),
            admin_dsn=args.pg,
        )

    def seconds_at(self, rate: float) -> float:
        """The clean run at DEAD_RATE lasts as long as the run with dead endpoints it is compared with."""
        return self.compared_s if rate == DEAD_RATE else self.latency_s

    def text(self) -> str:
        return (
            f"Deliveries: {self.notifications:,} notifications per tuned measurement and "
            f"{self.untuned_notifications:,} with the defaults ({self.endpoints} endpoints on the sink, "
            f"paths `/hook/throughput-…/0..{self.endpoints - 1}`, queued in transactions of 100 orders). "
            f"Ceiling: {self.ceiling_concurrency} concurrent POSTs for {self.ceiling_s:g} s, before and "
            f"after the rest (the ratio uses their mean). Latency: one endpoint on the sink, one worker "
            f"process (the defaults), {WARM_UP_CHANGES} changes waited for one by one first; then "
            f"{DEAD_RATE:g} changes/s for {self.compared_s:g} s and each other rate for {self.latency_s:g} s "
            f"from a driver process (at most {self.driver_concurrency} transactions at once, "
            f"{DRIVER_WARM_UP_CHANGES} unreported changes first; a change that cannot begin within "
            f"{DRIVER_STOP_FACTOR:g}× the run's length is skipped); then {self.dead_endpoints} more "
            f"endpoints on a tarpit that accepts and never answers, at {DEAD_RATE:g} changes/s for "
            f"{self.compared_s:g} s. The sink, the driver, the workers and PostgreSQL share the 2 cores."
        )


@dataclass
class Bench:
    """One database's part of the run: its loop, its data, the sink and the workers' settings."""

    plan: Plan
    title: str
    runner: asyncio.Runner
    data: AppData
    sink: Sink
    database_url: str
    secret_key: str
    workdir: Path
    problems: dict[str, list[str]]

    def env(self, tuning: Tuning) -> dict[str, str]:
        return server.environment(worker_settings(self.database_url, tuning, secret_key=self.secret_key))

    def run(self, work: Coroutine[Any, Any, T]) -> T:
        return self.runner.run(work)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--quick", action="store_true", help="short runs, fewer notifications: checks the harness"
    )
    parser.add_argument("--only", choices=[database.key for database in DATABASES], help="one database only")
    parser.add_argument("--notifications", type=int, default=20000, help="per deliveries/s measurement")
    parser.add_argument("--endpoints", type=int, default=10, help="endpoints of the deliveries/s measurement")
    parser.add_argument("--dead-endpoints", type=int, default=100, help="endpoints that time out")
    parser.add_argument(
        "--compared-seconds",
        type=float,
        default=35.0,
        help="length of the two runs at 100 changes/s, clean and with dead endpoints, whose p99s are "
        "compared: several times the 10 s timeout, so that the calls that time out come back during it",
    )
    parser.add_argument("--max-in-flight", type=int, default=2048, help="PRINTAPI_WEBHOOK_MAX_IN_FLIGHT")
    parser.add_argument("--per-endpoint", type=int, default=8, help="PRINTAPI_WEBHOOK_PER_ENDPOINT")
    parser.add_argument("--claim-batch", type=int, default=200, help="PRINTAPI_WEBHOOK_CLAIM_BATCH")
    parser.add_argument("--poll-seconds", type=float, default=1.0, help="PRINTAPI_WORKER_POLL_SECONDS")
    parser.add_argument(
        "--throughput-per-endpoint",
        type=int,
        default=100,
        help="PRINTAPI_WEBHOOK_PER_ENDPOINT of the tuned deliveries/s runs",
    )
    parser.add_argument(
        "--untuned-notifications", type=int, default=2000, help="of the deliveries/s run with the defaults"
    )
    parser.add_argument("--ceiling-concurrency", type=int, default=128)
    parser.add_argument("--driver-concurrency", type=int, default=8)
    parser.add_argument(
        "--pg", default="postgresql://postgres@127.0.0.1:5432", help="PostgreSQL server (no db)"
    )
    parser.add_argument("--note", default="", help="a paragraph to put into the run's section")
    parser.add_argument("--note-file", type=Path, help="a file whose text goes into the run's section")
    parser.add_argument("--output", type=Path, default=REPO / "docs" / "benchmarks.md")
    return parser.parse_args(argv)


def worker_settings(database_url: str, tuning: Tuning, *, secret_key: str) -> dict[str, str]:
    return {
        "PRINTAPI_MODE": "production",
        "PRINTAPI_SECRET_KEY": secret_key,
        "PRINTAPI_DATABASE_URL": database_url,
        "PRINTAPI_LOG_LEVEL": "WARNING",
        "PRINTAPI_OUTBOUND_ALLOW_NETWORKS": "127.0.0.0/8",
        **tuning.env(),
    }


# -- the ceiling -------------------------------------------------------------------------------


def ceiling(sink: Sink, plan: Plan, *, warm_up_s: float = 1.0) -> CeilingResult:
    def url_for(n: int) -> str:
        return sink.url(f"/hook/ceiling/{n % plan.endpoints}")

    asyncio.run(wh_ceiling.blast(url_for, concurrency=plan.ceiling_concurrency, duration_s=warm_up_s))
    result = asyncio.run(
        wh_ceiling.blast(url_for, concurrency=plan.ceiling_concurrency, duration_s=plan.ceiling_s)
    )
    sink.take()
    say(f"ceiling: {result.rps:,.0f} requests/s ({result.non_200} non-200, {result.errors} errors)")
    return result


# -- deliveries per second ---------------------------------------------------------------------


def wait_until_drained(bench: Bench, processes: list[subprocess.Popen[bytes]], *, timeout_s: float) -> float:
    """Seconds since now until no notification is pending (or the timeout)."""
    started = time.monotonic()
    while time.monotonic() - started < timeout_s:
        wh_procs.check_alive(processes)
        if bench.run(bench.data.pending()) == 0:
            break
        time.sleep(POLL_S)
    return time.monotonic() - started


def throughput(bench: Bench, delivery: Delivery) -> ThroughputResult:
    plan = bench.plan
    tuning = plan.throughput_tuning if delivery.tuned else plan.tuning
    name = f"throughput-{delivery.workers}-{'tuned' if delivery.tuned else 'defaults'}"
    principal = bench.run(bench.data.account(f"{name}@bench.local"))
    urls = [bench.sink.url(f"/hook/{name}/{n}") for n in range(plan.endpoints)]
    bench.run(bench.data.add_endpoints(principal, urls))
    orders = (plan.notifications if delivery.tuned else plan.untuned_notifications) // plan.endpoints
    total = orders * plan.endpoints
    say(f"{bench.title}, {name}: queueing {total:,} notifications")
    queue_started = time.perf_counter()
    bench.run(bench.data.place_orders(principal, orders, notify=True))
    queue_s = time.perf_counter() - queue_started
    bench.sink.take()
    log_dir = bench.workdir / name
    log_dir.mkdir()
    started = time.time()
    with wh_procs.running_workers(delivery.workers, env=bench.env(tuning), log_dir=log_dir) as processes:
        wall_s = wait_until_drained(bench, processes, timeout_s=max(120.0, total / 20))
    result = throughput_result(
        bench,
        delivery,
        tuning,
        bench.sink.take(),
        started=started,
        wall_s=wall_s,
        queue_s=queue_s,
        total=total,
    )
    result = replace(result, statuses=bench.run(bench.data.statuses(principal)))
    bench.problems[f"{bench.title}, {name}"] = log_problems(log_dir)
    say(
        f"  {result.rps:,.0f} deliveries/s; steady {result.steady_rps or 0:,.0f}/s; "
        f"first call after {result.first_receipt_s or 0:.2f} s; {result.statuses}"
    )
    return result


def throughput_result(
    bench: Bench,
    delivery: Delivery,
    tuning: Tuning,
    receipts: list[Receipt],
    *,
    started: float,
    wall_s: float,
    queue_s: float,
    total: int,
) -> ThroughputResult:
    times = sorted(receipt.at for receipt in receipts)
    first = times[0] - started if times else None
    steady = (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 and times[-1] > times[0] else None
    unique = len({receipt.webhook_id for receipt in receipts})
    return ThroughputResult(
        database=bench.title,
        workers=delivery.workers,
        tuned=delivery.tuned,
        tuning=tuning,
        endpoints=bench.plan.endpoints,
        notifications=total,
        queue_s=queue_s,
        wall_s=wall_s,
        first_receipt_s=first,
        steady_rps=steady,
        received=len(receipts),
        duplicates=len(receipts) - unique,
        statuses={},
    )


def log_problems(log_dir: Path) -> list[str]:
    """WARNING and worse of the worker logs, each with its exception's last line (``printapi worker``
    logs INFO and pretty tracebacks whatever PRINTAPI_LOG_LEVEL and PRINTAPI_LOG_FORMAT say)."""
    lines = [line for path in sorted(log_dir.glob("*.log")) for line in server.log_problems(path)]
    return [line for line in lines if PROBLEM_LINE.search(line)]


# -- latency -----------------------------------------------------------------------------------


def latency_suite(bench: Bench) -> list[LatencyResult]:
    plan = bench.plan
    principal = bench.run(bench.data.account("latency@bench.local"))
    bench.run(bench.data.add_endpoints(principal, [bench.sink.url(HEALTHY_PATH)]))
    seconds = [plan.seconds_at(rate) for rate in LATENCY_RATES]
    counts = [
        DRIVER_WARM_UP_CHANGES + math.ceil(rate * s) for rate, s in zip(LATENCY_RATES, seconds, strict=True)
    ]
    dead_count = DRIVER_WARM_UP_CHANGES + math.ceil(DEAD_RATE * plan.compared_s)
    total = WARM_UP_CHANGES + sum(counts) + dead_count
    say(f"{bench.title}: placing {total:,} orders for the latency runs")
    order_ids = bench.run(bench.data.place_orders(principal, total, notify=False))
    log_dir = bench.workdir / "latency"
    log_dir.mkdir()
    results = []
    with wh_procs.running_workers(1, env=bench.env(bench.plan.tuning), log_dir=log_dir) as processes:
        warm_up(bench, principal, order_ids[:WARM_UP_CHANGES], processes)
        at = WARM_UP_CHANGES
        for rate, count, duration in zip(LATENCY_RATES, counts, seconds, strict=True):
            results.append(
                latency_run(bench, principal, order_ids[at : at + count], rate=rate, dead=0, seconds=duration)
            )
            at += count
        dead_urls = [bench.sink.tarpit_url(f"/dead/{n}") for n in range(plan.dead_endpoints)]
        bench.run(bench.data.add_endpoints(principal, dead_urls))
        results.append(
            latency_run(
                bench,
                principal,
                order_ids[at : at + dead_count],
                rate=DEAD_RATE,
                dead=len(dead_urls),
                seconds=plan.compared_s,
            )
        )
        wh_procs.check_alive(processes)
    bench.problems[f"{bench.title}, latency worker"] = log_problems(log_dir)
    return results


def warm_up(
    bench: Bench, principal: Principal, order_ids: list[str], processes: list[subprocess.Popen[bytes]]
) -> None:
    """A few changes, each waited for: the worker is up, connected and listening."""
    bench.sink.take()
    expected = bench.sink.stats().received
    for order_id in order_ids:
        bench.run(bench.data.move_to_processing(principal, order_id))
        expected += 1
        stats = bench.sink.wait_for(expected, timeout_s=DELIVERY_TIMEOUT_S)
        wh_procs.check_alive(processes)
        if stats.received < expected:
            raise RuntimeError("the worker delivered no warm-up call in time")
    bench.sink.take()


def latency_run(
    bench: Bench, principal: Principal, order_ids: list[str], *, rate: float, dead: int, seconds: float
) -> LatencyResult:
    say(f"{bench.title}: {rate:g} changes/s for {seconds:g} s, {dead} endpoints timing out")
    name = f"latency-{rate:g}-{dead}"
    ids_file, out_file = bench.workdir / f"{name}.ids", bench.workdir / f"{name}.json"
    ids_file.write_text("\n".join(order_ids) + "\n")
    bench.sink.take()
    before = bench.sink.stats()
    command = wh_procs.driver_command(
        account_id=principal.account_id,
        email=principal.account_email,
        ids_file=ids_file,
        rate=rate,
        out_file=out_file,
        concurrency=bench.plan.driver_concurrency,
        warm_up=DRIVER_WARM_UP_CHANGES,
        stop_after_s=DRIVER_STOP_FACTOR * seconds,
    )
    log_path = bench.workdir / f"{name}-driver.log"
    wh_procs.run_driver(
        command, env=bench.env(bench.plan.tuning), log_path=log_path, timeout_s=seconds * 10 + 60
    )
    driven = json.loads(out_file.read_text())
    changes = [(str(oid), float(due), float(committed)) for oid, due, committed in driven["changes"]]
    expected = before.received + DRIVER_WARM_UP_CHANGES + len(changes)
    after = bench.sink.wait_for(expected, timeout_s=DELIVERY_TIMEOUT_S)
    result = latency_result(
        bench,
        changes,
        bench.sink.take(),
        rate=rate,
        dead=dead,
        skipped=int(driven["skipped"]),
        errors=[str(error) for error in driven["errors"]] + server.log_problems(log_path),
        tarpit_connections=after.tarpit_connections - before.tarpit_connections,
    )
    say(
        f"  achieved {result.achieved_rate:,.0f}/s; p50 {result.p50_ms or 0:.1f} ms, "
        f"p99 {result.p99_ms or 0:.1f} ms; never received {result.missing}"
    )
    return result


def latency_result(
    bench: Bench,
    changes: list[tuple[str, float, float]],
    receipts: list[Receipt],
    *,
    rate: float,
    dead: int,
    skipped: int,
    errors: list[str],
    tarpit_connections: int,
) -> LatencyResult:
    received: dict[str, float] = {}
    duplicates = 0
    for receipt in receipts:
        if receipt.path != HEALTHY_PATH:
            continue
        if receipt.order_id in received:
            duplicates += 1
        else:
            received[receipt.order_id] = receipt.at
    latencies = [(received[oid] - committed) * 1000 for oid, _, committed in changes if oid in received]
    lags = [(committed - due) * 1000 for _, due, committed in changes]
    span = max(c for _, _, c in changes) - min(d for _, d, _ in changes) if changes else 0.0
    return LatencyResult(
        database=bench.title,
        planned_rate=rate,
        dead_endpoints=dead,
        changes=len(changes),
        skipped=skipped,
        errors=errors,
        achieved_rate=len(changes) / span if span > 0 else 0.0,
        driver_lag_p99_ms=percentile(lags, 0.99),
        min_ms=min(latencies) if latencies else None,
        p50_ms=percentile(latencies, 0.50),
        p99_ms=percentile(latencies, 0.99),
        max_ms=max(latencies) if latencies else None,
        missing=len(changes) - len(latencies),
        duplicates=duplicates,
        tarpit_connections=tarpit_connections,
    )


# -- one database, the whole run ---------------------------------------------------------------


@dataclass
class Results:
    throughput: list[ThroughputResult] = field(default_factory=list)
    latency: list[LatencyResult] = field(default_factory=list)
    problems: dict[str, list[str]] = field(default_factory=dict)


def bench_database(database: Database, plan: Plan, sink: Sink, root: Path, results: Results) -> None:
    say(f"database: {database.title}")
    workdir = root / database.key
    workdir.mkdir()
    with server.fresh_database(database.key, workdir=workdir, admin_dsn=plan.admin_dsn) as url:
        secret_key = secrets.token_urlsafe(30)[:40]
        env = server.environment(worker_settings(url, plan.tuning, secret_key=secret_key))
        server.cli(env, "migrate")
        server.cli(env, "seed")
        with asyncio.Runner() as runner:
            data = AppData(url, secret_key)
            bench = Bench(
                plan, database.title, runner, data, sink, url, secret_key, workdir, results.problems
            )
            try:
                results.throughput += [throughput(bench, delivery) for delivery in database.deliveries]
                results.latency += latency_suite(bench)
            finally:
                runner.run(data.close())


def printapi_source() -> str:
    """Where ``printapi`` is imported from (the work tree, or a snapshot put first on PYTHONPATH)."""
    found = importlib.util.find_spec("printapi")
    origin = Path(found.origin).parent if found and found.origin else None
    if origin is None:
        return "unknown"
    return str(origin.relative_to(REPO)) if origin.is_relative_to(REPO) else str(origin)


def shown_command(argv: list[str]) -> str:
    """The command line for the docs; a note's text or file is not part of what was measured."""
    shown: list[str] = []
    hide_next = False
    for arg in argv:
        if hide_next:
            hide_next = False
            continue
        if arg in ("--note", "--note-file"):
            hide_next = True
            continue
        if not arg.startswith(("--note=", "--note-file=")):
            shown.append(arg)
    return shlex.join([".venv/bin/python", "bench/webhooks.py", *shown])


def note_of(args: argparse.Namespace) -> str:
    parts = [args.note] if args.note else []
    if args.note_file:
        parts.append(args.note_file.read_text().strip())
    return "\n\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    databases = [database for database in DATABASES if args.only in (None, database.key)]
    postgres = any(database.key == "postgresql" for database in databases)
    if postgres and not shutil.which("psql"):
        print("missing: psql (apt-get install -y postgresql-client), or use --only sqlite", file=sys.stderr)
        return 2
    plan = Plan.from_args(args)
    started = datetime.now(UTC)
    facts = common.machine(plan.admin_dsn, postgres=postgres) | {"printapi from": printapi_source()}
    results = Results()
    with tempfile.TemporaryDirectory(prefix="printapi-bench-webhooks-") as tmp:
        root = Path(tmp)
        with wh_procs.running_sink(server.environment({}), root / "sink.log") as sink:
            before = ceiling(sink, plan)
            for database in databases:
                bench_database(database, plan, sink, root, results)
            after = ceiling(sink, plan)
            results.problems["sink"] = server.log_problems(root / "sink.log")
    shown_settings = worker_settings("<fresh database>", plan.tuning, secret_key=MASKED)
    run = WebhookRun(
        started=started,
        quick=plan.quick,
        machine=facts,
        command=shown_command(sys.argv[1:] if argv is None else argv),
        settings=shown_settings,
        plan_text=plan.text(),
        ceiling_before=before,
        ceiling_after=after,
        throughput=results.throughput,
        latency=results.latency,
        throughput_per_endpoint=plan.throughput_tuning.per_endpoint,
        log_problems=results.problems,
        note=note_of(args),
    )
    doc.prepend(args.output, render(run))
    say(f"written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
