"""The processes a user starts, started the way a user starts them: the installed ``printapi``
entry point, as subprocesses, with ``PRINTAPI_*`` settings in their environment.

- SQLite (``make run``): ``printapi demo``, then ``printapi serve`` with the environment of the
  Makefile's ``DEV`` (development mode, loopback allowed for webhooks and downloads, the public
  URL of the port served): the API and the embedded worker in one process.
- PostgreSQL (docs/operations.md, "Several processes"): ``printapi migrate`` and ``printapi seed``,
  then ``printapi serve --no-worker --workers 2`` and one ``printapi worker --metrics-port``.

A deployment is ready when every ``/readyz`` it has answers 200; its processes are stopped with
SIGTERM (SIGKILL when that does not end them) and their logs stay in the deployment's folder.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.webhooks.conftest import free_port

PRINTAPI = Path(sys.executable).parent / "printapi"
COMMAND_SECONDS = 120
START_SECONDS = 60
STOP_SECONDS = 20

# What `make run` gives the processes (the Makefile's DEV), less the public URL, which names the port.
MAKE_RUN = {
    "PRINTAPI_MODE": "development",
    "PRINTAPI_OUTBOUND_ALLOW_NETWORKS": "127.0.0.0/8,::1/128",
}
# Schedules and limits compressed so that the tier runs in seconds (defaults: docs/operations.md).
COMPRESSED = {
    "PRINTAPI_WEBHOOK_SCHEDULE": ",".join(["100ms"] * 9),
    "PRINTAPI_WEBHOOK_TIMEOUT_SECONDS": "1",
    # Longer than the timeout plus its pause before a failing endpoint's first attempts (0.2 s).
    "PRINTAPI_WEBHOOK_LEASE_SECONDS": "3",
    # Longer than the promise of a webhook within a second: only a wake-up can keep that promise.
    "PRINTAPI_WORKER_POLL_SECONDS": "5",
    "PRINTAPI_ALERT_GROUP_SECONDS": "60",
    "PRINTAPI_DOWNLOAD_SCHEDULE": "200ms,200ms",
    "PRINTAPI_PAYMENT_TTL_SECONDS": "6",
    "PRINTAPI_PAYMENT_EXPIRY_INTERVAL_SECONDS": "0.5",
    "PRINTAPI_LOG_FORMAT": "json",
}


@dataclass
class ShippedProcess:
    """One long-running ``printapi`` process and the file its output goes to."""

    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.popen.pid

    def running(self) -> bool:
        return self.popen.poll() is None

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


@dataclass(frozen=True)
class Answer:
    """What a command printed, and when its first line came (``time.monotonic()``)."""

    output: str
    at: float


@dataclass
class Deployment:
    """The processes of one database, their environment and where they answer."""

    database: str
    base: str
    env: dict[str, str]
    folder: Path
    processes: list[ShippedProcess] = field(default_factory=list)
    # The operations port (/healthz, /readyz, /metrics) of a separate `printapi worker`.
    worker_base: str | None = None
    # The credentials `printapi demo` printed (SQLite: `make run` runs it before serving).
    demo_credentials: dict[str, str] | None = None

    def process(self, name: str) -> ShippedProcess:
        return next(process for process in self.processes if process.name == name)

    def logs(self) -> dict[str, str]:
        return {process.name: process.log_text() for process in self.processes}

    async def cli(self, *args: str) -> Answer:
        """Run a ``printapi`` command against this deployment's database; its answer, or a failure."""
        process = await asyncio.create_subprocess_exec(
            str(PRINTAPI),
            *args,
            env=self.env,
            cwd=self.folder,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        assert process.stdout is not None
        assert process.stderr is not None
        errors = asyncio.ensure_future(process.stderr.read())
        try:
            async with asyncio.timeout(COMMAND_SECONDS):
                first = await process.stdout.readline()  # printed once the command's transaction committed
                at = time.monotonic()
                output = (first + await process.stdout.read()).decode()
                await process.wait()
        finally:
            if process.returncode is None:  # it overran: it does not outlive the test
                process.kill()
                await process.wait()
        command = f"printapi {' '.join(args)}"
        assert process.returncode == 0, (
            f"{command}: {process.returncode}\n{output}\n{(await errors).decode()}"
        )
        return Answer(output, at)

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.stop()


def environment(*, database_url: str, base: str, folder: Path, extra: dict[str, str]) -> dict[str, str]:
    """The test runner's environment without its PRINTAPI_* settings, plus the deployment's."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PRINTAPI_")}
    env.update(MAKE_RUN)
    env.update(COMPRESSED)
    env.update(
        PRINTAPI_PUBLIC_URL=base,
        PRINTAPI_DATABASE_URL=database_url,
        PRINTAPI_STORAGE_DIR=str(folder / "files"),
    )
    env.update(extra)
    return env


def run_command(deployment: Deployment, *args: str) -> str:
    """A one-shot command (migrate, seed, demo) before the long-running processes start."""
    done = subprocess.run(
        [str(PRINTAPI), *args],
        env=deployment.env,
        cwd=deployment.folder,
        capture_output=True,
        timeout=COMMAND_SECONDS,
        check=False,
    )
    assert done.returncode == 0, (
        f"printapi {' '.join(args)}: {done.returncode}\n{done.stdout!r}\n{done.stderr!r}"
    )
    return done.stdout.decode()


def spawn(deployment: Deployment, name: str, *args: str) -> ShippedProcess:
    log = deployment.folder / f"{name}.log"
    with log.open("ab") as output:  # the child keeps its own copy of the descriptor
        popen = subprocess.Popen(
            [str(PRINTAPI), *args],
            env=deployment.env,
            cwd=deployment.folder,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    process = ShippedProcess(name, popen, log)
    deployment.processes.append(process)
    return process


def wait_ready(deployment: Deployment, base: str) -> None:
    """Until ``base/readyz`` answers 200; a process that exits meanwhile fails with its log."""
    deadline = time.monotonic() + START_SECONDS
    last = "no answer"
    with httpx.Client(base_url=base, timeout=5) as http:
        while time.monotonic() < deadline:
            for process in deployment.processes:
                assert process.running(), f"{process.name} exited early:\n{process.log_text()}"
            try:
                answer = http.get("/readyz")
                if answer.status_code == 200:
                    return
                last = f"{answer.status_code} {answer.text}"
            except httpx.TransportError as exc:
                last = repr(exc)
            time.sleep(0.05)
    raise AssertionError(f"{base}/readyz not ready within {START_SECONDS} s: {last}\n{deployment.logs()}")


def printed_credentials(output: str) -> dict[str, str]:
    """The test credentials as `printapi demo` prints them for the user to copy."""
    found = dict(re.findall(r"^ +(client_id|client_secret) +(\S+)$", output, re.MULTILINE))
    assert set(found) == {"client_id", "client_secret"}, output
    return found


def start_sqlite(folder: Path, *, extra: dict[str, str]) -> Deployment:
    """``make run`` on a SQLite file of its own: ``printapi demo``, then ``printapi serve``."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    url = f"sqlite+aiosqlite:///{folder / 'printapi.db'}"
    deployment = Deployment(
        "sqlite", base, environment(database_url=url, base=base, folder=folder, extra=extra), folder
    )
    printed = run_command(deployment, "demo", "--credentials-file", str(folder / "demo-credentials.json"))
    deployment.demo_credentials = printed_credentials(printed)
    try:
        spawn(deployment, "serve", "serve", "--host", "127.0.0.1", "--port", str(port))
        wait_ready(deployment, base)
    except BaseException:
        deployment.stop()
        raise
    return deployment


def start_postgres(folder: Path, url: str, *, extra: dict[str, str]) -> Deployment:
    """Several processes on one PostgreSQL database: two API processes and a separate worker."""
    port, worker_port = free_port(), free_port()
    base = f"http://127.0.0.1:{port}"
    env = environment(database_url=url, base=base, folder=folder, extra=extra)
    deployment = Deployment("postgres", base, env, folder, worker_base=f"http://127.0.0.1:{worker_port}")
    run_command(deployment, "migrate")
    run_command(deployment, "seed")
    try:
        spawn(
            deployment,
            "serve",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-worker",
            "--workers",
            "2",
        )
        spawn(
            deployment, "worker", "worker", "--metrics-host", "127.0.0.1", "--metrics-port", str(worker_port)
        )
        wait_ready(deployment, base)
        wait_ready(deployment, deployment.worker_base or "")
    except BaseException:
        deployment.stop()
        raise
    return deployment


def mapped_files(pid: int) -> set[str]:
    """The paths of the files a process has mapped, its shared objects among them (/proc/<pid>/maps)."""
    lines = Path(f"/proc/{pid}/maps").read_text().splitlines()
    return {line.split(maxsplit=5)[5] for line in lines if len(line.split(maxsplit=5)) == 6}


def children(pid: int) -> list[int]:
    """The child processes of ``pid`` (the API processes `uvicorn --workers N` spawned)."""
    tasks = Path(f"/proc/{pid}/task")
    found: list[int] = []
    for task in tasks.iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


def command_line(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
