"""The processes of the webhook benchmark: the sink, ``printapi worker`` and the driver.

Each starts in its own process group (``server.spawn``) and is stopped by its PID and group.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import server
from common import BENCH_DIR

SINK_SCRIPT = BENCH_DIR / "wh_sink.py"
DRIVER_SCRIPT = BENCH_DIR / "wh_driver.py"
SINK_START_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class Receipt:
    """One request the sink received: wall-clock time, path, orderId, webhook-id."""

    at: float
    path: str
    order_id: str
    webhook_id: str


@dataclass(frozen=True)
class SinkStats:
    received: int
    tarpit_connections: int
    tarpit_open: int


@dataclass(frozen=True)
class Sink:
    port: int
    tarpit_port: int

    def url(self, path: str) -> str:
        return f"http://{server.HOST}:{self.port}{path}"

    def tarpit_url(self, path: str) -> str:
        return f"http://{server.HOST}:{self.tarpit_port}{path}"

    def stats(self) -> SinkStats:
        status, body = server.request(self.url(""), "GET", "/_stats")
        if status != 200:
            raise RuntimeError(f"sink /_stats answered {status}")
        data = json.loads(body)
        return SinkStats(int(data["received"]), int(data["tarpit_connections"]), int(data["tarpit_open"]))

    def take(self) -> list[Receipt]:
        """The requests received since the last take (the sink forgets them)."""
        status, body = server.request(self.url(""), "POST", "/_take")
        if status != 200:
            raise RuntimeError(f"sink /_take answered {status}")
        return [Receipt(float(at), str(path), str(oid), str(wid)) for at, path, oid, wid in json.loads(body)]

    def wait_for(self, received: int, *, timeout_s: float) -> SinkStats:
        """Wait until the sink has received ``received`` requests in all, or the timeout passed."""
        deadline = time.monotonic() + timeout_s
        stats = self.stats()
        while stats.received < received and time.monotonic() < deadline:
            time.sleep(0.05)
            stats = self.stats()
        return stats


def sink_command(port: int, tarpit_port: int) -> list[str]:
    return [sys.executable, str(SINK_SCRIPT), "--port", str(port), "--tarpit-port", str(tarpit_port)]


@contextmanager
def running_sink(env: dict[str, str], log_path: Path) -> Iterator[Sink]:
    sink = Sink(port=server.free_port(), tarpit_port=server.free_port())
    process = server.spawn(sink_command(sink.port, sink.tarpit_port), env=env, log_path=log_path)
    try:
        _wait_until_up(sink, process)
        yield sink
    finally:
        server.stop(process)


def _wait_until_up(sink: Sink, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + SINK_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the sink exited with {process.returncode} before it was up")
        with suppress(OSError, RuntimeError):
            sink.stats()
            return
        time.sleep(0.1)
    raise RuntimeError(f"the sink was not up after {SINK_START_TIMEOUT_S:.0f} s")


def worker_command() -> list[str]:
    return [server.PRINTAPI, "worker"]


@contextmanager
def running_workers(
    count: int, *, env: dict[str, str], log_dir: Path
) -> Iterator[list[subprocess.Popen[bytes]]]:
    """``count`` ``printapi worker`` processes until the block ends (SIGTERM, then SIGKILL)."""
    processes: list[subprocess.Popen[bytes]] = []
    logs = [log_dir / f"worker-{n}.log" for n in range(count)]
    try:
        processes += [server.spawn(worker_command(), env=env, log_path=log) for log in logs]
        yield processes
    except BaseException:
        show_tails(logs)
        raise
    finally:
        server.stop_all(processes)


def show_tails(logs: list[Path], lines: int = 15) -> None:
    """The end of each log on stderr: the temporary folder is gone once the run fails."""
    for log in logs:
        if log.exists():
            tail = log.read_text(errors="replace").splitlines()[-lines:]
            print(f"--- last lines of {log.name}:", *tail, sep="\n", file=sys.stderr)


def check_alive(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        if process.poll() is not None:
            raise RuntimeError(
                f"a worker exited with {process.returncode} during the measurement; see the log above"
            )


def driver_command(
    *,
    account_id: int,
    email: str,
    ids_file: Path,
    rate: float,
    out_file: Path,
    concurrency: int,
    warm_up: int,
    stop_after_s: float,
) -> list[str]:
    return [
        sys.executable,
        str(DRIVER_SCRIPT),
        "--account-id",
        str(account_id),
        "--email",
        email,
        "--ids",
        str(ids_file),
        "--rate",
        f"{rate:g}",
        "--out",
        str(out_file),
        "--concurrency",
        str(concurrency),
        "--warm-up",
        str(warm_up),
        "--stop-after",
        f"{stop_after_s:g}",
    ]


def run_driver(command: list[str], *, env: dict[str, str], log_path: Path, timeout_s: float) -> None:
    process = server.spawn(command, env=env, log_path=log_path)
    try:
        process.wait(timeout=timeout_s)
    finally:
        server.stop(process)
    if process.returncode != 0:
        raise RuntimeError(f"the driver exited with {process.returncode}; see {log_path}")
