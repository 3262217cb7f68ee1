"""Print files by URL: the worker downloads them, checks them, and accepts or reports them.

``DownloadPending`` → ``DownloadInProgress`` (claimed under a lease) → ``Accepted``; or, when the
fetch fails, ``DownloadRetryPending`` on ``PRINTAPI_DOWNLOAD_SCHEDULE`` and finally
``DownloadFailed``. Some failures are final at once: a URL to an address we may not call, a file
over the size limit, a file that preflight refuses — trying again would fetch the same thing. On
``DownloadFailed`` the account owner gets a mail with the URL, the reason and the findings.

Redirects are followed by hand (at most five), every hop through the same address guard: its
URL is read as the client reads it and the checked form is the one requested; the session's
resolver and connect-time check (``kit/outbound.py``) apply to every hop as well.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urljoin

import aiohttp
from sqlalchemy.ext.asyncio import AsyncSession

from printapi.auth import service as auth
from printapi.config import Settings
from printapi.files import repository
from printapi.files.preflight import Result
from printapi.files.repository import Slot
from printapi.files.service import (
    accept,
    discard,
    expectation_for,
    findings_of,
    preflight_stored,
    storage_key,
)
from printapi.kit import schedule
from printapi.kit.clock import Clock
from printapi.kit.db import Database
from printapi.kit.errors import ServiceUnavailable
from printapi.kit.events import Effects
from printapi.kit.logging import get_logger
from printapi.kit.outbound import BadUrl, BlockedAddress, OutboundGuard, classify, create_session
from printapi.kit.storage import FileStorage, StorageUnavailable, TooLarge
from printapi.kit.wakeup import Wakeup
from printapi.mail import service as mail
from printapi.orders import service as orders

log = get_logger("printapi.files")

CHANNEL = "downloads"
MAX_REDIRECTS = 5
_FINAL_CLASSES = {"blocked", "invalid_url", "too_large", "preflight", "redirects"}
STORE_DOWN = "our file store was unavailable; the download is tried again"


@dataclass(frozen=True)
class DownloadConfig:
    """What the download loop is tuned by (``PRINTAPI_DOWNLOAD_*``, docs/operations.md)."""

    schedule: tuple[timedelta, ...]
    lease_seconds: float
    concurrency: int
    poll_seconds: float
    max_bytes: int
    timeout_seconds: float
    connect_seconds: float
    preflight_timeout_seconds: float
    preflight_memory_mb: int

    @classmethod
    def of(cls, settings: Settings) -> DownloadConfig:
        return cls(
            schedule=settings.downloads_schedule,
            lease_seconds=settings.download_lease_seconds,
            concurrency=settings.download_concurrency,
            poll_seconds=settings.worker_poll_seconds,
            max_bytes=settings.max_upload_bytes,
            timeout_seconds=settings.download_timeout_seconds,
            connect_seconds=settings.download_connect_timeout_seconds,
            preflight_timeout_seconds=settings.preflight_timeout_seconds,
            preflight_memory_mb=settings.preflight_memory_mb,
        )


class FetchError(Exception):
    def __init__(self, error_class: str, message: str) -> None:
        super().__init__(message)
        self.error_class = error_class
        self.message = message

    @property
    def final(self) -> bool:
        return self.error_class in _FINAL_CLASSES


async def _body(response: aiohttp.ClientResponse) -> AsyncIterator[bytes]:
    async for chunk in response.content.iter_chunked(256 * 1024):
        yield chunk


async def fetch(
    http: aiohttp.ClientSession,
    guard: OutboundGuard,
    url: str,
    *,
    storage: FileStorage,
    key: str,
    max_bytes: int,
) -> int:
    """Stream ``url`` into storage under ``key``; ``FetchError`` with its class when it cannot."""
    for _ in range(MAX_REDIRECTS + 1):
        try:
            url = guard.check_url(url).url
            async with http.get(url, allow_redirects=False) as response:
                if response.status in (301, 302, 303, 307, 308) and "Location" in response.headers:
                    url = urljoin(url, response.headers["Location"])
                    continue
                if not 200 <= response.status < 300:
                    raise FetchError("http_status", f"HTTP {response.status} from {url}")
                if (response.content_length or 0) > max_bytes:
                    raise FetchError(
                        "too_large", f"the file is {response.content_length} bytes; at most {max_bytes}"
                    )
                return await storage.write(key, _body(response), max_bytes=max_bytes)
        except TooLarge as exc:
            raise FetchError("too_large", f"the file is larger than {max_bytes} bytes") from exc
        except StorageUnavailable as exc:  # ours, not the sender's: tried again on the schedule
            log.warning("file store unavailable", key=key, error=str(exc))
            raise FetchError("storage", STORE_DOWN) from exc
        except (aiohttp.ClientError, OSError, TimeoutError, BadUrl, BlockedAddress) as exc:
            failure = classify(exc)
            raise FetchError(failure.error_class, f"{failure.message} ({url})") from exc
    raise FetchError("redirects", f"more than {MAX_REDIRECTS} redirects")


def download_session(guard: OutboundGuard, config: DownloadConfig) -> aiohttp.ClientSession:
    """Large files may take long in all, but a sender may not sit silent for long."""
    return create_session(
        guard,
        timeout_seconds=config.timeout_seconds,
        connect_seconds=config.connect_seconds,
        read_seconds=config.connect_seconds * 2,
        user_agent="printapi-files",
    )


class Downloader:
    """The download loop of one worker process (a ``kit.loop.Step``): claim up to
    ``concurrency`` files, fetch and check them at once, record each outcome as it comes."""

    def __init__(
        self,
        *,
        db: Database,
        clock: Clock,
        wakeup: Wakeup,
        http: aiohttp.ClientSession,
        guard: OutboundGuard,
        storage: FileStorage,
        config: DownloadConfig,
        worker: str,
        effects: Effects,
        jitter: random.Random | None = None,
    ) -> None:
        self.db, self.clock, self.wakeup = db, clock, wakeup
        self.http, self.guard, self.storage = http, guard, storage
        self.config = config
        self.worker = worker
        self.effects = effects  # what an acceptance causes, written in its transaction
        self._random = jitter or random.Random()  # noqa: S311 - jitter, not security

    async def run_once(self) -> bool:
        """Claim → fetch and check → record, for every file due (up to ``concurrency``)."""
        try:
            claimed = await self._claim()
        except Exception:
            log.exception("claiming downloads failed")
            return False
        await asyncio.gather(*(self._handle(slot) for slot in claimed))
        return bool(claimed)

    async def idle(self) -> None:
        await self.wakeup.wait(CHANNEL, self.config.poll_seconds)

    async def _claim(self) -> list[Slot]:
        async with self.db.write() as session:
            return await repository.claim_downloads(
                session,
                now=self.clock.now(),
                worker=self.worker,
                lease=timedelta(seconds=self.config.lease_seconds),
                limit=self.config.concurrency,
            )

    async def _handle(self, slot: Slot) -> None:
        try:
            await self._download(slot)
        except Exception:
            log.exception(
                "download failed unexpectedly; its lease will expire and it is tried again", file=slot.file.pk
            )

    async def _download(self, slot: Slot) -> None:
        async with self.db.read() as session:
            expectation = await expectation_for(session, slot)
        key = storage_key(slot.file, None)
        url = slot.file.download_url or ""
        try:
            size = await fetch(
                self.http, self.guard, url, storage=self.storage, key=key, max_bytes=self.config.max_bytes
            )
        except FetchError as error:
            await self._failed(slot, error, findings=None)
            return
        try:
            result = await preflight_stored(
                self.storage,
                key,
                expectation,
                declared_type=None,
                timeout_seconds=self.config.preflight_timeout_seconds,
                memory_mb=self.config.preflight_memory_mb,
            )
        except ServiceUnavailable:
            await discard(self.storage, key)
            await self._failed(slot, FetchError("storage", STORE_DOWN), findings=None)
            return
        if not result.ok:
            await discard(self.storage, key)
            message = "; ".join(f.message for f in result.findings if f.severity == "error")
            await self._failed(slot, FetchError("preflight", message), findings=findings_of(result))
            return
        await self._accepted(slot, key=key, size=size, result=result)

    async def _accepted(self, slot: Slot, *, key: str, size: int, result: Result) -> None:
        now = self.clock.now()
        async with self.db.write() as session:
            await orders.lock(session, order_pk=slot.order.pk)  # the order's row first, as every path
            guard = repository.leased_by(slot.file, self.worker)
            accepted = await accept(
                session, slot=slot, guard=guard, key=key, size=size, result=result, now=now
            )
            await self.effects(session, accepted)
        if accepted is None:  # cancelled meanwhile, or the lease passed to another worker
            await discard(self.storage, key)

    async def _failed(
        self, slot: Slot, error: FetchError, *, findings: list[dict[str, object]] | None
    ) -> None:
        now = self.clock.now()
        wait = (
            None
            if error.final
            else schedule.next_wait(
                self.config.schedule,
                failed_attempts=slot.file.attempts,
                random=self._random.random,
            )
        )
        retry_at = now + wait if wait is not None else None
        async with self.db.write() as session:
            recorded = await repository.download_failed(
                session,
                file=slot.file,
                worker=self.worker,
                retry_at=retry_at,
                error=error.message,
                findings=findings,
                now=now,
            )
            if recorded and retry_at is None:
                await self._mail_owner(session, slot, error, findings or [], now=now)
        log.info("download failed", file=slot.file.pk, error=error.error_class, retry_at=str(retry_at))

    async def _mail_owner(
        self,
        session: AsyncSession,
        slot: Slot,
        error: FetchError,
        findings: list[dict[str, object]],
        *,
        now: datetime,
    ) -> None:
        owner = await auth.get_account(session, account_id=slot.order.account_id)
        lines = [
            f"The {slot.file.kind} file of item {slot.item.id} of order {slot.order.id} "
            "could not be downloaded.",
            "",
            f"URL: {slot.file.download_url}",
            f"Reason: {error.error_class}: {error.message}",
            f"Attempts: {slot.file.attempts}",
        ]
        lines += [f"- {finding['message']}" for finding in findings if finding.get("severity") == "error"]
        lines += ["", "Upload the file to the item's uploadUrl, or place the order again with a working URL."]
        await mail.enqueue(
            session,
            to=owner.notification_email or owner.email,
            subject=f"printapi: print file of order {slot.order.id} could not be downloaded",
            body="\n".join(lines) + "\n",
            topic="download_failed",
            now=now,
        )
