"""The worker loop that empties the mail outbox, retrying while the SMTP server is down.

Without ``PRINTAPI_SMTP_HOST`` the loop does not run: mails stay in the outbox (and were logged
when queued), never dropped.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta

from printapi.config import Settings
from printapi.kit import metrics
from printapi.kit.logging import get_logger
from printapi.mail import repository
from printapi.mail.sender import MailSender
from printapi.mail.service import CHANNEL
from printapi.runtime import Runtime

log = get_logger("printapi.mail")

# Waits after the 1st, 2nd, ... failed try; the last one repeats for as long as it takes.
BACKOFF = (
    timedelta(seconds=30),
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(hours=1),
)
LEASE = timedelta(minutes=2)
BATCH = 20


def backoff(attempts: int) -> timedelta:
    return BACKOFF[min(attempts, len(BACKOFF)) - 1]


async def send_due(runtime: Runtime, sender: MailSender, *, worker: str, limit: int = BATCH) -> int:
    async with runtime.db.write() as session:
        messages = await repository.claim(
            session, now=runtime.clock.now(), worker=worker, lease=LEASE, limit=limit
        )
    for message in messages:
        error: str | None = None
        try:
            await sender.send(to=message.to_address, subject=message.subject, body=message.body)
        except Exception as exc:  # any failure of the SMTP conversation means: try again later
            error = f"{exc.__class__.__name__}: {exc}"
        now = runtime.clock.now()
        async with runtime.db.write() as session:
            if error is None:
                await repository.mark_sent(session, message=message, worker=worker, now=now)
            else:
                await repository.mark_retry(
                    session,
                    message=message,
                    worker=worker,
                    retry_at=now + backoff(message.attempts),
                    error=error,
                )
        metrics.MAIL_SENT.labels("sent" if error is None else "retry").inc()
        if error is not None:
            log.warning(
                "mail not sent, will retry", to=message.to_address, error=error, attempts=message.attempts
            )
    return len(messages)


def stuck_after(settings: Settings) -> float:
    """How long one turn may take: every mail of a batch waiting out the SMTP timeout."""
    return BATCH * settings.smtp_timeout_seconds + max(settings.worker_poll_seconds, 1.0)


async def run(
    runtime: Runtime,
    sender: MailSender,
    *,
    worker: str,
    stopping: asyncio.Event,
    beat: Callable[[], None] = lambda: None,
) -> None:
    """Send what is due until ``stopping``; a failure is its supervisor's to log and restart."""
    poll = max(runtime.settings.worker_poll_seconds, 1.0)
    while not stopping.is_set():
        sent = await send_due(runtime, sender, worker=worker)
        beat()
        if not sent:
            await runtime.wakeup.wait(CHANNEL, poll)
