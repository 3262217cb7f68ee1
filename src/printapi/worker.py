"""The due-work loops: run by ``printapi worker``, or inside ``printapi serve`` (embedded mode).

- the webhook dispatcher (``webhooks/delivery.py``);
- print-file downloads and their preflight (``files/downloads.py``);
- the mail outbox (``mail/tasks.py``), when an SMTP server is configured;
- owner alerts: grouped failure mails (``webhooks/alerts.py``);
- payments: expired links (``payments/service.py``) and the calls to payment providers that
  must happen (``payments/tasks.py``);
- housekeeping: expired tokens, finished rows older than ``PRINTAPI_RETENTION_DAYS``, the
  stored files of orders cancelled longer ago than that, and idempotency keys older than
  ``PRINTAPI_IDEMPOTENCY_HOURS``.

Each loop wakes on its channel (a commit in this process, or PostgreSQL NOTIFY from others) and
polls besides. Each runs under ``kit/supervise``: a loop that fails is logged at ERROR with its
traceback and started again after a pause; the others go on. Readiness (``/readyz``) names a
loop that failed or has not made a turn for longer than its lease.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import socket
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import aiohttp

from printapi import effects
from printapi.auth import service as auth
from printapi.config import Settings
from printapi.feed import service as feed
from printapi.files import repository as files_repository
from printapi.files.downloads import CHANNEL as DOWNLOADS_CHANNEL
from printapi.files.downloads import DownloadConfig, Downloader, download_session
from printapi.idempotency import service as idempotency
from printapi.kit import loop, schedule, statistics
from printapi.kit.leader import Leadership
from printapi.kit.logging import get_logger
from printapi.kit.outbound import create_session
from printapi.kit.supervise import RESTART_BACKOFF, Backoff, Heartbeat, LoopSpec, supervise
from printapi.kit.wakeup import PostgresListener, asyncpg_dsn
from printapi.mail import repository as mail_repository
from printapi.mail import tasks as mail_tasks
from printapi.mail.sender import SmtpSender
from printapi.payments import service as payments
from printapi.payments.queue import CHANNEL as PAYMENT_TASKS_CHANNEL
from printapi.payments.tasks import TaskRunner
from printapi.runtime import Runtime
from printapi.webhooks import alerts
from printapi.webhooks.delivery import ALERTS_CHANNEL, DeliveryConfig, Dispatcher
from printapi.webhooks.repository import queue as webhook_queue
from printapi.webhooks.sending import USER_AGENT

log = get_logger("printapi.worker")


@dataclass(frozen=True)
class Job:
    name: str
    interval_seconds: float
    run: Callable[[Runtime], Awaitable[int]]
    channel: str | None = None


async def prune_tokens(runtime: Runtime) -> int:
    async with runtime.db.write() as session:
        return await auth.prune_expired_tokens(session, now=runtime.clock.now())


async def prune_idempotency_keys(runtime: Runtime) -> int:
    """Idempotency keys older than PRINTAPI_IDEMPOTENCY_HOURS, with their stored answers."""
    async with runtime.db.write() as session:
        return await idempotency.prune_expired(session, now=runtime.clock.now())


async def prune_finished(runtime: Runtime) -> int:
    before = runtime.clock.now() - timedelta(days=runtime.settings.retention_days)
    async with runtime.db.write() as session:
        pruned = await webhook_queue.prune_finished(session, before=before)
        pruned += await mail_repository.prune_sent(session, before=before)
        pruned += await feed.prune(session, before=before)  # the event feed keeps the retention period
    return pruned


async def prune_cancelled_files(runtime: Runtime) -> int:
    """Stored print files of orders cancelled before the retention period are deleted."""
    before = runtime.clock.now() - timedelta(days=runtime.settings.retention_days)
    async with runtime.db.write() as session:
        files = await files_repository.stored_files_of_cancelled_orders(session, before=before, limit=500)
        for file in files:
            assert file.storage_key is not None
            await runtime.storage.delete(file.storage_key)
        await files_repository.forget_stored(session, file_pks=[file.pk for file in files])
    return len(files)


async def expire_payments(runtime: Runtime, worker: str | None = None) -> int:
    """Unpaid payment links past PRINTAPI_PAYMENT_TTL_SECONDS: payment and order Cancelled.

    The claim commits first, so that each expiry takes the order's row before the payment's, as
    every path does (``effects.py``); how many it cancelled.
    """
    worker, now = worker or worker_name(), runtime.clock.now()
    async with runtime.db.write() as session:
        due = await payments.claim_expired(session, worker=worker, now=now)
    if not due:
        return 0
    expired = 0
    async with runtime.db.write() as session:
        for payment in due:
            settled = await payments.expire(session, payment=payment, worker=worker, now=now)
            await effects.handle(session, settled)
            if settled is not None:
                expired += 1
    return expired


async def run_payment_tasks(runtime: Runtime, worker: str | None = None) -> int:
    """The provider calls due (``payments/tasks.py``): polls of open provider payments, cancellations
    and refunds, each retried on PRINTAPI_PAYMENT_POLL_SCHEDULE until it has been made."""
    runner = TaskRunner(
        runtime.db, runtime.payments, effects.handle, runtime.settings.poll_schedule, worker or worker_name()
    )
    return await runner.run_due(now=runtime.clock.now())


# Tables whose plans go wrong when they outgrow their statistics, and the columns their
# queries filter on (kit/statistics.py).
QUEUE_TABLES = {
    "webhook_notifications": ("endpoint_pk", "status", "next_attempt_at", "locked_until"),
    "owner_alerts": ("endpoint_pk", "kind", "mailed_at"),
}


async def refresh_statistics(runtime: Runtime) -> int:
    async with runtime.db.write() as session:
        return len(await statistics.analyze_stale(session, QUEUE_TABLES))


async def mail_alerts(runtime: Runtime) -> int:
    """The owner mails due, a few groups per transaction (``alerts.GROUPS_AT_ONCE``)."""
    settings = runtime.settings
    queued, more = 0, True
    while more:
        async with runtime.db.write() as session:
            mails, more = await alerts.mail_due_alerts(
                session,
                now=runtime.clock.now(),
                group_seconds=settings.alert_group_seconds,
                attempts_in_all=schedule.attempts_in_all(settings.schedule),
                public_url=settings.public_url,
                groups=alerts.GROUPS_AT_ONCE,
            )
        queued += mails
        more = more and mails > 0  # a pass that mailed nothing would take the same groups again
    return queued


def jobs(settings: Settings) -> tuple[Job, ...]:
    return (
        Job("owner-alerts", 30.0, mail_alerts, channel=ALERTS_CHANNEL),
        Job("payment-expiry", settings.payment_expiry_interval_seconds, expire_payments),
        Job("payment-tasks", 10.0, run_payment_tasks, channel=PAYMENT_TASKS_CHANNEL),
        Job("queue-statistics", 0.5, refresh_statistics),
        Job("prune-expired-tokens", 600.0, prune_tokens),
        Job("prune-finished-rows", 3600.0, prune_finished),
        Job("prune-cancelled-files", 3600.0, prune_cancelled_files),
        Job("prune-idempotency-keys", 600.0, prune_idempotency_keys),
    )


# A job that has not finished a turn this long after its interval is stuck (readiness says so).
JOB_STUCK_SECONDS = 300.0


@dataclass(frozen=True)
class JobStep:
    """A job as a ``kit.loop.Step``: a turn runs it once, when this worker leads the periodic
    jobs (``kit/leader.py``); then it waits its interval (or, with a channel, a wake-up on it). A
    worker that does not lead looks again as soon as it leads, or after the election's retry."""

    job: Job
    runtime: Runtime
    stopping: asyncio.Event
    leadership: Leadership

    async def run_once(self) -> bool:
        if not self.leadership.leading:
            return False  # another worker runs it
        done = await self.job.run(self.runtime)
        if done:
            log.info("job done", job=self.job.name, rows=done)
        return False

    async def idle(self) -> None:
        if not self.leadership.leading:
            await self.leadership.wait_to_lead(self.stopping)
        elif self.job.channel is None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), timeout=self.job.interval_seconds)
        else:
            await self.runtime.wakeup.wait(self.job.channel, self.job.interval_seconds)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


class Worker:
    """The loops of one process, each under ``kit/supervise``: ``start`` (which fails loudly when
    the worker cannot start at all), ``run_loops`` until ``stop``, ``close``."""

    def __init__(
        self,
        runtime: Runtime,
        jobs_to_run: tuple[Job, ...] | None = None,
        *,
        backoff: Backoff = RESTART_BACKOFF,
    ) -> None:
        self.runtime = runtime
        self.jobs = jobs(runtime.settings) if jobs_to_run is None else jobs_to_run
        self.backoff = backoff
        self.name = worker_name()
        self.stopping = asyncio.Event()
        self._listener: PostgresListener | None = None
        self._http: list[aiohttp.ClientSession] = []
        self.leadership = Leadership.always()

    def stop(self) -> None:
        self.stopping.set()
        channels = {job.channel for job in self.jobs if job.channel} | {"webhooks", "mail", DOWNLOADS_CHANNEL}
        self.runtime.wakeup.poke(channels)

    async def run(self) -> None:
        await self.start()
        try:
            await self.run_loops()
        finally:
            await self.close()

    async def start(self) -> None:
        """What every loop needs: the wake-ups from other processes and the HTTP sessions."""
        runtime = self.runtime
        if runtime.db.dialect == "postgresql":
            dsn = asyncpg_dsn(runtime.settings.database_url)
            self._listener = PostgresListener(dsn, runtime.wakeup)
            self.leadership = Leadership(dsn, retry_seconds=runtime.settings.leader_retry_seconds)
        elif runtime.doorbell is not None:
            runtime.doorbell.listen(runtime.wakeup)
        runtime.loops.leading = lambda: self.leadership.leading
        self._http = [
            create_session(
                runtime.guard, timeout_seconds=runtime.settings.webhook_timeout_seconds, user_agent=USER_AGENT
            ),
            download_session(runtime.guard, DownloadConfig.of(runtime.settings)),
        ]
        log.info(
            "worker started",
            worker=self.name,
            jobs=[job.name for job in self.jobs],
            smtp=bool(runtime.settings.smtp_host),
        )

    async def run_loops(self) -> None:
        async with asyncio.TaskGroup() as group:
            for spec in self._loops():
                heartbeat = self.runtime.loops.heartbeat(spec.name, stale_after=spec.stale_after)
                group.create_task(
                    supervise(heartbeat, spec.run, stopping=self.stopping, backoff=self.backoff),
                    name=spec.name,
                )

    async def close(self) -> None:
        for http in self._http:
            await http.close()
        if self._listener is not None:
            await self._listener.stop()
        await self.leadership.stop()
        if self.runtime.doorbell is not None:
            self.runtime.doorbell.stop_listening()
        log.info("worker stopped", worker=self.name)

    def _loops(self) -> list[LoopSpec]:
        """Each loop, and how long it may go without a turn: as long as its lease (its work is
        someone else's then)."""
        runtime, settings, stopping = self.runtime, self.runtime.settings, self.stopping
        dispatcher = self._dispatcher()
        loops = [
            LoopSpec(
                "webhook-deliveries",
                settings.webhook_lease_seconds + settings.worker_poll_seconds,
                lambda beat: dispatcher.run(stopping, beat),  # its recorder runs beside the turns
            ),
            LoopSpec(
                "file-downloads",
                settings.download_lease_seconds + settings.worker_poll_seconds,
                self._turns(self._downloader()),
            ),
            *(
                LoopSpec(
                    job.name,
                    job.interval_seconds + JOB_STUCK_SECONDS,
                    self._turns(JobStep(job, runtime, stopping, self.leadership)),
                )
                for job in self.jobs
            ),
        ]
        if self._listener is not None:
            listener, leadership = self._listener, self.leadership
            loops.append(LoopSpec("postgres-listen", None, lambda beat: listener.run(stopping, beat)))
            loops.append(LoopSpec("leader-election", None, lambda beat: leadership.run(stopping, beat)))
        if settings.smtp_host:
            loops.append(
                LoopSpec("mail-outbox", mail_tasks.stuck_after(settings), self._turns(self._outbox()))
            )
        return loops

    # Each loop gets the parts it uses, and its settings as a config of its own.

    def _dispatcher(self) -> Dispatcher:
        runtime, (webhooks_http, _) = self.runtime, self._http
        return Dispatcher(
            db=runtime.db,
            clock=runtime.clock,
            wakeup=runtime.wakeup,
            http=webhooks_http,
            guard=runtime.guard,
            config=DeliveryConfig.of(runtime.settings),
            worker=self.name,
        )

    def _downloader(self) -> Downloader:
        runtime, (_, downloads_http) = self.runtime, self._http
        return Downloader(
            db=runtime.db,
            clock=runtime.clock,
            wakeup=runtime.wakeup,
            http=downloads_http,
            guard=runtime.guard,
            storage=runtime.storage,
            config=DownloadConfig.of(runtime.settings),
            worker=self.name,
            effects=effects.handle,
        )

    def _outbox(self) -> mail_tasks.Outbox:
        runtime = self.runtime
        return mail_tasks.Outbox(
            db=runtime.db,
            clock=runtime.clock,
            wakeup=runtime.wakeup,
            sender=SmtpSender(runtime.settings),
            worker=self.name,
            poll_seconds=mail_tasks.poll_seconds(runtime.settings),
        )

    def _turns(self, step: loop.Step) -> Callable[[Heartbeat], Coroutine[Any, Any, None]]:
        return lambda beat: loop.run(step, stopping=self.stopping, beat=beat)
