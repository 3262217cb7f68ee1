"""The worker loop that empties the mail outbox, retrying while the SMTP server is down.

Without ``PRINTAPI_SMTP_HOST`` the loop does not run: mails stay in the outbox (and were logged
when queued), never dropped.
"""

from __future__ import annotations

from datetime import timedelta

from printapi.config import Settings
from printapi.kit import metrics
from printapi.kit.clock import Clock
from printapi.kit.db import Database
from printapi.kit.logging import get_logger
from printapi.kit.wakeup import Wakeup
from printapi.mail import repository
from printapi.mail.sender import MailSender
from printapi.mail.service import CHANNEL
from printapi.models import MailMessage

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


def stuck_after(settings: Settings) -> float:
    """How long one turn may take: every mail of a batch waiting out the SMTP timeout."""
    return BATCH * settings.smtp_timeout_seconds + poll_seconds(settings)


def poll_seconds(settings: Settings) -> float:
    return max(settings.worker_poll_seconds, 1.0)


class Outbox:
    """The mail loop of one worker process (a ``kit.loop.Step``): claim up to ``BATCH`` mails,
    send each over SMTP, record each as sent or to be retried on ``BACKOFF``."""

    def __init__(
        self,
        *,
        db: Database,
        clock: Clock,
        wakeup: Wakeup,
        sender: MailSender,
        worker: str,
        poll_seconds: float,
        batch: int = BATCH,
    ) -> None:
        self.db, self.clock, self.wakeup = db, clock, wakeup
        self.sender = sender
        self.worker = worker
        self.poll_seconds = poll_seconds
        self.batch = batch

    async def run_once(self) -> bool:
        """Claim → send → record; True when a batch was due (there may be more)."""
        async with self.db.write() as session:
            messages = await repository.claim(
                session, now=self.clock.now(), worker=self.worker, lease=LEASE, limit=self.batch
            )
        for message in messages:
            await self._record(message, await self._send(message))
        return bool(messages)

    async def idle(self) -> None:
        await self.wakeup.wait(CHANNEL, self.poll_seconds)

    async def _send(self, message: MailMessage) -> str | None:
        """None when the SMTP server took the mail, else why not."""
        try:
            await self.sender.send(to=message.to_address, subject=message.subject, body=message.body)
        except Exception as exc:  # any failure of the SMTP conversation means: try again later
            return f"{exc.__class__.__name__}: {exc}"
        return None

    async def _record(self, message: MailMessage, error: str | None) -> None:
        now = self.clock.now()
        async with self.db.write() as session:
            if error is None:
                await repository.mark_sent(session, message=message, worker=self.worker, now=now)
            else:
                await repository.mark_retry(
                    session,
                    message=message,
                    worker=self.worker,
                    retry_at=now + backoff(message.attempts),
                    error=error,
                )
        metrics.MAIL_SENT.labels("sent" if error is None else "retry").inc()
        if error is not None:
            log.warning(
                "mail not sent, will retry", to=message.to_address, error=error, attempts=message.attempts
            )
