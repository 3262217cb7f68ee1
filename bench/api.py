"""Benchmark of the order API (issues 2 and 19): throughput and latency of a running printapi server
beside the irreducible request.

For each setup — SQLite with one API process (as ``make run``), PostgreSQL with two — this starts
the server on a fresh database, pre-creates orders through the API, starts the external baseline
(../shared/bench/baseline_app.py under uvicorn, bench/baseline.py) on a fresh database of the
same kind with as many processes, and then, with wrk, measures:

- the external baseline ``GET /row/{id}`` and ``POST /row`` (the irreducible read and insert);
- the in-app baseline ``GET /_bench/orders/{pk}`` (one row by primary key inside our own app,
  behind our own middleware: what the stack costs shows as the gap between the two baselines);
- ``GET /v2/orders/{id}``, ``GET /v2/orders`` (a page of 20), ``GET /v2/products`` and
  ``POST /v2/orders`` (peak);

and, with hey, the latency of ``POST /v2/orders`` at half of that peak rate. Then it does the
measurements of the targets again with the server logging every request at INFO, its default,
on fresh databases of their own (the same number of orders created first), so that the two
passes differ in the log level only.

Why ratios: the machine has 2 cores and is shared, so req/s drift between runs by more than the
differences worth knowing. Both baselines run on the same machine in the same minutes; each
baseline is measured before and after the endpoints it is compared with. Reads are compared with
the baseline's read, ``POST /v2/orders`` with its insert.

Results are prepended to docs/benchmarks.md with the date, the machine and the exact commands.
This measures and reports; it asserts nothing about timing.

    .venv/bin/python bench/api.py [--duration 10] [--quick] [--only sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import baseline
import common
import doc
import loadgen
import report
import server
from common import BENCH_DIR, REPO, say, shown
from loadgen import HeyPlan, Target, WrkResult
from server import Setup

ORDER_BODY = BENCH_DIR / "order.json"
SETUPS = (
    Setup(key="sqlite", title="SQLite, one API process", database="sqlite", serve_args=("--workers", "1")),
    Setup(
        key="postgresql",
        title="PostgreSQL, two API processes",
        database="postgresql",
        serve_args=("--workers", "2", "--no-worker"),
        processes=2,
    ),
)
MASKED = "<40 random characters>"
WRK_THREADS = 2
WRK_CONNECTIONS = 32


@dataclass(frozen=True)
class Plan:
    quick: bool
    duration_s: int
    warmup_s: int
    orders: int
    admin_dsn: str

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> Plan:
        if args.quick:
            return cls(quick=True, duration_s=3, warmup_s=1, orders=200, admin_dsn=args.pg)
        return cls(quick=False, duration_s=args.duration, warmup_s=3, orders=1000, admin_dsn=args.pg)


@dataclass(frozen=True)
class Targets:
    baseline: Target
    get_order: Target
    list_orders: Target
    products: Target
    post_order: Target
    external_read: Target
    external_insert: Target


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--duration", type=int, default=10, help="seconds per measured load (default 10)")
    parser.add_argument(
        "--quick", action="store_true", help="short loads and fewer orders: checks the harness"
    )
    parser.add_argument("--only", choices=[setup.key for setup in SETUPS], help="run one setup only")
    parser.add_argument(
        "--pg", default="postgresql://postgres@127.0.0.1:5432", help="PostgreSQL server (no db)"
    )
    parser.add_argument("--note", default="", help="a sentence to put into the run's section")
    parser.add_argument("--output", type=Path, default=REPO / "docs" / "benchmarks.md")
    return parser.parse_args(argv)


def make_targets(base_url: str, token: str, *, workdir: Path, orders: int) -> Targets:
    say(f"creating {orders} orders")
    order_ids = server.create_orders(base_url, token, ORDER_BODY.read_bytes(), orders)
    server.check_baseline_keys(base_url, order_ids)
    ids_file, pks_file, rows_file = workdir / "order-ids.txt", workdir / "order-pks.txt", workdir / "rows.txt"
    ids_file.write_text("\n".join(order_ids) + "\n")
    pks_file.write_text("\n".join(str(pk) for pk in range(1, orders + 1)) + "\n")
    rows_file.write_text("\n".join(str(row) for row in range(1, baseline.ROWS + 1)) + "\n")
    return Targets(
        baseline=Target("GET /_bench/orders/{pk}", "GET", "/_bench/orders/{id}", ids_file=pks_file),
        get_order=Target("GET /v2/orders/{id}", "GET", "/v2/orders/{id}", ids_file=ids_file, token=token),
        list_orders=Target("GET /v2/orders (20)", "GET", "/v2/orders?limit=20", token=token),
        products=Target("GET /v2/products", "GET", "/v2/products", token=token),
        post_order=Target("POST /v2/orders", "POST", "/v2/orders", token=token, body_file=ORDER_BODY),
        external_read=Target("GET /row/{id}", "GET", "/row/{id}", ids_file=rows_file),
        external_insert=Target("POST /row", "POST", "/row"),
    )


def load(base_url: str, target: Target, duration_s: int) -> WrkResult:
    command = loadgen.wrk_command(
        base_url, target, duration_s=duration_s, threads=WRK_THREADS, connections=WRK_CONNECTIONS
    )
    result = loadgen.run_wrk(command)
    say(
        f"  {target.name}: {result.rps:,.0f} req/s, p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms, "
        f"non-2xx {result.non2xx_total}, socket errors {result.socket_errors}"
    )
    return result


def measure(
    plan: Plan, urls: tuple[str, str], targets: Targets, *, full: bool
) -> tuple[report.Measured, list[str]]:
    """One pass over the endpoints; ``full`` adds the in-app baseline and the catalogue."""
    ours, external = urls
    say("warming up the reads")
    for url, target in (
        (external, targets.external_read),
        (ours, targets.baseline),
        (ours, targets.get_order),
        (ours, targets.list_orders),
        (ours, targets.products),
    ):
        load(url, target, plan.warmup_s)
    say("measuring the reads")
    external_before = load(external, targets.external_read, plan.duration_s)
    in_app_before = load(ours, targets.baseline, plan.duration_s) if full else None
    reads = [targets.get_order, targets.list_orders, *([targets.products] if full else [])]
    rows = [report.Row(target.name, load(ours, target, plan.duration_s)) for target in reads]
    in_app_after = load(ours, targets.baseline, plan.duration_s) if full else None
    external_after = load(external, targets.external_read, plan.duration_s)
    # The inserts warmed up after the reads are measured: the orders placed while warming up
    # would otherwise grow the account the list counts, by as many as the placements were fast.
    say("warming up the inserts, measuring them")
    load(external, targets.external_insert, plan.warmup_s)
    load(ours, targets.post_order, plan.warmup_s)
    external_insert = load(external, targets.external_insert, plan.duration_s)
    post_peak = load(ours, targets.post_order, plan.duration_s)
    settled_s = server.wait_until_idle(ours)
    say(f"  server idle {settled_s:.1f} s after the peak run")
    hey_plan = HeyPlan.for_rate(max(post_peak.rps / 2, 1.0), min_duration_s=plan.duration_s)
    hey_command = loadgen.hey_command(
        f"{ours}/v2/orders", hey_plan, token=targets.post_order.token or "", body_file=ORDER_BODY
    )
    half_peak = loadgen.run_hey(hey_command, hey_plan)
    say(
        f"  POST at half peak ({hey_plan.target_rps:,.0f} req/s): "
        f"p99 {half_peak.p99_ms or float('nan'):.1f} ms, statuses {half_peak.statuses}"
    )
    measured = report.Measured(
        external_before=external_before,
        external_after=external_after,
        external_insert=external_insert,
        in_app_before=in_app_before,
        in_app_after=in_app_after,
        rows=rows,
        post_peak=post_peak,
        half_peak=half_peak,
    )
    return measured, hey_command


LOG_LEVELS = ("WARNING", "INFO")  # INFO: printapi's default, a JSON line per request


def bench_setup(setup: Setup, plan: Plan) -> report.SetupReport:
    """Each log level's pass on databases of its own (ours and the baseline's), made afresh and
    filled alike: a second pass on the first one's database would find the thousands of orders
    the first placed, and show the account's growth as the log level's cost."""
    say(f"setup: {setup.title}")
    names: dict[str, str] = {f"{REPO}/": ""}
    passes, commands = [], []
    for level in LOG_LEVELS:
        one_pass, command, baseline_command = bench_pass(setup, plan, level, names)
        passes.append(one_pass)
        commands.append((command, baseline_command))
    command, baseline_command = commands[0]
    return report.SetupReport(
        title=setup.title,
        serve_command=shown(command, names),
        baseline_command=shown(baseline_command, names),
        passes=passes,
    )


def bench_pass(
    setup: Setup, plan: Plan, level: str, names: dict[str, str]
) -> tuple[report.Pass, list[str], list[str]]:
    """One pass with the request log at ``level``: fresh databases, the server and the baseline
    started on them, ``plan.orders`` orders created, then every endpoint measured."""
    with tempfile.TemporaryDirectory(prefix=f"printapi-bench-{setup.key}-") as tmp:
        workdir = Path(tmp)
        (workdir / "baseline").mkdir()
        with (
            server.fresh_database(setup.database, workdir=workdir, admin_dsn=plan.admin_dsn) as database_url,
            server.fresh_database(
                setup.database, workdir=workdir / "baseline", admin_dsn=plan.admin_dsn
            ) as baseline_url,
        ):
            port, baseline_port = server.free_port(), server.free_port()
            urls = (f"http://{server.HOST}:{port}", f"http://{server.HOST}:{baseline_port}")
            settings = {**server.settings(database_url, urls[0]), "PRINTAPI_LOG_LEVEL": level}
            client_id, client_secret = server.prepare(server.environment(settings))
            command = server.serve_command(setup, port)
            names.update({f"--port {port}": "--port $PORT", f"--port {baseline_port}": "--port $PORT"})
            log_path, baseline_log = workdir / f"server-{level}.log", workdir / "baseline.log"
            env = server.environment(settings)
            with (
                baseline.running(
                    baseline_url, port=baseline_port, workers=setup.processes, log_path=baseline_log
                ) as baseline_command,
                server.running(command, env=env, base_url=urls[0], log_path=log_path),
            ):
                token = server.access_token(urls[0], client_id, client_secret)
                targets = make_targets(urls[0], token, workdir=workdir, orders=plan.orders)
                names[token] = "$TOKEN"
                say(f"request log at {level}")
                measured, hey_command = measure(plan, urls, targets, full=level == LOG_LEVELS[0])
            measured_pass = report.Pass(
                level, measured, shown(hey_command, names), server.log_problems(log_path)
            )
            return measured_pass, command, baseline_command


def durations(plan: Plan) -> str:
    return (
        f"{plan.orders} orders created first; each endpoint warmed up {plan.warmup_s} s, then measured "
        f"{plan.duration_s} s, the reads before the inserts (whose orders would grow the list's "
        f"account); hey ran {plan.duration_s} s, or longer where it needed that for "
        f"{loadgen.HEY_MIN_REQUESTS} requests"
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    setups = [setup for setup in SETUPS if args.only in (None, setup.key)]
    missing = loadgen.missing_tools()
    if missing:
        print(f"missing: {', '.join(missing)}; {loadgen.INSTALL_HINT}", file=sys.stderr)
        return 2
    if any(setup.database == "postgresql" for setup in setups) and not shutil.which("psql"):
        print("missing: psql (apt-get install -y postgresql-client), or use --only sqlite", file=sys.stderr)
        return 2
    plan = Plan.from_args(args)
    started = datetime.now(UTC)
    postgres = any(setup.database == "postgresql" for setup in setups)
    facts = common.machine(plan.admin_dsn, postgres=postgres, tools=loadgen.tool_versions())
    reports = [bench_setup(setup, plan) for setup in setups]
    shown_settings = server.settings("<fresh database>", "http://127.0.0.1:$PORT", secret_key=MASKED)
    run = report.RunReport(
        started=started,
        quick=plan.quick,
        machine=facts,
        settings=shown_settings,
        wrk_command=(
            f"wrk -t{WRK_THREADS} -c{WRK_CONNECTIONS} -d{plan.duration_s}s --timeout 10s -s bench/wrk.lua "
            "http://127.0.0.1:$PORT -- METHOD PATH IDS_FILE TOKEN BODY_FILE"
        ),
        durations=durations(plan),
        setups=reports,
        note=args.note,
    )
    doc.prepend(args.output, report.render(run))
    for setup_report in reports:
        for line in report.summary(setup_report, quick=plan.quick):
            say(line.replace("**", ""))
    say(f"written to {args.output}")
    return 0 if all(setup_report.clean for setup_report in reports) else 1


if __name__ == "__main__":
    sys.exit(main())
