"""The due-work loops: run by ``printapi worker``, or inside ``printapi serve`` (embedded mode).

- the webhook dispatcher (``webhooks/delivery.py``);
- the mail outbox (``mail/tasks.py``), when an SMTP server is configured;
- owner alerts: grouped failure mails (``webhooks/alerts.py``);
- housekeeping: expired tokens, and finished rows older than ``PRINTAPI_RETENTION_DAYS``.

Each loop wakes on its channel (a commit in this process, or PostgreSQL NOTIFY from others) and
polls besides. A failing job is logged and tried again at its next turn; the others go on.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from printapi import __version__
from printapi.auth import service as auth
from printapi.kit.logging import get_logger
from printapi.kit.outbound import create_session
from printapi.kit.wakeup import PostgresListener, asyncpg_dsn
from printapi.mail import repository as mail_repository
from printapi.mail import tasks as mail_tasks
from printapi.mail.sender import SmtpSender
from printapi.runtime import Runtime
from printapi.webhooks import alerts, schedule
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


async def mail_alerts(runtime: Runtime) -> int:
    settings = runtime.settings
    async with runtime.db.write() as session:
        return await alerts.mail_due_alerts(
            session,
            now=runtime.clock.now(),
            group_seconds=settings.alert_group_seconds,
            attempts_in_all=schedule.attempts_in_all(settings.schedule),
            public_url=settings.public_url,
        )


JOBS: tuple[Job, ...] = (
    Job("owner-alerts", 30.0, mail_alerts, channel=ALERTS_CHANNEL),
    Job("prune-expired-tokens", 600.0, prune_tokens),
    Job("prune-finished-rows", 3600.0, prune_finished),
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
        channels = {job.channel for job in self.jobs if job.channel} | {"webhooks", "mail"}
        self.runtime.wakeup.poke(channels)

    async def run(self) -> None:
        runtime, settings = self.runtime, self.runtime.settings
        listener = None
        if runtime.db.dialect == "postgresql":
            listener = PostgresListener(asyncpg_dsn(settings.database_url), runtime.wakeup)
            await listener.start()
        http = create_session(
            runtime.guard,
            timeout_seconds=settings.webhook_timeout_seconds,
            user_agent=f"printapi-webhooks/{__version__}",
        )
        log.info(
            "worker started",
            worker=self.name,
            jobs=[job.name for job in self.jobs],
            smtp=bool(settings.smtp_host),
        )
        try:
            async with asyncio.TaskGroup() as group:
                group.create_task(
                    Dispatcher(runtime, http, runtime.guard, worker=self.name).run(self.stopping)
                )
                if settings.smtp_host:
                    group.create_task(
                        mail_tasks.run(
                            runtime, SmtpSender(settings), worker=self.name, stopping=self.stopping
                        )
                    )
                for job in self.jobs:
                    group.create_task(self._loop(job), name=job.name)
        finally:
            await http.close()
            if listener is not None:
                await listener.stop()
            log.info("worker stopped", worker=self.name)

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
