"""The webhook dispatcher: claim due notifications, POST them, record every attempt.

One loop per worker process:

1. claim a batch of due notifications under a lease (one short transaction, committed before
   any network I/O; at most the endpoint's ``concurrency`` leased per endpoint, so a dead
   endpoint cannot take the capacity of the healthy ones);
2. send each as its own task: the exact request of webhooks.md §1, a 10 s timeout, redirects
   not followed, at most ``PRINTAPI_WEBHOOK_RESPONSE_CAP`` bytes of the answer read;
3. record outcomes in batches (one transaction per batch): the attempt row, then delivered /
   due again / next retry / given up, and the owner alerts of a first failure and of giving up;
   and the endpoints' ``concurrency`` (slow start): a batch with a success doubles it, up to
   ``PRINTAPI_WEBHOOK_PER_ENDPOINT``, one with a failure halves it. A new endpoint starts at
   one call, so one that never answers holds one connection instead of the whole cap, and a
   healthy one reaches the cap after three recorded batches.

It wakes on a committed change (in-process event, PostgreSQL NOTIFY), when a retry falls due
(a local timer), and at least every ``PRINTAPI_WORKER_POLL_SECONDS``.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import aiohttp

from printapi import __version__
from printapi.kit import metrics, schedule
from printapi.kit.logging import get_logger
from printapi.kit.outbound import Failure, OutboundGuard, classify, read_capped
from printapi.runtime import Runtime
from printapi.webhooks import signing
from printapi.webhooks.repository import attempts, owner_alerts
from printapi.webhooks.repository.attempts import Claimed, Failed
from printapi.webhooks.service import CHANNEL
from printapi.webhooks.states import AlertKind, NotificationKind

log = get_logger("printapi.webhooks")

USER_AGENT = f"printapi-webhooks/{__version__}"
RECORD_FAILURES_AT_ONCE = 50
RECORD_SUCCESSES_AT_ONCE = 2000  # three bound values each: within the drivers' 32,766 per statement
ALERTS_CHANNEL = "alerts"


@dataclass(frozen=True)
class Outcome:
    claimed: Claimed
    started_at: datetime
    duration_ms: int
    status_code: int | None
    failure: Failure | None
    snippet: str | None

    @property
    def succeeded(self) -> bool:
        return self.failure is None


def request_body(claimed: Claimed) -> bytes:
    order_id = "ping" if claimed.kind == NotificationKind.PING else (claimed.order_id or "")
    return urlencode({"orderId": order_id}).encode()


def request_headers(claimed: Claimed, body: bytes, *, timestamp: int) -> dict[str, str]:
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "webhook-id": claimed.id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signing.signature_header(
            claimed.secrets, message_id=claimed.id, timestamp=timestamp, body=body
        ),
    }


async def send(
    http: aiohttp.ClientSession, guard: OutboundGuard, claimed: Claimed, *, now: datetime, response_cap: int
) -> Outcome:
    """One attempt. Success is any 2xx; everything else (3xx included) is a failure."""
    body = request_body(claimed)
    started = time.perf_counter()
    status: int | None = None
    snippet: str | None = None
    failure: Failure | None = None
    try:
        guard.check_url(claimed.url)
        headers = request_headers(claimed, body, timestamp=int(now.timestamp()))
        async with http.post(claimed.url, data=body, headers=headers, allow_redirects=False) as response:
            status = response.status
            data, _complete = await read_capped(response, response_cap)
            snippet = data.decode("utf-8", "replace") or None
            if not 200 <= status < 300:
                failure = Failure("http_status", f"HTTP {status}")
    except (aiohttp.ClientError, OSError, TimeoutError, ValueError) as exc:
        failure = classify(exc)
    duration = time.perf_counter() - started
    metrics.WEBHOOK_ATTEMPT_SECONDS.observe(duration)
    return Outcome(claimed, now, round(duration * 1000), status, failure, snippet)


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


class Dispatcher:
    def __init__(
        self, runtime: Runtime, http: aiohttp.ClientSession, guard: OutboundGuard, *, worker: str
    ) -> None:
        self.runtime = runtime
        self.http = http
        self.guard = guard
        self.worker = worker
        self.settings = runtime.settings
        self.schedule = runtime.settings.schedule
        self._in_flight: set[asyncio.Task[None]] = set()
        self._successes: deque[Outcome] = deque()
        self._failures: deque[Outcome] = deque()
        self._have_outcomes = asyncio.Event()
        self._drained = False  # stopping, and every call in flight has come back
        self._random = random.Random()  # noqa: S311 - jitter, not security
        self._failing: set[int] = set()  # endpoints whose last recorded outcome was a failure
        self.spread_seconds = self.settings.webhook_spread_seconds
        self._stopping = asyncio.Event()

    async def run(self, stopping: asyncio.Event, beat: Callable[[], None] = lambda: None) -> None:
        """Claim and send until ``stopping``, with a ``beat`` at every turn. The recorder stopping
        on its own is a failure of the whole dispatcher, which its supervisor starts again."""
        self._stopping = stopping
        recorder = asyncio.create_task(self._record_loop(), name="webhook-recorder")
        try:
            while not stopping.is_set():
                if recorder.done():
                    raise RuntimeError("the webhook recorder stopped") from _error_of(recorder)
                beat()
                room = self.settings.webhook_max_in_flight - len(self._in_flight)
                claimed = await self._claim(min(room, self.settings.webhook_claim_batch)) if room > 0 else []
                for item in claimed:
                    self._start(item)
                if claimed and len(claimed) == min(room, self.settings.webhook_claim_batch):
                    continue  # probably more due right now
                await self._idle()
        finally:
            await self._drain()
            if stopping.is_set():
                # No call is in flight any more: the recorder finishes the chunk it may be in,
                # takes what is left, and returns (cancelled mid-transaction, it would lose that
                # chunk's outcomes).
                self._drained = True
                self._have_outcomes.set()
                await recorder
            else:  # cancelled from outside
                recorder.cancel()
                await asyncio.gather(recorder, return_exceptions=True)

    async def _idle(self) -> None:
        poll = self.settings.worker_poll_seconds
        if len(self._in_flight) >= self.settings.webhook_max_in_flight:
            await asyncio.wait(self._in_flight, timeout=poll, return_when=asyncio.FIRST_COMPLETED)
        else:
            await self.runtime.wakeup.wait(CHANNEL, poll)

    async def _drain(self) -> None:
        if self._in_flight:
            await asyncio.wait(self._in_flight, timeout=self.settings.webhook_timeout_seconds + 1)

    async def _claim(self, limit: int) -> list[Claimed]:
        try:
            async with self.runtime.db.write() as session:
                return await attempts.claim(
                    session,
                    now=self.runtime.clock.now(),
                    worker=self.worker,
                    lease_seconds=self.settings.webhook_lease_seconds,
                    limit=limit,
                    per_endpoint=self.settings.webhook_per_endpoint,
                )
        except Exception:
            log.exception("claiming webhook notifications failed")
            return []

    def _start(self, claimed: Claimed) -> None:
        """Send one claimed notification as its own task.

        Calls to endpoints that never answer were all sent at once, so they all time out at once,
        and so are sent again at once, ten seconds later, for as long as the outage lasts: every
        such wave of a hundred endpoints' timeouts, records and new calls held up the healthy
        endpoints' deliveries for 100-250 ms. The first attempt of a notification to an endpoint
        whose last call failed therefore waits a random pause of up to ``spread_seconds``, so
        the failing endpoints drift apart. Retries keep their schedule, and an endpoint that
        answers is never paused.
        """
        pause = 0.0
        if claimed.attempts == 1 and claimed.endpoint_pk in self._failing:
            pause = self._random.uniform(0.0, self.spread_seconds)
        task = asyncio.create_task(self._deliver(claimed, pause))
        self._in_flight.add(task)
        task.add_done_callback(self._in_flight.discard)

    async def _deliver(self, claimed: Claimed, pause: float = 0.0) -> None:
        if pause > 0:
            # Cut short when the worker stops: the row is leased already, so send it now.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=pause)
        outcome = await send(
            self.http,
            self.guard,
            claimed,
            now=self.runtime.clock.now(),
            response_cap=self.settings.webhook_response_cap,
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

    async def _record_batch(self) -> None:
        """The successes waiting (up to RECORD_SUCCESSES_AT_ONCE), and at most
        RECORD_FAILURES_AT_ONCE failures, in one transaction.

        Calls to a dead endpoint time out together (they were sent together): recording hundreds
        of them at once held up the successes behind them, and so the healthy endpoints' next
        claims. In chunks, the successes that arrive meanwhile go with the next one.
        """
        batch = [
            self._successes.popleft() for _ in range(min(len(self._successes), RECORD_SUCCESSES_AT_ONCE))
        ]
        batch += [self._failures.popleft() for _ in range(min(len(self._failures), RECORD_FAILURES_AT_ONCE))]
        if not batch:
            return
        now = self.runtime.clock.now()
        succeeded = [outcome.claimed for outcome in batch if outcome.succeeded]
        failures = [(outcome, self._failed(outcome, now)) for outcome in batch if not outcome.succeeded]
        failed = [f for _, f in failures]
        async with self.runtime.db.write() as session:
            # A few statements for the whole batch, however many endpoints failed in it: a burst
            # of timeouts must not hold the healthy endpoints' leases for long.
            delivered, _again = await attempts.mark_delivered(
                session, claimed=succeeded, worker=self.worker, now=now
            )
            ours = await attempts.mark_failed(session, failed=failed, worker=self.worker, now=now)
            alerts = [a for o, f in failures if f.claimed.pk in ours for a in self._alerts(o, f, now)]
            await attempts.add_attempts(session, [self._attempt_row(outcome) for outcome in batch])
            await owner_alerts.add_alerts(session, alerts)
            up, down = concurrency_changes(succeeded, failed, maximum=self.settings.webhook_per_endpoint)
            await attempts.adjust_concurrency(
                session, succeeded=up, failed=down, maximum=self.settings.webhook_per_endpoint
            )
        self._failing -= {c.endpoint_pk for c in succeeded}
        self._failing |= {f.claimed.endpoint_pk for f in failed}
        self._count_successes(succeeded, delivered, now)
        # Their leases are free now: the claim loop may take more of the same endpoints at once.
        self.runtime.wakeup.poke([CHANNEL, *([ALERTS_CHANNEL] if alerts else [])])
        retries = [f.retry_at for f in failed if f.claimed.pk in ours and f.retry_at is not None]
        if retries:
            self._wake_at(min(retries))

    @staticmethod
    def _count_successes(succeeded: list[Claimed], delivered: set[int], now: datetime) -> None:
        for claimed in succeeded:
            metrics.WEBHOOK_ATTEMPTS.labels("success", "").inc()
            if claimed.pk in delivered:
                metrics.WEBHOOK_LATENCY_SECONDS.observe(max(0.0, (now - claimed.changed_at).total_seconds()))

    def _failed(self, outcome: Outcome, now: datetime) -> Failed:
        """The next attempt of a failed one, on the schedule (None: it was the last)."""
        failure = outcome.failure
        assert failure is not None
        metrics.WEBHOOK_ATTEMPTS.labels("failure", failure.error_class).inc()
        attempts = outcome.claimed.attempts
        wait = schedule.next_wait(self.schedule, failed_attempts=attempts, random=self._random.random)
        return Failed(outcome.claimed, None if wait is None else now + wait, failure.message)

    def _alerts(self, outcome: Outcome, failed: Failed, now: datetime) -> list[dict[str, Any]]:
        """The owner alerts of a recorded failure: the first failure, and giving up."""
        failure = outcome.failure
        assert failure is not None
        alerts = []
        if failed.claimed.attempts == 1:
            alerts.append(self._alert(failed.claimed, AlertKind.FIRST_FAILURE, failure, now))
        if failed.retry_at is None:
            metrics.WEBHOOK_GIVEN_UP.inc()
            alerts.append(self._alert(failed.claimed, AlertKind.GAVE_UP, failure, now))
        return alerts

    @staticmethod
    def _alert(claimed: Claimed, kind: AlertKind, failure: Failure, now: datetime) -> dict[str, Any]:
        """An ``OwnerAlert`` row (inserted in bulk, without ORM objects)."""
        return {
            "endpoint_pk": claimed.endpoint_pk,
            "kind": kind,
            "notification_id": claimed.id,
            "order_id": claimed.order_id,
            "error_class": failure.error_class,
            "error": failure.message[:300],
            "created_at": now,
        }

    @staticmethod
    def _attempt_row(outcome: Outcome) -> dict[str, Any]:
        """A ``WebhookAttempt`` row (inserted in bulk, without ORM objects)."""
        failure = outcome.failure
        return {
            "notification_pk": outcome.claimed.pk,
            "number": outcome.claimed.attempts,
            "started_at": outcome.started_at,
            "duration_ms": outcome.duration_ms,
            "status_code": outcome.status_code,
            "error_class": failure.error_class if failure else None,
            "error": failure.message[:300] if failure else None,
            "response_snippet": outcome.snippet,
            "url": outcome.claimed.url,
        }

    def _wake_at(self, moment: datetime) -> None:
        delay = max(0.0, (moment - self.runtime.clock.now()).total_seconds())
        asyncio.get_running_loop().call_later(delay + 0.005, self.runtime.wakeup.poke, [CHANNEL])
