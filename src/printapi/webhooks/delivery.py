"""The webhook dispatcher: claim due notifications, POST them, record every attempt.

The loop shape of ``kit/loop.py`` — claim → process → record — with the concurrency webhooks need:

1. claim (``run_once``): a batch of due notifications under a lease, in one short transaction
   committed before any network I/O; at most the endpoint's ``concurrency`` leased per endpoint,
   so a dead endpoint cannot take the capacity of the healthy ones;
2. process: each is sent as its own task (``sending.send``: the exact request of webhooks.md §1,
   redirects not followed, at most ``PRINTAPI_WEBHOOK_RESPONSE_CAP`` bytes of the answer read),
   up to ``PRINTAPI_WEBHOOK_MAX_IN_FLIGHT`` at once; the next claim does not wait for them;
3. record (``record_pending``, which a recorder task runs as the outcomes come back): a batch per
   transaction: the attempt rows, delivered / due again / next retry / given up, the owner alerts
   of a first failure and of giving up, and the endpoints' ``concurrency`` (slow start): a batch
   with a success doubles it, up to ``PRINTAPI_WEBHOOK_PER_ENDPOINT``, one with a failure halves
   it. A new endpoint starts at one call, so one that never answers holds one connection instead
   of the whole cap, and a healthy one reaches the cap after three recorded batches.

It wakes on a committed change (in-process event, PostgreSQL NOTIFY, the SQLite doorbell), when
a recorded batch frees leases, when a retry falls due (a local timer), and at least every
``PRINTAPI_WORKER_POLL_SECONDS``. Tests drive it a turn at a time: ``run_once``, then ``settle``.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import aiohttp

from printapi.config import Settings
from printapi.kit import loop, metrics, schedule
from printapi.kit.clock import Clock
from printapi.kit.db import Database
from printapi.kit.logging import get_logger
from printapi.kit.outbound import Failure, OutboundGuard
from printapi.kit.wakeup import Wakeup
from printapi.webhooks import sending
from printapi.webhooks.repository import attempts, owner_alerts
from printapi.webhooks.repository.attempts import Claimed, Failed
from printapi.webhooks.sending import Outcome
from printapi.webhooks.service import CHANNEL
from printapi.webhooks.states import AlertKind

log = get_logger("printapi.webhooks")

ALERTS_CHANNEL = "alerts"
# Failures recorded per transaction. The calls to a dead endpoint time out together (they were
# sent together): recorded in one go, a burst of hundreds held up the successes behind it, and
# with them the healthy endpoints' next claims (7cdaa32). Chunks of 20 were tried as well and
# only stretched the bursts out (healthy p99 78.6 ms in the benchmark's outage run, 75b48e2).
RECORD_FAILURES_AT_ONCE = 50
# Successes recorded per transaction: every one waiting, up to three bound values each within
# the drivers' limit of 32,766 per statement.
RECORD_SUCCESSES_AT_ONCE = 2000
# A retry's timer fires this long after the retry falls due, so that the claim finds it due.
RETRY_SLACK_SECONDS = 0.005


@dataclass(frozen=True)
class DeliveryConfig:
    """What the dispatcher is tuned by (``PRINTAPI_WEBHOOK_*``, docs/operations.md)."""

    schedule: tuple[timedelta, ...]
    timeout_seconds: float
    lease_seconds: float
    max_in_flight: int
    claim_batch: int
    per_endpoint: int
    response_cap: int
    poll_seconds: float
    # The longest random pause before a first attempt to an endpoint whose last call failed.
    spread_seconds: float
    failures_at_once: int = RECORD_FAILURES_AT_ONCE

    @classmethod
    def of(cls, settings: Settings) -> DeliveryConfig:
        return cls(
            schedule=settings.schedule,
            timeout_seconds=settings.webhook_timeout_seconds,
            lease_seconds=settings.webhook_lease_seconds,
            max_in_flight=settings.webhook_max_in_flight,
            claim_batch=settings.webhook_claim_batch,
            per_endpoint=settings.webhook_per_endpoint,
            response_cap=settings.webhook_response_cap,
            poll_seconds=settings.worker_poll_seconds,
            spread_seconds=settings.webhook_spread_seconds,
        )


def concurrency_changes(
    succeeded: list[Claimed], failed: list[Failed], *, maximum: int
) -> tuple[set[int], set[int]]:
    """The endpoints whose slow-start concurrency a recorded batch doubles, and those it halves:
    an endpoint with a failure counts as failing. Only those whose concurrency, as claimed, can
    still move: at the cap a healthy endpoint's successes change nothing, nor do a dead one's
    failures at one call, so a batch usually writes no endpoint row at all."""
    failing = {f.claimed.endpoint_pk for f in failed}
    up = {c.endpoint_pk for c in succeeded if c.concurrency < maximum} - failing
    down = {f.claimed.endpoint_pk for f in failed if f.claimed.concurrency > 1}
    return up, down


def _error_of(task: asyncio.Task[None]) -> BaseException | None:
    return None if task.cancelled() else task.exception()


def _no_beat() -> None:
    return None


class Dispatcher:
    """The webhook loop of one worker process (a ``kit.loop.Step``)."""

    def __init__(
        self,
        *,
        db: Database,
        clock: Clock,
        wakeup: Wakeup,
        http: aiohttp.ClientSession,
        guard: OutboundGuard,
        config: DeliveryConfig,
        worker: str,
        jitter: random.Random | None = None,
    ) -> None:
        self.db, self.clock, self.wakeup = db, clock, wakeup
        self.http, self.guard = http, guard
        self.config = config
        self.worker = worker
        self._random = jitter or random.Random()  # noqa: S311 - jitter, not security
        self._in_flight: set[asyncio.Task[None]] = set()
        self._successes: deque[Outcome] = deque()
        self._failures: deque[Outcome] = deque()
        self._failing: set[int] = set()  # endpoints whose last recorded outcome was a failure
        self._have_outcomes = asyncio.Event()
        self._stopping = asyncio.Event()
        self._recorder: asyncio.Task[None] | None = None  # while ``run`` runs
        self._drained = False  # stopping, and every call in flight has come back

    async def run(self, stopping: asyncio.Event, beat: Callable[[], None] = _no_beat) -> None:
        """Turns until ``stopping``, with the recorder beside them. The recorder stopping on its
        own is a failure of the whole dispatcher, which its supervisor starts again."""
        self._stopping = stopping
        self._drained = False
        self._recorder = asyncio.create_task(self._record_loop(), name="webhook-recorder")
        try:
            await loop.run(self, stopping=stopping, beat=beat)
        finally:
            await self._stop_recording(self._recorder, stopped=stopping.is_set())
            self._recorder = None

    async def run_once(self) -> bool:
        """Claim what is due and there is room for, and start sending it. True when the batch
        was full: more is probably due right now."""
        if self._recorder is not None and self._recorder.done():
            raise RuntimeError("the webhook recorder stopped") from _error_of(self._recorder)
        limit = min(self.config.max_in_flight - len(self._in_flight), self.config.claim_batch)
        if limit <= 0:
            return False
        claimed = await self._claim(limit)
        for item in claimed:
            self._start(item)
        return len(claimed) == limit

    async def idle(self) -> None:
        poll = self.config.poll_seconds
        if len(self._in_flight) >= self.config.max_in_flight:
            await asyncio.wait(self._in_flight, timeout=poll, return_when=asyncio.FIRST_COMPLETED)
        else:
            await self.wakeup.wait(CHANNEL, poll)

    async def settle(self) -> None:
        """Wait for every call in flight, then record every outcome: the end of a turn, for a
        caller that drives the dispatcher itself (tests)."""
        if self._in_flight:
            await asyncio.wait(self._in_flight)
        await self.record_pending()

    async def record_pending(self) -> None:
        """Record every outcome that has come back, a batch per transaction."""
        while self._successes or self._failures:
            await self._record_batch()

    async def _stop_recording(self, recorder: asyncio.Task[None], *, stopped: bool) -> None:
        if self._in_flight:
            await asyncio.wait(self._in_flight, timeout=self.config.timeout_seconds + 1)
        if stopped:
            # No call is in flight any more: the recorder finishes the batch it may be in, takes
            # what is left, and returns (cancelled mid-transaction, it would lose that batch).
            self._drained = True
            self._have_outcomes.set()
            await recorder
        else:  # cancelled from outside
            recorder.cancel()
            await asyncio.gather(recorder, return_exceptions=True)

    async def _claim(self, limit: int) -> list[Claimed]:
        try:
            async with self.db.write() as session:
                return await attempts.claim(
                    session,
                    now=self.clock.now(),
                    worker=self.worker,
                    lease_seconds=self.config.lease_seconds,
                    limit=limit,
                    per_endpoint=self.config.per_endpoint,
                )
        except Exception:
            log.exception("claiming webhook notifications failed")
            return []

    def _start(self, claimed: Claimed) -> None:
        """Send one claimed notification as its own task.

        Calls to endpoints that never answer were all sent at once, so they all time out at once,
        and so are sent again at once, ten seconds later, for as long as the outage lasts: every
        such wave of a hundred endpoints' timeouts, records and new calls held up the healthy
        endpoints' deliveries for 100-250 ms (75b48e2: healthy p99 33-79 ms before, 31.7 ms
        after). The first attempt of a notification to an endpoint whose last call failed
        therefore waits a random pause of up to ``spread_seconds``, so the failing endpoints
        drift apart. Retries keep their schedule, and an endpoint that answers is never paused.
        """
        pause = 0.0
        if claimed.attempts == 1 and claimed.endpoint_pk in self._failing:
            pause = self._random.uniform(0.0, self.config.spread_seconds)
        task = asyncio.create_task(self._deliver(claimed, pause))
        self._in_flight.add(task)
        task.add_done_callback(self._in_flight.discard)

    async def _deliver(self, claimed: Claimed, pause: float = 0.0) -> None:
        if pause > 0:
            # Cut short when the worker stops: the row is leased already, so send it now.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=pause)
        outcome = await sending.send(
            self.http, self.guard, claimed, now=self.clock.now(), response_cap=self.config.response_cap
        )
        (self._successes if outcome.succeeded else self._failures).append(outcome)
        self._have_outcomes.set()

    async def _record_loop(self) -> None:
        """Records outcomes as they come; once the stopping dispatcher has no call in flight any
        more, what is left, then returns."""
        while True:
            await self._have_outcomes.wait()
            self._have_outcomes.clear()
            while self._successes or self._failures:
                try:
                    await self._record_batch()
                except Exception:
                    log.exception(
                        "recording webhook outcomes failed; the leases will expire and the rows retry"
                    )
            if self._drained:
                return

    def _take_batch(self) -> list[Outcome]:
        """Every success waiting (up to RECORD_SUCCESSES_AT_ONCE) and the oldest failures, at most
        ``failures_at_once``: the successes that arrive meanwhile go with the next batch."""
        successes, failures = self._successes, self._failures
        batch = [successes.popleft() for _ in range(min(len(successes), RECORD_SUCCESSES_AT_ONCE))]
        return batch + [failures.popleft() for _ in range(min(len(failures), self.config.failures_at_once))]

    async def _record_batch(self) -> None:
        batch = self._take_batch()
        if not batch:
            return
        now = self.clock.now()
        succeeded = [outcome.claimed for outcome in batch if outcome.succeeded]
        failures = [(outcome, self._failed(outcome, now)) for outcome in batch if not outcome.succeeded]
        async with self.db.write() as session:
            # A few statements for the whole batch, however many endpoints failed in it: a burst
            # of timeouts must not hold the healthy endpoints' leases for long.
            delivered, _again = await attempts.mark_delivered(
                session, claimed=succeeded, worker=self.worker, now=now
            )
            failed = [f for _, f in failures]
            ours = await attempts.mark_failed(session, failed=failed, worker=self.worker, now=now)
            alerts = [a for o, f in failures if f.claimed.pk in ours for a in self._alerts(o, f, now)]
            await attempts.add_attempts(session, [sending.attempt_row(outcome) for outcome in batch])
            await owner_alerts.add_alerts(session, alerts)
            up, down = concurrency_changes(succeeded, failed, maximum=self.config.per_endpoint)
            await attempts.adjust_concurrency(
                session, succeeded=up, failed=down, maximum=self.config.per_endpoint
            )
        self._recorded(succeeded, delivered, failed, ours, alerted=bool(alerts), now=now)

    def _recorded(
        self,
        succeeded: list[Claimed],
        delivered: set[int],
        failed: list[Failed],
        ours: set[int],
        *,
        alerted: bool,
        now: datetime,
    ) -> None:
        """After a batch's commit: who is failing now, the metrics, and the wake-ups."""
        self._failing -= {c.endpoint_pk for c in succeeded}
        self._failing |= {f.claimed.endpoint_pk for f in failed}
        for claimed in succeeded:
            metrics.WEBHOOK_ATTEMPTS.labels("success", "").inc()
            if claimed.pk in delivered:
                metrics.WEBHOOK_LATENCY_SECONDS.observe(max(0.0, (now - claimed.changed_at).total_seconds()))
        # Their leases are free now: the claim loop may take more of the same endpoints at once.
        self.wakeup.poke([CHANNEL, *([ALERTS_CHANNEL] if alerted else [])])
        retries = [f.retry_at for f in failed if f.claimed.pk in ours and f.retry_at is not None]
        if retries:
            self._wake_at(min(retries))

    def _failed(self, outcome: Outcome, now: datetime) -> Failed:
        """The next attempt of a failed one, on the schedule (None: it was the last)."""
        failure = outcome.failure
        assert failure is not None
        metrics.WEBHOOK_ATTEMPTS.labels("failure", failure.error_class).inc()
        attempts_made = outcome.claimed.attempts
        wait = schedule.next_wait(
            self.config.schedule, failed_attempts=attempts_made, random=self._random.random
        )
        return Failed(outcome.claimed, None if wait is None else now + wait, failure.message)

    @staticmethod
    def _alerts(outcome: Outcome, failed: Failed, now: datetime) -> list[dict[str, Any]]:
        """The owner alerts of a recorded failure: the first failure, and giving up."""
        failure: Failure | None = outcome.failure
        assert failure is not None
        alerts = []
        if failed.claimed.attempts == 1:
            alerts.append(sending.alert_row(failed.claimed, AlertKind.FIRST_FAILURE, failure, now))
        if failed.retry_at is None:
            metrics.WEBHOOK_GIVEN_UP.inc()
            alerts.append(sending.alert_row(failed.claimed, AlertKind.GAVE_UP, failure, now))
        return alerts

    def _wake_at(self, moment: datetime) -> None:
        """Wake the claim loop when a retry falls due; only while ``run`` runs (a caller that
        drives the turns itself decides when to turn)."""
        if self._recorder is None:
            return
        delay = max(0.0, (moment - self.clock.now()).total_seconds())
        asyncio.get_running_loop().call_later(delay + RETRY_SLACK_SECONDS, self.wakeup.poke, [CHANNEL])
