"""The due-work loops: run by ``printapi worker``, or inside ``printapi serve`` (embedded mode).

- the webhook dispatcher (``webhooks/delivery.py``);
- print-file downloads and their preflight (``files/downloads.py``);
- the mail outbox (``mail/tasks.py``), when an SMTP server is configured;
- owner alerts: grouped failure mails (``webhooks/alerts.py``);
- housekeeping: expired tokens, finished rows older than ``PRINTAPI_RETENTION_DAYS``, and the
  stored files of orders cancelled longer ago than that.

Each loop wakes on its channel (a commit in this process, or PostgreSQL NOTIFY from others) and
polls besides. A failing job is logged and tried again at its next turn; the others go on.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import aiohttp

from printapi import __version__
from printapi.auth import service as auth
from printapi.files import repository as files_repository
from printapi.files.downloads import CHANNEL as DOWNLOADS_CHANNEL
from printapi.files.downloads import Downloader, download_session
from printapi.kit import schedule, statistics
from printapi.kit.logging import get_logger
from printapi.kit.outbound import create_session
from printapi.kit.wakeup import PostgresListener, asyncpg_dsn
from printapi.mail import repository as mail_repository
from printapi.mail import tasks as mail_tasks
from printapi.mail.sender import SmtpSender
from printapi.payments import service as payments
from printapi.runtime import Runtime
from printapi.webhooks import alerts
from printapi.webhooks import repository as webhooks_repository
from printapi.webhooks.delivery import ALERTS_CHANNEL, Dispatcher

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


async def prune_finished(runtime: Runtime) -> int:
    before = runtime.clock.now() - timedelta(days=runtime.settings.retention_days)
    async with runtime.db.write() as session:
        pruned = await webhooks_repository.prune_finished(session, before=before)
        pruned += await mail_repository.prune_sent(session, before=before)
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


async def expire_payments(runtime: Runtime) -> int:
    """Unpaid payment links past PRINTAPI_PAYMENT_TTL_SECONDS: payment and order Cancelled."""
    async with runtime.db.write() as session:
        return await payments.expire_due(session, worker=worker_name(), now=runtime.clock.now())


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


JOBS: tuple[Job, ...] = (
    Job("owner-alerts", 30.0, mail_alerts, channel=ALERTS_CHANNEL),
    Job("payment-expiry", 30.0, expire_payments),
    Job("queue-statistics", 0.5, refresh_statistics),
    Job("prune-expired-tokens", 600.0, prune_tokens),
    Job("prune-finished-rows", 3600.0, prune_finished),
    Job("prune-cancelled-files", 3600.0, prune_cancelled_files),
)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


class Worker:
    def __init__(self, runtime: Runtime, jobs: tuple[Job, ...] = JOBS) -> None:
        self.runtime = runtime
        self.jobs = jobs
        self.name = worker_name()
        self.stopping = asyncio.Event()

    def stop(self) -> None:
        self.stopping.set()
        channels = {job.channel for job in self.jobs if job.channel} | {"webhooks", "mail", DOWNLOADS_CHANNEL}
        self.runtime.wakeup.poke(channels)

    async def run(self) -> None:
        runtime, settings = self.runtime, self.runtime.settings
        listener = None
        if runtime.db.dialect == "postgresql":
            listener = PostgresListener(asyncpg_dsn(settings.database_url), runtime.wakeup)
            await listener.start()
        elif runtime.doorbell is not None:
            await runtime.doorbell.listen(runtime.wakeup)
        webhooks_http = create_session(
            runtime.guard,
            timeout_seconds=settings.webhook_timeout_seconds,
            user_agent=f"printapi-webhooks/{__version__}",
        )
        downloads_http = download_session(runtime)
        log.info(
            "worker started",
            worker=self.name,
            jobs=[job.name for job in self.jobs],
            smtp=bool(settings.smtp_host),
        )
        try:
            async with asyncio.TaskGroup() as group:
                for loop in self._loops(webhooks_http, downloads_http):
                    group.create_task(loop)
        finally:
            await webhooks_http.close()
            await downloads_http.close()
            if listener is not None:
                await listener.stop()
            if runtime.doorbell is not None:
                runtime.doorbell.stop_listening()
            log.info("worker stopped", worker=self.name)

    def _loops(
        self, webhooks_http: aiohttp.ClientSession, downloads_http: aiohttp.ClientSession
    ) -> list[Coroutine[Any, Any, None]]:
        runtime, settings = self.runtime, self.runtime.settings
        loops = [
            Dispatcher(runtime, webhooks_http, runtime.guard, worker=self.name).run(self.stopping),
            Downloader(runtime, downloads_http, runtime.storage, worker=self.name).run(self.stopping),
            *(self._loop(job) for job in self.jobs),
        ]
        if settings.smtp_host:
            loops.append(
                mail_tasks.run(runtime, SmtpSender(settings), worker=self.name, stopping=self.stopping)
            )
        return loops

    async def _loop(self, job: Job) -> None:
        while not self.stopping.is_set():
            try:
                done = await job.run(self.runtime)
                if done:
                    log.info("job done", job=job.name, rows=done)
            except Exception:
                log.exception("job failed", job=job.name)
            if job.channel is None:
                try:
                    await asyncio.wait_for(self.stopping.wait(), timeout=job.interval_seconds)
                except TimeoutError:
                    continue
            else:
                await self.runtime.wakeup.wait(job.channel, job.interval_seconds)
