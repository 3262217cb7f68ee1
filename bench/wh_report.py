"""The webhook section of docs/benchmarks.md: figures of bench/webhooks.py and the targets of issue 3."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from wh_ceiling import CeilingResult

PG_MIN_DELIVERIES_PER_S = 1000.0
P99_MAX_MS = 500.0
P99_TARGET_RATE = 100.0
DEAD_MAX_RATIO = 2.0
BEHIND = 0.9  # a driver that achieved less than this share of its planned rate fell behind


@dataclass(frozen=True)
class Tuning:
    """The worker settings the benchmark may tune; all of them are reported."""

    max_in_flight: int
    per_endpoint: int
    claim_batch: int
    poll_seconds: float

    def env(self) -> dict[str, str]:
        return {
            "PRINTAPI_WEBHOOK_MAX_IN_FLIGHT": str(self.max_in_flight),
            "PRINTAPI_WEBHOOK_PER_ENDPOINT": str(self.per_endpoint),
            "PRINTAPI_WEBHOOK_CLAIM_BATCH": str(self.claim_batch),
            "PRINTAPI_WORKER_POLL_SECONDS": f"{self.poll_seconds:g}",
        }


@dataclass(frozen=True)
class ThroughputResult:
    database: str
    workers: int
    tuned: bool
    tuning: Tuning
    endpoints: int
    notifications: int
    queue_s: float  # placing the orders and queueing their notifications
    wall_s: float  # worker start until no notification was pending
    first_receipt_s: float | None  # worker start until the sink's first request
    steady_rps: float | None  # between the sink's first and last request
    received: int
    duplicates: int
    statuses: dict[str, int]

    @property
    def rps(self) -> float:
        return self.statuses.get("delivered", 0) / self.wall_s if self.wall_s else 0.0

    @property
    def complete(self) -> bool:
        return self.statuses == {"delivered": self.notifications} and self.duplicates == 0


@dataclass(frozen=True)
class LatencyResult:
    database: str
    planned_rate: float
    dead_endpoints: int
    changes: int  # committed by the driver
    skipped: int  # not begun in time: the driver was too far behind
    errors: list[str]
    achieved_rate: float
    driver_lag_p99_ms: float | None  # commit time minus the time the change was due
    min_ms: float | None
    p50_ms: float | None
    p99_ms: float | None
    max_ms: float | None
    missing: int  # committed changes whose call the healthy endpoint never got
    duplicates: int
    tarpit_connections: int

    @property
    def fell_behind(self) -> bool:
        return self.achieved_rate < BEHIND * self.planned_rate


@dataclass(frozen=True)
class WebhookRun:
    started: datetime
    quick: bool
    machine: dict[str, str]
    command: str
    settings: dict[str, str]
    plan_text: str
    ceiling_before: CeilingResult
    ceiling_after: CeilingResult
    throughput: list[ThroughputResult]
    latency: list[LatencyResult]
    throughput_per_endpoint: int
    log_problems: dict[str, list[str]] = field(default_factory=dict)  # by process: its WARNING lines
    note: str = ""

    @property
    def ceiling_rps(self) -> float:
        return (self.ceiling_before.rps + self.ceiling_after.rps) / 2


def _ms(value: float | None) -> str:
    return f"{value:,.1f}" if value is not None else "n/a"


def _ceiling_table(run: WebhookRun) -> list[str]:
    lines = [
        "| when | concurrency | seconds | requests/s | non-200 | errors |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for when, result in (("before", run.ceiling_before), ("after", run.ceiling_after)):
        lines.append(
            f"| {when} | {result.concurrency} | {result.duration_s:.1f} | {result.rps:,.0f} "
            f"| {result.non_200} | {result.errors} |"
        )
    return lines


def _statuses(result: ThroughputResult) -> str:
    return ", ".join(f"{count:,} {status}" for status, count in sorted(result.statuses.items())) or "none"


def _throughput_table(run: WebhookRun) -> list[str]:
    lines = [
        "| database | worker processes | `PER_ENDPOINT` × endpoints | notifications | queued in s "
        "| **deliveries/s** (start → all delivered) | ratio to ceiling | first call after s "
        "| steady deliveries/s (first → last call) | outcome | duplicates |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|",
    ]
    for r in run.throughput:
        first = f"{r.first_receipt_s:.2f}" if r.first_receipt_s is not None else "n/a"
        steady = f"{r.steady_rps:,.0f}" if r.steady_rps is not None else "n/a"
        ratio = r.rps / run.ceiling_rps if run.ceiling_rps else 0.0
        cap = f"{r.tuning.per_endpoint} × {r.endpoints}" + ("" if r.tuned else " (defaults)")
        lines.append(
            f"| {r.database} | {r.workers} | {cap} | {r.notifications:,} | {r.queue_s:.1f} "
            f"| **{r.rps:,.0f}** | {ratio:.2f} | {first} | {steady} | {_statuses(r)} | {r.duplicates} |"
        )
    return lines


def _latency_table(run: WebhookRun) -> list[str]:
    lines = [
        "| database | endpoints timing out | planned changes/s | achieved changes/s | changes "
        "| min ms | p50 ms | **p99 ms** | max ms | never received | driver lag p99 ms | tarpit connections |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in run.latency:
        behind = " (**fell behind**)" if r.fell_behind else ""
        errors = f" + {len(r.errors)} failed" if r.errors else ""
        errors += f" ({r.skipped:,} skipped)" if r.skipped else ""
        lines.append(
            f"| {r.database} | {r.dead_endpoints} | {r.planned_rate:g} | {r.achieved_rate:,.0f}{behind} "
            f"| {r.changes:,}{errors} | {_ms(r.min_ms)} | {_ms(r.p50_ms)} | **{_ms(r.p99_ms)}** "
            f"| {_ms(r.max_ms)} | {r.missing} | {_ms(r.driver_lag_p99_ms)} | {r.tarpit_connections:,} |"
        )
    return lines


def _verdict(met: bool, *, quick: bool, trusted: bool = True) -> str:
    if not trusted:
        return "not judged: the run was incomplete"
    verdict = "**met**" if met else "**not met**"
    return f"{verdict} in this harness check (not a result)" if quick else verdict


def _throughput_target(run: WebhookRun) -> list[str]:
    postgres = [r for r in run.throughput if r.database == "PostgreSQL"]
    if not postgres:
        return []
    best = max(postgres, key=lambda r: r.rps)
    each = "; ".join(
        f"{r.workers} worker(s), {'tuned' if r.tuned else 'defaults'}: {r.rps:,.0f}/s" for r in postgres
    )
    trusted = all(r.complete for r in postgres)
    verdict = _verdict(best.rps >= PG_MIN_DELIVERIES_PER_S, quick=run.quick, trusted=trusted)
    return [f"- PostgreSQL ≥ {PG_MIN_DELIVERIES_PER_S:,.0f} deliveries/s: {each} → {verdict}"]


def _clean(run: WebhookRun, database: str) -> LatencyResult | None:
    return next(
        (
            r
            for r in run.latency
            if r.database == database and r.dead_endpoints == 0 and r.planned_rate == P99_TARGET_RATE
        ),
        None,
    )


def _p99_verdict(result: LatencyResult, limit_ms: float, *, quick: bool) -> str:
    """Calls never received make the p99 a lower bound: enough for "not met", never for "met"."""
    if result.p99_ms is None:
        return "not judged: no call was received"
    if result.missing and result.p99_ms < limit_ms:
        return f"not judged: {result.missing} calls never received"
    return _verdict(result.p99_ms < limit_ms, quick=quick)


def _latency_targets(run: WebhookRun, database: str) -> list[str]:
    clean = _clean(run, database)
    if clean is None:
        return []
    lower = " (a lower bound: some calls never came)" if clean.missing else ""
    behind = f" (the driver reached {clean.achieved_rate:,.0f}/s only)" if clean.fell_behind else ""
    lines = [
        f"- {database}, p99 < {P99_MAX_MS:.0f} ms at {P99_TARGET_RATE:g} changes/s: "
        f"{_ms(clean.p99_ms)} ms{lower}{behind} → {_p99_verdict(clean, P99_MAX_MS, quick=run.quick)}"
    ]
    dead = next((r for r in run.latency if r.database == database and r.dead_endpoints), None)
    if dead is None:
        return lines
    head = (
        f"- {database}, healthy p99 within {DEAD_MAX_RATIO:g}× of the clean run while "
        f"{dead.dead_endpoints} endpoints time out: "
    )
    if not clean.p99_ms or dead.p99_ms is None:
        return [*lines, head + "no figure → not judged"]
    limit = DEAD_MAX_RATIO * clean.p99_ms
    lower = " (a lower bound: some calls never came)" if dead.missing else ""
    ratio = dead.p99_ms / clean.p99_ms
    verdict = _p99_verdict(dead, limit, quick=run.quick)
    behind = f" (the driver reached {dead.achieved_rate:,.0f}/s only)" if dead.fell_behind else ""
    return [*lines, head + f"{_ms(dead.p99_ms)} ms = {ratio:.1f}×{lower}{behind} → {verdict}"]


TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d\S*\s*")


def _problems(run: WebhookRun) -> list[str]:
    """The distinct WARNING-or-worse lines of each process, with how often each came."""
    lines = [
        f"{where}: {TIMESTAMP.sub('', line).strip()}"
        for where, found in run.log_problems.items()
        for line in found
    ]
    for delay in run.latency:
        lines += [f"driver, {delay.database}, {delay.planned_rate:g}/s: {error}" for error in delay.errors]
    if not lines:
        return ["Worker, sink and driver logs (level WARNING): empty."]
    counted = Counter(lines)
    return [
        f"Worker, sink and driver logs (level WARNING): {len(lines)} lines, {len(counted)} distinct; "
        "the most frequent:",
        "",
        "```",
        *(f"{count}× {line[:250]}" for line, count in counted.most_common(8)),
        "```",
    ]


def render(run: WebhookRun) -> str:
    kind = "harness check (`--quick`): short runs, figures are not results" if run.quick else "full run"
    machine = "; ".join(f"{name}: {value}" for name, value in run.machine.items())
    settings = " ".join(f"{name}={value}" for name, value in run.settings.items())
    databases = sorted({r.database for r in run.latency}, reverse=True)
    return "\n".join(
        [
            f"## {run.started:%Y-%m-%d %H:%M} UTC — webhooks: {kind}",
            "",
            *([run.note, ""] if run.note else []),
            f"Machine: {machine}.",
            "",
            f"Command: `{run.command}`. {run.plan_text}",
            "",
            f"Worker settings: `{settings}`; the tuned deliveries/s runs differ only in "
            f"`PRINTAPI_WEBHOOK_PER_ENDPOINT={run.throughput_per_endpoint}`. The webhook timeout is the "
            "default 10 s; secret key and database are made fresh per database.",
            "",
            "### Ceiling: a bare aiohttp client posting to the sink",
            "",
            *_ceiling_table(run),
            "",
            "### Deliveries per second",
            "",
            *_throughput_table(run),
            "",
            "### Commit-to-receipt latency of the healthy endpoint",
            "",
            *_latency_table(run),
            "",
            "Targets:",
            "",
            *_throughput_target(run),
            *(line for database in databases for line in _latency_targets(run, database)),
            "",
            *_problems(run),
            "",
        ]
    )
