"""The order-API section of docs/benchmarks.md (bench/api.py), with the targets of issue 2 judged honestly."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from loadgen import HeyResult, WrkResult

GET_ORDER_MIN_RATIO = 0.6
POST_P99_MAX_MS = 100.0


@dataclass(frozen=True)
class Row:
    endpoint: str
    result: WrkResult


@dataclass(frozen=True)
class SetupReport:
    title: str
    serve_command: str
    baseline_before: WrkResult
    baseline_after: WrkResult
    rows: list[Row]
    post_peak: WrkResult
    half_peak: HeyResult
    hey_command: str
    log_problems: list[str] = field(default_factory=list)

    @property
    def baseline_rps(self) -> float:
        return (self.baseline_before.rps + self.baseline_after.rps) / 2

    @property
    def baseline_spread(self) -> float:
        """How far apart the two baseline runs were, as a fraction of the faster one."""
        before, after = self.baseline_before.rps, self.baseline_after.rps
        return abs(before - after) / max(before, after) if max(before, after) else 0.0

    def ratio(self, result: WrkResult) -> float:
        return result.rps / self.baseline_rps if self.baseline_rps else 0.0

    @property
    def get_order(self) -> WrkResult:
        return next(row.result for row in self.rows if row.endpoint.startswith("GET /v2/orders/"))

    @property
    def clean(self) -> bool:
        loads = [
            self.baseline_before,
            self.baseline_after,
            self.post_peak,
            *(row.result for row in self.rows),
        ]
        wrk_clean = all(load.non2xx_total == 0 and load.socket_errors == 0 for load in loads)
        return wrk_clean and self.half_peak.non2xx_total == 0 and self.half_peak.errors == 0


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


def _wrk_line(endpoint: str, result: WrkResult, ratio: float) -> str:
    return (
        f"| {endpoint} | {result.rps:,.0f} | {ratio:.2f} | {result.p50_ms:.1f} | {result.p99_ms:.1f} "
        f"| {_errors(result)} |"
    )


def _table(report: SetupReport) -> list[str]:
    before, after = report.baseline_before, report.baseline_after
    lines = [
        "| endpoint | req/s | ratio to baseline | p50 ms | p99 ms | non-2xx |",
        "|---|---:|---:|---:|---:|---|",
        _wrk_line("baseline `GET /_bench/orders/{pk}` (before)", before, report.ratio(before)),
    ]
    lines += [_wrk_line(f"`{row.endpoint}`", row.result, report.ratio(row.result)) for row in report.rows]
    lines.append(_wrk_line("baseline `GET /_bench/orders/{pk}` (after)", after, report.ratio(after)))
    lines.append(_wrk_line("`POST /v2/orders` (peak)", report.post_peak, report.ratio(report.post_peak)))
    return lines


def _half_peak(report: SetupReport) -> list[str]:
    hey = report.half_peak
    p50 = f"{hey.p50_ms:.1f}" if hey.p50_ms is not None else "n/a"
    p99 = f"{hey.p99_ms:.1f}" if hey.p99_ms is not None else "n/a"
    statuses = ", ".join(f"{count}× {status}" for status, count in sorted(hey.statuses.items())) or "none"
    behind = " (**fell behind the planned rate**)" if hey.achieved_rps < 0.9 * hey.plan.target_rps else ""
    return [
        f"`POST /v2/orders` at half peak with hey: planned {hey.plan.target_rps:,.0f} req/s "
        f"({hey.plan.workers} workers × {hey.plan.per_worker_qps:g}/s), "
        f"achieved {hey.achieved_rps:,.0f} req/s{behind}; p50 {p50} ms, **p99 {p99} ms**, "
        f"slowest {hey.slowest_ms or 0:.1f} ms; "
        f"statuses {statuses}; {hey.errors} transport errors.",
    ]


NOISY_SPREAD = 0.15  # baselines further apart than this mean the machine was busy


def _verdict(met: bool, report: SetupReport, *, quick: bool) -> str:
    if not report.clean:
        return "not judged: the run had errors"
    verdict = "**met**" if met else "**not met**"
    if quick:
        return f"{verdict} in this harness check (not a result)"
    if report.baseline_spread > NOISY_SPREAD:
        return f"{verdict}, on a noisy run"
    return verdict


def target_lines(report: SetupReport, *, quick: bool) -> list[str]:
    ratio = report.ratio(report.get_order)
    p99 = report.half_peak.p99_ms
    post_met = p99 is not None and p99 < POST_P99_MAX_MS
    p99_text = f"{p99:.1f} ms" if p99 is not None else "no figure"
    get_verdict = _verdict(ratio >= GET_ORDER_MIN_RATIO, report, quick=quick)
    post_verdict = _verdict(post_met, report, quick=quick)
    return [
        f"- GET order ≥ {GET_ORDER_MIN_RATIO} of baseline: {ratio:.2f} → {get_verdict}",
        f"- POST p99 < {POST_P99_MAX_MS:.0f} ms at half peak: {p99_text} → {post_verdict}",
    ]


def _noise(report: SetupReport) -> list[str]:
    if report.baseline_spread <= NOISY_SPREAD:
        return []
    return [
        f"The two baseline runs differ by {report.baseline_spread:.0%}: the machine was busy; "
        "read the ratios with care.",
        "",
    ]


def _log(report: SetupReport) -> list[str]:
    if not report.log_problems:
        return ["Server log (level WARNING): empty."]
    shown = "\n".join(line[:300] for line in report.log_problems[:5])
    return [
        f"Server log (level WARNING): {len(report.log_problems)} lines; the first:",
        "",
        "```",
        shown,
        "```",
    ]


def render_setup(report: SetupReport, *, quick: bool) -> list[str]:
    return [
        f"### {report.title}",
        "",
        f"Server: `{report.serve_command}`",
        "",
        *_table(report),
        "",
        *_half_peak(report),
        "",
        f"hey: `{report.hey_command}`",
        "",
        *_noise(report),
        "Targets:",
        "",
        *target_lines(report, quick=quick),
        "",
        *_log(report),
        "",
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
        f"Settings: `{settings}` (WARNING, because per-request logging at INFO is on by default; "
        "secret key and database URL made fresh per setup).",
        "",
        f"Load: `{run.wrk_command}`; {run.durations}.",
        "",
    ]
    for setup in run.setups:
        lines += render_setup(setup, quick=run.quick)
    return "\n".join(lines)
