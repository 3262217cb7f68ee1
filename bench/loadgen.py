"""The load generators: wrk for peak throughput, hey for latency at a fixed rate.

Both are external programs (Debian packages ``wrk`` and ``hey``); this module builds their command
lines, runs them and parses what they print. Nothing here judges the figures.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

WRK_SCRIPT = Path(__file__).with_name("wrk.lua")
TOOLS = ("wrk", "hey")
INSTALL_HINT = "install them with: apt-get update && apt-get install -y wrk hey  (Debian packages)"
# hey's workers tick in step, so each tick sends one request per worker at the same instant. Four
# workers keep those bursts small; a worker whose request outlasts its interval skips ticks, which
# shows as an achieved rate below the planned one (the report flags it).
HEY_WORKERS = 4
# hey prints no 99th percentile below 100 responses; the plan runs long enough for this many.
HEY_MIN_REQUESTS = 200


def missing_tools() -> list[str]:
    return [tool for tool in TOOLS if shutil.which(tool) is None]


def tool_versions() -> dict[str, str]:
    """The Debian package versions of the tools (hey has no version flag)."""
    versions = {}
    for tool in TOOLS:
        query = ["dpkg-query", "-W", "-f=${Version}", tool]
        found = subprocess.run(query, capture_output=True, text=True, check=False).stdout.strip()
        versions[tool] = found or "unknown version"
    return versions


@dataclass(frozen=True)
class Target:
    """One endpoint under load: PATH may contain ``{id}``, filled from a random line of ``ids_file``."""

    name: str
    method: str
    path: str
    ids_file: Path | None = None
    token: str | None = None
    body_file: Path | None = None


@dataclass(frozen=True)
class WrkResult:
    requests: int
    duration_s: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    non2xx: dict[str, int]
    socket_errors: int

    @property
    def rps(self) -> float:
        return self.requests / self.duration_s if self.duration_s else 0.0

    @property
    def non2xx_total(self) -> int:
        return sum(self.non2xx.values())


def wrk_command(
    base_url: str, target: Target, *, duration_s: int, threads: int, connections: int
) -> list[str]:
    script_args = [
        target.method,
        target.path,
        str(target.ids_file) if target.ids_file else "-",
        target.token or "-",
        str(target.body_file) if target.body_file else "-",
    ]
    return [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration_s}s",
        "--timeout",
        "10s",
        "-s",
        str(WRK_SCRIPT),
        base_url,
        "--",
        *script_args,
    ]


def run_wrk(command: list[str]) -> WrkResult:
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    for line in completed.stdout.splitlines():
        if line.startswith("BENCH_RESULT "):
            return parse_wrk_result(line.removeprefix("BENCH_RESULT "))
    raise RuntimeError(f"wrk printed no result (exit {completed.returncode}):\n{completed.stderr}")


def parse_wrk_result(text: str) -> WrkResult:
    data = json.loads(text)
    return WrkResult(
        requests=int(data["requests"]),
        duration_s=data["duration_us"] / 1e6,
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        max_ms=data["max_us"] / 1000,
        non2xx={str(status): int(count) for status, count in data["non2xx"].items()},
        socket_errors=sum(int(data[kind]) for kind in ("connect", "read", "write", "timeout")),
    )


@dataclass(frozen=True)
class HeyPlan:
    """A fixed total rate, spread evenly over HEY_WORKERS workers, for long enough to give a p99."""

    target_rps: float
    workers: int
    per_worker_qps: float
    duration_s: int

    @classmethod
    def for_rate(cls, target_rps: float, *, min_duration_s: int) -> HeyPlan:
        per_worker = round(target_rps / HEY_WORKERS, 2)
        total = per_worker * HEY_WORKERS
        return cls(
            target_rps=total,
            workers=HEY_WORKERS,
            per_worker_qps=per_worker,
            duration_s=max(min_duration_s, math.ceil(HEY_MIN_REQUESTS / total)),
        )


@dataclass(frozen=True)
class HeyResult:
    plan: HeyPlan
    achieved_rps: float
    p50_ms: float | None
    p99_ms: float | None
    slowest_ms: float | None
    statuses: dict[str, int] = field(default_factory=dict)
    errors: int = 0

    @property
    def non2xx_total(self) -> int:
        return sum(count for status, count in self.statuses.items() if not status.startswith("2"))


def hey_command(url: str, plan: HeyPlan, *, token: str, body_file: Path) -> list[str]:
    return [
        "hey",
        "-z",
        f"{plan.duration_s}s",
        "-c",
        str(plan.workers),
        "-q",
        f"{plan.per_worker_qps:g}",
        "-m",
        "POST",
        "-H",
        f"Authorization: Bearer {token}",
        "-T",
        "application/json",
        "-D",
        str(body_file),
        url,
    ]


def run_hey(command: list[str], plan: HeyPlan) -> HeyResult:
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0 or "Summary:" not in completed.stdout:
        raise RuntimeError(f"hey failed (exit {completed.returncode}):\n{completed.stderr}")
    return parse_hey_output(completed.stdout, plan)


def _seconds_to_ms(pattern: str, text: str) -> float | None:
    found = re.search(pattern, text)
    return float(found.group(1)) * 1000 if found else None


def parse_hey_output(text: str, plan: HeyPlan) -> HeyResult:
    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    error_section = text.split("Error distribution:", 1)[1] if "Error distribution:" in text else ""
    return HeyResult(
        plan=plan,
        achieved_rps=float(rps.group(1)) if rps else 0.0,
        p50_ms=_seconds_to_ms(r"50%+ in ([\d.]+) secs", text),
        p99_ms=_seconds_to_ms(r"99%+ in ([\d.]+) secs", text),
        slowest_ms=_seconds_to_ms(r"Slowest:\s+([\d.]+) secs", text),
        statuses={code: int(count) for code, count in re.findall(r"\[(\d{3})\]\s+(\d+) responses", text)},
        errors=sum(int(count) for count in re.findall(r"^\s+\[(\d+)\]\s", error_section, re.MULTILINE)),
    )
