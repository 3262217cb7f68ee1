"""Supervision (``kit/supervise``): a loop that fails is logged, counted and started again, and
readiness (``/readyz``) names it until it makes a turn again; a loop that is stuck is named too."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
import structlog
from structlog.testing import capture_logs

from printapi import __version__, health
from printapi.app import create_app
from printapi.kit import metrics, supervise
from printapi.kit.supervise import Backoff, Heartbeat, Loops
from printapi.runtime import Runtime
from printapi.worker import JOB_STUCK_SECONDS, Job, Worker
from tests.conftest import app_for
from tests.webhooks.test_processes import queue_notifications

QUICK = Backoff(first=0.01, longest=0.05)


async def eventually(condition: Callable[[], object], seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "not in time"
        await asyncio.sleep(0.005)


def restarts(loop: str) -> float:
    value = metrics.REGISTRY.get_sample_value("printapi_loop_restarts_total", {"loop": loop})
    return value or 0.0


@pytest.fixture
def logs(monkeypatch: pytest.MonkeyPatch) -> Any:
    # The module's logger was assembled (and cached) by earlier tests; a fresh one sees the capture.
    monkeypatch.setattr(supervise, "log", structlog.get_logger("printapi.supervise"))
    with capture_logs() as captured:
        yield captured


class Flaky:
    """A loop that fails its first ``failures`` starts, then beats until stopped."""

    def __init__(self, failures: int, stopping: asyncio.Event) -> None:
        self.failures = failures
        self.starts = 0
        self.stopping = stopping
        self.beating = asyncio.Event()

    async def __call__(self, beat: Heartbeat) -> None:
        self.starts += 1
        if self.starts <= self.failures:
            raise RuntimeError(f"failure number {self.starts}")
        while not self.stopping.is_set():
            beat()
            self.beating.set()
            await asyncio.sleep(0.005)


class TestSupervise:
    async def test_a_failing_loop_is_logged_with_its_traceback_counted_and_started_again(
        self, logs: list[dict[str, Any]]
    ) -> None:
        stopping = asyncio.Event()
        loops = Loops()
        flaky = Flaky(failures=3, stopping=stopping)
        before = restarts("flaky")

        task = asyncio.create_task(
            supervise.supervise(
                loops.heartbeat("flaky", stale_after=None), flaky, stopping=stopping, backoff=QUICK
            )
        )
        await asyncio.wait_for(flaky.beating.wait(), timeout=5)
        stopping.set()
        await asyncio.wait_for(task, timeout=5)

        assert flaky.starts == 4
        assert restarts("flaky") - before == 3
        failures = [log for log in logs if log["event"] == "loop failed; starting it again"]
        assert [log["log_level"] for log in failures] == ["error"] * 3
        assert [log["loop"] for log in failures] == ["flaky"] * 3
        error = failures[0]["exc_info"][1]
        assert isinstance(error, RuntimeError)
        assert str(error) == "failure number 1"
        assert error.__traceback__ is not None

    async def test_the_pauses_double_up_to_the_longest(self, logs: list[dict[str, Any]]) -> None:
        stopping = asyncio.Event()
        flaky = Flaky(failures=5, stopping=stopping)

        task = asyncio.create_task(
            supervise.supervise(
                Loops().heartbeat("flaky", stale_after=None),
                flaky,
                stopping=stopping,
                backoff=Backoff(first=0.01, longest=0.04),
            )
        )
        await asyncio.wait_for(flaky.beating.wait(), timeout=5)
        stopping.set()
        await task

        assert [log["in_seconds"] for log in logs if "in_seconds" in log] == [0.01, 0.02, 0.04, 0.04, 0.04]

    async def test_a_loop_that_returns_before_the_worker_stops_is_a_failure(
        self, logs: list[dict[str, Any]]
    ) -> None:
        stopping = asyncio.Event()
        calls = 0

        async def returns_early(_beat: Heartbeat) -> None:
            nonlocal calls
            calls += 1
            if calls == 2:
                stopping.set()

        await asyncio.wait_for(
            supervise.supervise(
                Loops().heartbeat("early", stale_after=None), returns_early, stopping=stopping, backoff=QUICK
            ),
            timeout=5,
        )

        assert calls == 2
        assert [log["event"] for log in logs] == ["loop failed; starting it again"]
        assert "returned before the worker stopped" in str(logs[0]["exc_info"][1])

    async def test_stopping_cuts_the_pause_short(self) -> None:
        stopping = asyncio.Event()

        async def fails(_beat: Heartbeat) -> None:
            stopping.set()
            raise RuntimeError("down")

        await asyncio.wait_for(
            supervise.supervise(
                Loops().heartbeat("down", stale_after=None),
                fails,
                stopping=stopping,
                backoff=Backoff(first=60, longest=60),
            ),
            timeout=2,
        )


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class TestLoops:
    def test_a_loop_that_beat_within_its_limit_is_healthy(self) -> None:
        clock = FakeMonotonic()
        loops = Loops(clock)
        beat = loops.heartbeat("webhook-deliveries", stale_after=61)
        clock.now += 60
        beat()
        clock.now += 60

        assert loops.problems() == {}

    def test_a_loop_silent_for_longer_than_its_limit_is_stale(self) -> None:
        clock = FakeMonotonic()
        loops = Loops(clock)
        loops.heartbeat("webhook-deliveries", stale_after=61)
        loops.heartbeat("postgres-listen", stale_after=None)
        clock.now += 62

        assert loops.problems() == {"webhook-deliveries": "stale: no turn for 62 s (limit 61 s)"}

    def test_a_failed_loop_is_named_until_it_beats_again(self) -> None:
        loops = Loops(FakeMonotonic())
        beat = loops.heartbeat("owner-alerts", stale_after=330)
        beat.failed(ConnectionError("database is down"))

        assert loops.problems() == {
            "owner-alerts": "failed and is restarting (ConnectionError: database is down)"
        }
        assert loops.report()["owner-alerts"]["restarts"] == 1

        beat()

        assert loops.problems() == {}
        assert loops.report()["owner-alerts"]["restarts"] == 1


def failing_job(failures: int) -> tuple[Job, Callable[[], int]]:
    runs = 0

    async def run(_runtime: Runtime) -> int:
        nonlocal runs
        runs += 1
        if runs <= failures:
            raise RuntimeError(f"job failure {runs}")
        return 0

    return Job("flaky-job", 0.01, run), lambda: runs


def app_client(runtime: Runtime) -> httpx.AsyncClient:
    """The API of ``runtime``, without its lifespan: these tests run the worker themselves."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app_for(runtime)), base_url="http://t")


class running:  # noqa: N801 - reads as a context manager
    """The worker's loops in the background, stopped at the end."""

    def __init__(self, worker: Worker) -> None:
        self.worker = worker
        self.task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Worker:
        self.task = asyncio.create_task(self.worker.run())
        await eventually(lambda: bool(self.worker.runtime.loops))
        return self.worker

    async def __aexit__(self, *_exc: object) -> None:
        self.worker.stop()
        assert self.task is not None
        await asyncio.wait_for(self.task, timeout=10)


class TestReadiness:
    async def test_ready_with_the_database_and_no_loops(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/readyz")

        assert response.status_code == 200
        assert response.json() == {
            "status": "ready",
            "version": __version__,
            "problems": [],
            "database": "ok",
            "storage": "ok",
            "loops": {},
        }

    async def test_a_loop_that_keeps_failing_turns_readiness_503_with_its_name(
        self, runtime: Runtime
    ) -> None:
        job, runs = failing_job(failures=1_000_000)
        async with running(Worker(runtime, (job,), backoff=QUICK)), app_client(runtime) as http:
            await eventually(lambda: runs() >= 3)
            response = await http.get("/readyz")

        assert response.status_code == 503
        body = response.json()
        assert body["status"] == "unready"
        assert len(body["problems"]) == 1
        assert body["problems"][0].startswith(
            "loop flaky-job: failed and is restarting (RuntimeError: job failure"
        )
        assert body["loops"]["flaky-job"]["restarts"] >= 2
        assert body["loops"]["webhook-deliveries"]["problem"] is None

    async def test_a_loop_that_recovers_is_ready_again(self, runtime: Runtime) -> None:
        job, runs = failing_job(failures=2)
        async with running(Worker(runtime, (job,), backoff=QUICK)), app_client(runtime) as http:
            await eventually(lambda: runs() >= 4)
            response = await http.get("/readyz")

        assert response.status_code == 200, response.text
        assert response.json()["loops"]["flaky-job"]["restarts"] == 2

    async def test_a_stuck_loop_turns_readiness_503(self, runtime: Runtime) -> None:
        clock = FakeMonotonic()
        runtime.loops = Loops(clock)
        stuck, release = asyncio.Event(), asyncio.Event()

        async def hangs(_runtime: Runtime) -> int:
            stuck.set()
            await release.wait()  # a statement that does not answer
            return 0

        async with running(Worker(runtime, (Job("hangs", 30.0, hangs),))), app_client(runtime) as http:
            await asyncio.wait_for(stuck.wait(), timeout=5)
            before = await http.get("/readyz")
            clock.now += 30.0 + JOB_STUCK_SECONDS + 1
            after = await http.get("/readyz")
            release.set()

        assert before.status_code == 200
        assert after.status_code == 503
        assert "loop hangs: stale: no turn for 331 s (limit 330 s)" in after.json()["problems"]


class TestAnEmbeddedWorker:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        return {"embedded_worker": True}

    async def test_that_cannot_start_fails_the_start_of_the_app(
        self, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        async def cannot_start(_worker: Worker) -> None:
            raise OSError("no sockets left")

        monkeypatch.setattr(Worker, "start", cannot_start)
        app = create_app(runtime=runtime)

        with pytest.raises(OSError, match="no sockets left"):
            async with app.router.lifespan_context(app):
                pass

    async def test_runs_its_loops_while_the_app_runs_and_stops_them_with_it(self, runtime: Runtime) -> None:
        app = create_app(runtime=runtime)

        async with app.router.lifespan_context(app):
            await eventually(lambda: "webhook-deliveries" in runtime.loops.report())
            assert runtime.loops.problems() == {}


class TestTheOperationsPortOfAWorker:
    @pytest.fixture
    async def operations(self, runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
        runner = await health.serve_operations(runtime, host="127.0.0.1", port=0)
        host, port = runner.addresses[0][:2]
        async with httpx.AsyncClient(base_url=f"http://{host}:{port}") as http:
            yield http
        await runner.cleanup()

    async def test_answers_readiness_as_the_api_does(
        self, runtime: Runtime, operations: httpx.AsyncClient
    ) -> None:
        job, runs = failing_job(failures=1_000_000)
        async with running(Worker(runtime, (job,), backoff=QUICK)):
            await eventually(lambda: runs() >= 2)
            failing = await operations.get("/readyz")
        healthy = await operations.get("/healthz")

        assert failing.status_code == 503
        assert failing.json()["problems"][0].startswith("loop flaky-job: failed")
        assert healthy.json() == {"status": "ok", "version": __version__}

    async def test_reads_the_queue_gauges_at_scrape_time(
        self, runtime: Runtime, operations: httpx.AsyncClient
    ) -> None:
        await queue_notifications(runtime, orders_count=1, urls=["https://shop.example/hooks"])

        response = await operations.get("/metrics")

        assert response.status_code == 200
        assert "printapi_webhook_notifications_pending 1.0" in response.text
        assert "printapi_webhook_notifications_due 1.0" in response.text
