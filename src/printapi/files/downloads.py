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
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urljoin

import aiohttp
from sqlalchemy.ext.asyncio import AsyncSession

from printapi.auth import service as auth
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
from printapi.kit.errors import ServiceUnavailable
from printapi.kit.events import Effects
from printapi.kit.logging import get_logger
from printapi.kit.outbound import BadUrl, BlockedAddress, OutboundGuard, classify, create_session
from printapi.kit.storage import FileStorage, StorageUnavailable, TooLarge
from printapi.mail import service as mail
from printapi.orders import service as orders
from printapi.runtime import Runtime

log = get_logger("printapi.files")

CHANNEL = "downloads"
MAX_REDIRECTS = 5
_FINAL_CLASSES = {"blocked", "invalid_url", "too_large", "preflight", "redirects"}
STORE_DOWN = "our file store was unavailable; the download is tried again"


@dataclass(frozen=True)
class Fetched:
    key: str
    size: int


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


def download_session(runtime: Runtime) -> aiohttp.ClientSession:
    """Large files may take long in all, but a sender may not sit silent for long."""
    settings = runtime.settings
    return create_session(
        runtime.guard,
        timeout_seconds=settings.download_timeout_seconds,
        connect_seconds=settings.download_connect_timeout_seconds,
        read_seconds=settings.download_connect_timeout_seconds * 2,
        user_agent="printapi-files",
    )


class Downloader:
    def __init__(
        self,
        runtime: Runtime,
        http: aiohttp.ClientSession,
        storage: FileStorage,
        *,
        worker: str,
        effects: Effects,
    ) -> None:
        self.runtime = runtime
        self.http = http
        self.storage = storage
        self.worker = worker
        self.effects = effects  # what an acceptance causes, written in its transaction
        self.settings = runtime.settings
        self._random = random.Random()  # noqa: S311 - jitter, not security

    async def run(self, stopping: asyncio.Event, beat: Callable[[], None] = lambda: None) -> None:
        poll = self.settings.worker_poll_seconds
        while not stopping.is_set():
            beat()
            try:
                claimed = await self._claim()
            except Exception:
                log.exception("claiming downloads failed")
                claimed = []
            if claimed:
                await asyncio.gather(*(self._handle(slot) for slot in claimed))
            else:
                await self.runtime.wakeup.wait(CHANNEL, poll)

    async def _claim(self) -> list[Slot]:
        async with self.runtime.db.write() as session:
            return await repository.claim_downloads(
                session,
                now=self.runtime.clock.now(),
                worker=self.worker,
                lease=timedelta(seconds=self.settings.download_lease_seconds),
                limit=self.settings.download_concurrency,
            )

    async def _handle(self, slot: Slot) -> None:
        try:
            await self._download(slot)
        except Exception:
            log.exception(
                "download failed unexpectedly; its lease will expire and it is tried again", file=slot.file.pk
            )

    async def _download(self, slot: Slot) -> None:
        async with self.runtime.db.read() as session:
            expectation = await expectation_for(session, slot)
        key = storage_key(slot.file, None)
        url = slot.file.download_url or ""
        try:
            size = await fetch(
                self.http,
                self.runtime.guard,
                url,
                storage=self.storage,
                key=key,
                max_bytes=self.settings.max_upload_bytes,
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
                timeout_seconds=self.settings.preflight_timeout_seconds,
                memory_mb=self.settings.preflight_memory_mb,
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
        now = self.runtime.clock.now()
        async with self.runtime.db.write() as session:
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
        now = self.runtime.clock.now()
        wait = (
            None
            if error.final
            else schedule.next_wait(
                self.settings.downloads_schedule,
                failed_attempts=slot.file.attempts,
                random=self._random.random,
            )
        )
        retry_at = now + wait if wait is not None else None
        async with self.runtime.db.write() as session:
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
