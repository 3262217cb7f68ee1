"""The order-API section of docs/benchmarks.md (bench/api.py), with the targets of issues 2 and 19
judged honestly: every endpoint as a ratio of the external baseline (the irreducible request of
../shared/bench) and, as before, of the in-app baseline."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from loadgen import HeyResult, WrkResult

# Issue 19's targets, as ratios to the external baseline in the same run.
TARGETS = {"GET /v2/orders/{id}": 0.6, "GET /v2/orders (20)": 0.4, "POST /v2/orders": 0.45}
POST_P99_MAX_MS = 100.0
NOISY_SPREAD = 0.15  # baselines further apart than this mean the machine was busy


@dataclass(frozen=True)
class Row:
    endpoint: str
    result: WrkResult


@dataclass(frozen=True)
class Measured:
    """One pass over the endpoints with the server at one log level."""

    external_before: WrkResult
    external_after: WrkResult
    external_insert: WrkResult
    in_app_before: WrkResult | None
    in_app_after: WrkResult | None
    rows: list[Row]
    post_peak: WrkResult
    half_peak: HeyResult

    @property
    def external_read_rps(self) -> float:
        return (self.external_before.rps + self.external_after.rps) / 2

    @property
    def in_app_rps(self) -> float | None:
        if self.in_app_before is None or self.in_app_after is None:
            return None
        return (self.in_app_before.rps + self.in_app_after.rps) / 2

    @property
    def spread(self) -> float:
        """How far apart the two runs of the external read were, as a fraction of the faster."""
        before, after = self.external_before.rps, self.external_after.rps
        return abs(before - after) / max(before, after) if max(before, after) else 0.0

    def external_ratio(self, result: WrkResult, *, insert: bool = False) -> float:
        reference = self.external_insert.rps if insert else self.external_read_rps
        return result.rps / reference if reference else 0.0

    def in_app_ratio(self, result: WrkResult) -> float | None:
        reference = self.in_app_rps
        return result.rps / reference if reference else None

    def result(self, endpoint: str) -> WrkResult:
        if endpoint == "POST /v2/orders":
            return self.post_peak
        return next(row.result for row in self.rows if row.endpoint == endpoint)

    @property
    def clean(self) -> bool:
        loads = [self.external_before, self.external_after, self.external_insert, self.post_peak]
        loads += [load for load in (self.in_app_before, self.in_app_after) if load is not None]
        loads += [row.result for row in self.rows]
        wrk_clean = all(load.non2xx_total == 0 and load.socket_errors == 0 for load in loads)
        return wrk_clean and self.half_peak.non2xx_total == 0 and self.half_peak.errors == 0


@dataclass(frozen=True)
class Pass:
    log_level: str
    measured: Measured
    hey_command: str
    log_problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SetupReport:
    title: str
    serve_command: str
    baseline_command: str
    passes: list[Pass]

    @property
    def clean(self) -> bool:
        return all(one.measured.clean for one in self.passes)


@dataclass(frozen=True)
class RunReport:
    started: datetime
    quick: bool
    machine: dict[str, str]
    settings: dict[str, str]
    wrk_command: str
    durations: str
    setups: list[SetupReport]
    note: str = ""


def _errors(result: WrkResult) -> str:
    parts = [f"{count}× {status}" for status, count in sorted(result.non2xx.items())]
    if result.socket_errors:
        parts.append(f"{result.socket_errors} socket errors")
    return ", ".join(parts) or "0"


def _ratio(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def _line(endpoint: str, result: WrkResult, external: float | None, in_app: float | None) -> str:
    return (
        f"| {endpoint} | {result.rps:,.0f} | {_ratio(external)} | {_ratio(in_app)} | {result.p50_ms:.1f} "
        f"| {result.p99_ms:.1f} | {_errors(result)} |"
    )


def _table(measured: Measured) -> list[str]:
    m = measured
    lines = [
        "| endpoint | req/s | ratio to external baseline | ratio to in-app baseline "
        "| p50 ms | p99 ms | non-2xx |",
        "|---|---:|---:|---:|---:|---:|---|",
        _line(
            "external `GET /row/{id}` (before)", m.external_before, m.external_ratio(m.external_before), None
        ),
    ]
    if m.in_app_before is not None:
        lines.append(
            _line(
                "in-app `GET /_bench/orders/{pk}` (before)",
                m.in_app_before,
                m.external_ratio(m.in_app_before),
                m.in_app_ratio(m.in_app_before),
            )
        )
    lines += [
        _line(f"`{row.endpoint}`", row.result, m.external_ratio(row.result), m.in_app_ratio(row.result))
        for row in m.rows
    ]
    if m.in_app_after is not None:
        lines.append(
            _line(
                "in-app `GET /_bench/orders/{pk}` (after)",
                m.in_app_after,
                m.external_ratio(m.in_app_after),
                m.in_app_ratio(m.in_app_after),
            )
        )
    lines.append(
        _line("external `GET /row/{id}` (after)", m.external_after, m.external_ratio(m.external_after), None)
    )
    lines.append(_line("external `POST /row`", m.external_insert, 1.0, None))
    lines.append(
        _line(
            "`POST /v2/orders` (peak; ratio to the external insert)",
            m.post_peak,
            m.external_ratio(m.post_peak, insert=True),
            m.in_app_ratio(m.post_peak),
        )
    )
    return lines


def _half_peak(hey: HeyResult) -> str:
    p50 = f"{hey.p50_ms:.1f}" if hey.p50_ms is not None else "n/a"
    p99 = f"{hey.p99_ms:.1f}" if hey.p99_ms is not None else "n/a"
    statuses = ", ".join(f"{count}× {status}" for status, count in sorted(hey.statuses.items())) or "none"
    behind = " (**fell behind the planned rate**)" if hey.achieved_rps < 0.9 * hey.plan.target_rps else ""
    return (
        f"`POST /v2/orders` at half peak with hey: planned {hey.plan.target_rps:,.0f} req/s "
        f"({hey.plan.workers} workers × {hey.plan.per_worker_qps:g}/s), "
        f"achieved {hey.achieved_rps:,.0f} req/s{behind}; p50 {p50} ms, **p99 {p99} ms**, "
        f"slowest {hey.slowest_ms or 0:.1f} ms; statuses {statuses}; {hey.errors} transport errors."
    )


def _verdict(met: bool, measured: Measured, *, quick: bool) -> str:
    if not measured.clean:
        return "not judged: the run had errors"
    verdict = "**met**" if met else "**not met**"
    if quick:
        return f"{verdict} in this harness check (not a result)"
    if measured.spread > NOISY_SPREAD:
        return f"{verdict}, on a noisy run"
    return verdict


def target_lines(measured: Measured, *, quick: bool) -> list[str]:
    lines = []
    for endpoint, minimum in TARGETS.items():
        ratio = measured.external_ratio(measured.result(endpoint), insert=endpoint.startswith("POST"))
        lines.append(
            f"- `{endpoint}` ≥ {minimum} of the external baseline: {ratio:.2f} → "
            f"{_verdict(ratio >= minimum, measured, quick=quick)}"
        )
    p99 = measured.half_peak.p99_ms
    p99_text = f"{p99:.1f} ms" if p99 is not None else "no figure"
    met = p99 is not None and p99 < POST_P99_MAX_MS
    lines.append(
        f"- `POST /v2/orders` p99 < {POST_P99_MAX_MS:.0f} ms at half peak: {p99_text} → "
        f"{_verdict(met, measured, quick=quick)}"
    )
    return lines


def _log(one: Pass) -> list[str]:
    if not one.log_problems:
        return [f"Server log: no warnings or errors (level {one.log_level})."]
    shown = "\n".join(line[:300] for line in one.log_problems[:5])
    return [f"Server log: {len(one.log_problems)} warnings or errors; the first:", "", "```", shown, "```"]


def render_pass(one: Pass, *, quick: bool) -> list[str]:
    m = one.measured
    noise = (
        [f"The two runs of the external read differ by {m.spread:.0%}: the machine was busy.", ""]
        if m.spread > NOISY_SPREAD
        else []
    )
    return [
        f"#### Request log at {one.log_level}",
        "",
        *_table(m),
        "",
        _half_peak(m.half_peak),
        "",
        f"hey: `{one.hey_command}`",
        "",
        *noise,
        "Targets:",
        "",
        *target_lines(m, quick=quick),
        "",
        *_log(one),
        "",
    ]


def render_setup(report: SetupReport, *, quick: bool) -> list[str]:
    lines = [
        f"### {report.title}",
        "",
        f"Server: `{report.serve_command}`",
        "",
        f"External baseline: `{report.baseline_command}` (its own fresh database of the same kind)",
        "",
    ]
    for one in report.passes:
        lines += render_pass(one, quick=quick)
    return lines


def summary(report: SetupReport, *, quick: bool) -> list[str]:
    return [
        f"{report.title}, log at {one.log_level}: " + "; ".join(target_lines(one.measured, quick=quick))
        for one in report.passes
    ]


def render(run: RunReport) -> str:
    kind = "harness check (`--quick`): short runs, figures are not results" if run.quick else "full run"
    machine = "; ".join(f"{name}: {value}" for name, value in run.machine.items())
    settings = " ".join(f"{name}={value}" for name, value in run.settings.items())
    lines = [
        f"## {run.started:%Y-%m-%d %H:%M} UTC — order API: {kind}",
        "",
        *([run.note, ""] if run.note else []),
        f"Machine: {machine}.",
        "",
        f"Settings: `{settings}`; each setup is measured twice, with the request log at WARNING "
        "(nothing per request) and at INFO (printapi's default: a JSON line per request, to a file). "
        "Secret key and databases (ours and the baseline's) are made fresh per pass, each filled alike.",
        "",
        f"Load: `{run.wrk_command}`; {run.durations}.",
        "",
    ]
    for setup in run.setups:
        lines += render_setup(setup, quick=run.quick)
    return "\n".join(lines)
