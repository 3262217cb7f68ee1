"""Helpers every benchmark script shares: progress lines, shown commands, machine facts, percentiles."""

from __future__ import annotations

import math
import os
import platform
import shlex
import sqlite3
import subprocess
from collections.abc import Sequence
from pathlib import Path

import server

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent


def say(message: str) -> None:
    print(f"[bench] {message}", flush=True)


def shown(command: list[str], replacements: dict[str, str]) -> str:
    """A command line for the docs: tokens, ports and temporary paths replaced by names."""
    text = shlex.join(command)
    for old, new in replacements.items():
        text = text.replace(old, new)
    return text


def cpu_model() -> str:
    return next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        "unknown",
    )


def machine(admin_dsn: str, *, postgres: bool, tools: dict[str, str] | None = None) -> dict[str, str]:
    """What the run ran on: hardware, load at start, versions and the commit."""
    facts = {
        "arch": platform.machine(),
        "CPU": cpu_model(),
        "cores": str(os.cpu_count()),
        "load average at start": " ".join(f"{load:.2f}" for load in os.getloadavg()),
        "Python": platform.python_version(),
        "SQLite": sqlite3.sqlite_version,
        **(tools or {}),
        "commit": git_commit(),
    }
    if postgres:
        facts["PostgreSQL"] = server.postgres_version(admin_dsn)
    return facts


def git_commit() -> str:
    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=REPO, capture_output=True, text=True, check=False
        ).stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    return commit + (" with uncommitted changes" if git("status", "--porcelain", "--", "src") else "")


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """The nearest-rank percentile (``fraction`` 0.99 for p99); None without values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]
