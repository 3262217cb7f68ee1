"""A printapi server under test: a fresh database, the ``printapi`` CLI, the process and HTTP calls.

Only public interfaces are used (the CLI, the ``PRINTAPI_*`` settings and HTTP), so the benchmark
measures the server exactly as an operator runs it.
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

PRINTAPI = str(Path(sys.executable).with_name("printapi"))
HOST = "127.0.0.1"
BENCH_EMAIL = "bench@printapi.local"
BENCH_PASSWORD = "bench-password-not-secret"  # noqa: S105 - a throwaway account on a throwaway database
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 20.0
IDLE_FAST_MS = 10.0


@dataclass(frozen=True)
class Setup:
    """One way of running the server: its database and its `printapi serve` flags."""

    key: str
    title: str
    database: str  # "sqlite" | "postgresql"
    serve_args: tuple[str, ...]
    processes: int = 1  # API processes (as --workers says); the external baseline gets as many


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def psql(admin_dsn: str, sql: str) -> str:
    command = ["psql", f"{admin_dsn}/postgres", "-v", "ON_ERROR_STOP=1", "-tA", "-c", sql]
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise RuntimeError(f"psql {sql!r} on {admin_dsn} failed: {completed.stderr.strip()}")
    return completed.stdout.strip()


def postgres_version(admin_dsn: str) -> str:
    try:
        return psql(admin_dsn, "SHOW server_version")
    except (OSError, RuntimeError):
        return "not reachable"


@contextmanager
def fresh_database(database: str, *, workdir: Path, admin_dsn: str) -> Iterator[str]:
    """Yield the SQLAlchemy URL of a new, empty database (``database`` is "sqlite" or "postgresql");
    a PostgreSQL one is dropped afterwards, with whatever connections are still open to it."""
    if database == "sqlite":
        yield f"sqlite+aiosqlite:///{workdir / 'bench.sqlite'}"
        return
    name = f"printapi_bench_{secrets.token_hex(4)}"
    psql(admin_dsn, f'CREATE DATABASE "{name}"')
    try:
        yield admin_dsn.replace("postgresql://", "postgresql+asyncpg://", 1) + f"/{name}"
    finally:
        psql(admin_dsn, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def settings(database_url: str, public_url: str, *, secret_key: str | None = None) -> dict[str, str]:
    """The ``PRINTAPI_*`` settings of a benchmark server; the secret key is made per setup."""
    return {
        "PRINTAPI_MODE": "production",
        "PRINTAPI_SECRET_KEY": secret_key or secrets.token_urlsafe(30)[:40],
        "PRINTAPI_DATABASE_URL": database_url,
        "PRINTAPI_PUBLIC_URL": public_url,
        "PRINTAPI_LOG_LEVEL": "WARNING",
        "PRINTAPI_BENCH_ROUTES": "1",
    }


def environment(printapi_settings: dict[str, str]) -> dict[str, str]:
    inherited = {name: value for name, value in os.environ.items() if not name.startswith("PRINTAPI_")}
    return inherited | printapi_settings


def cli(env: dict[str, str], *args: str) -> str:
    completed = subprocess.run([PRINTAPI, *args], env=env, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise RuntimeError(f"printapi {' '.join(args)} failed:\n{completed.stdout}{completed.stderr}")
    return completed.stdout


def prepare(env: dict[str, str]) -> tuple[str, str]:
    """Migrate, seed, create the bench account and a test client; return (client_id, client_secret)."""
    cli(env, "migrate")
    cli(env, "seed")
    cli(env, "accounts", "create", "--email", BENCH_EMAIL, "--password", BENCH_PASSWORD)
    created = json.loads(
        cli(env, "clients", "create", "--account", BENCH_EMAIL, "--environment", "test", "--json")
    )
    return str(created["client_id"]), str(created["client_secret"])


def serve_command(setup: Setup, port: int) -> list[str]:
    return [PRINTAPI, "serve", "--host", HOST, "--port", str(port), *setup.serve_args]


def spawn(command: list[str], *, env: dict[str, str], log_path: Path) -> subprocess.Popen[bytes]:
    """Start a process in its own process group (so all of it can be stopped), output to a log."""
    with log_path.open("ab") as log:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )


@contextmanager
def running(command: list[str], *, env: dict[str, str], base_url: str, log_path: Path) -> Iterator[None]:
    """Run the server until the block ends; it starts in its own process group so all of it stops."""
    process = spawn(command, env=env, log_path=log_path)
    try:
        wait_until_ready(base_url, process)
        yield
    finally:
        stop(process)


def wait_until_ready(base_url: str, process: subprocess.Popen[bytes]) -> None:
    wait_until(base_url, "/healthz", process)


def wait_until(base_url: str, path: str, process: subprocess.Popen[bytes]) -> None:
    """Until ``GET path`` answers 200 (or the process exits, or START_TIMEOUT_S pass)."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode} before it was ready")
        with suppress(OSError):
            if request(base_url, "GET", path)[0] == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"server not ready after {START_TIMEOUT_S:.0f} s")


def wait_until_idle(base_url: str, *, fast_ms: float = IDLE_FAST_MS, timeout_s: float = 15.0) -> float:
    """Wait until the server has drained the load before: three /healthz answers in a row under
    ``fast_ms``. wrk stops sending at its deadline, but the server still works through the
    requests its 32 connections had in flight; a measurement started at once would time them.
    Returns the seconds waited."""
    started = time.monotonic()
    fast = 0
    while fast < 3 and time.monotonic() - started < timeout_s:
        sent = time.perf_counter()
        with suppress(OSError):
            request(base_url, "GET", "/healthz")
        fast = fast + 1 if (time.perf_counter() - sent) * 1000 < fast_ms else 0
        time.sleep(0.1)
    return time.monotonic() - started


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the server (uvicorn stops its workers), then SIGKILL whatever is left of its group."""
    stop_all([process])


def stop_all(processes: list[subprocess.Popen[bytes]]) -> None:
    """SIGTERM every process at once, give them STOP_TIMEOUT_S together, then SIGKILL their groups."""
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_S
    for process in processes:
        with suppress(subprocess.TimeoutExpired):
            process.wait(timeout=max(0.0, deadline - time.monotonic()))
    for process in processes:
        with suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def request(
    base_url: str, method: str, path: str, *, body: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, bytes]:
    parts = urllib.parse.urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname or HOST, parts.port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def access_token(base_url: str, client_id: str, client_secret: str) -> str:
    form = urllib.parse.urlencode(
        {"grant_type": "client_credentials", "client_id": client_id, "client_secret": client_secret}
    )
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    status, body = request(base_url, "POST", "/v2/oauth", body=form.encode(), headers=headers)
    if status != 200:
        raise RuntimeError(f"token request answered {status}: {body[:300]!r}")
    return str(json.loads(body)["access_token"])


def create_order(base_url: str, token: str, order: bytes) -> str:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    status, body = request(base_url, "POST", "/v2/orders", body=order, headers=headers)
    if status != 201:
        raise RuntimeError(f"POST /v2/orders answered {status}: {body[:300]!r}")
    return str(json.loads(body)["id"])


def create_orders(base_url: str, token: str, order: bytes, count: int, *, parallel: int = 8) -> list[str]:
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        return list(pool.map(lambda _: create_order(base_url, token, order), range(count)))


def check_baseline_keys(base_url: str, order_ids: list[str]) -> None:
    """The baseline reads primary keys 1..N: make sure those are exactly the orders just created."""
    known = set(order_ids)
    for pk in (1, len(order_ids)):
        status, body = request(base_url, "GET", f"/_bench/orders/{pk}")
        if status != 200 or json.loads(body).get("id") not in known:
            raise RuntimeError(
                f"/_bench/orders/{pk} answered {status} {body[:200]!r}; is this a fresh database?"
            )


def log_problems(log_path: Path) -> list[str]:
    """Lines of the server log that point at a problem: any but those at INFO or below."""
    lines = log_path.read_text(errors="replace").splitlines() if log_path.exists() else []
    return [line for line in lines if line.strip() and "new database:" not in line and not _routine(line)]


def _routine(line: str) -> bool:
    if line.startswith("INFO:"):  # uvicorn's own lines
        return True
    try:
        record = json.loads(line)
    except ValueError:
        return False
    return isinstance(record, dict) and str(record.get("level", "")).lower() in ("debug", "info")
