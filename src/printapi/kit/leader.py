"""One worker runs the periodic jobs: the leader, elected by a PostgreSQL advisory lock.

Every worker runs the queue loops (webhooks, downloads, mails: claims with ``SKIP LOCKED`` share
the work). The periodic jobs (expiry, provider calls, owner alerts, statistics, pruning) would
be safe in every worker too — each claims its rows or deletes idempotently — but with many
workers they would do the same scan many times a minute for nothing. So one worker runs them:
the one holding a session-level advisory lock on a connection of its own.

- ``run`` tries ``pg_try_advisory_lock`` every ``retry_seconds`` until it gets it, then holds it
  until its connection ends or the worker stops. PostgreSQL releases a session's advisory locks
  when its connection closes, and the operating system closes the connection of a process that
  dies, even by SIGKILL: another worker takes over at its next try, within ``retry_seconds``.
- While the connection is in doubt (lost, or a check of it fails) this worker is not the leader:
  two leaders for a moment would only repeat a safe job; no leader for a moment only delays one.
- On SQLite (one machine; a second worker is rare) there is no election: every worker leads.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from collections.abc import Callable
from typing import Any

import asyncpg

from printapi.kit.logging import get_logger

log = get_logger("printapi.leader")

# The advisory lock's key: any 64-bit number no other part of the database uses.
LOCK_KEY = int.from_bytes(hashlib.sha256(b"printapi periodic jobs").digest()[:8], "big", signed=True)
# How the election's connections show in pg_stat_activity.
APPLICATION_NAME = "printapi leader election"


class Leadership:
    """Whether this worker leads; ``Leadership.always()`` where there is nothing to elect."""

    def __init__(self, dsn: str | None, *, retry_seconds: float = 2.0, timeout_seconds: float = 5.0) -> None:
        self._dsn = dsn
        self._retry_seconds = retry_seconds
        self._timeout_seconds = timeout_seconds  # for a connect or a query; a slower one loses the lead
        self._lead = asyncio.Event()  # set while this worker leads
        if dsn is None:
            self._lead.set()
        self.terms = 0  # how many times this worker became the leader
        self._connection: asyncpg.Connection[Any] | None = None

    @classmethod
    def always(cls) -> Leadership:
        return cls(None)

    @property
    def leading(self) -> bool:
        return self._lead.is_set()

    @property
    def retry_seconds(self) -> float:
        """How long a worker that is not the leader may wait before it may be."""
        return self._retry_seconds

    async def wait_to_lead(self, stopping: asyncio.Event) -> None:
        """Until this worker becomes the leader, ``stopping``, or the election's retry has passed:
        a job of a worker that does not lead starts as soon as its worker does."""
        if self._lead.is_set():
            return
        waits = [asyncio.ensure_future(stopping.wait()), asyncio.ensure_future(self._lead.wait())]
        try:
            await asyncio.wait(waits, timeout=self._retry_seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for wait in waits:
                wait.cancel()
            await asyncio.gather(*waits, return_exceptions=True)

    async def run(self, stopping: asyncio.Event, beat: Callable[[], None] = lambda: None) -> None:
        """Try for the lock until this worker has it; hold it while the connection lives."""
        if self._dsn is None:
            await stopping.wait()
            return
        while not stopping.is_set():
            beat()
            try:
                await self._try_to_lead()
            except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
                if self._lead.is_set():
                    log.warning("no longer the leader of the periodic jobs", error=str(exc))
                self._lead.clear()
                await self._disconnect()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), timeout=self._retry_seconds)
        await self.stop()

    async def _try_to_lead(self) -> None:
        if self._connection is None or self._connection.is_closed():
            if self._lead.is_set():
                log.warning("no longer the leader of the periodic jobs", error="its connection closed")
            self._lead.clear()
            self._connection = await asyncpg.connect(
                self._dsn,
                timeout=self._timeout_seconds,
                server_settings={"application_name": APPLICATION_NAME},
            )
        if self._lead.is_set():  # still holding it? a query on the connection says whether it lives
            await self._connection.fetchval("SELECT 1", timeout=self._timeout_seconds)
            return
        got = await self._connection.fetchval(
            "SELECT pg_try_advisory_lock($1)", LOCK_KEY, timeout=self._timeout_seconds
        )
        if got:
            self._lead.set()
            self.terms += 1
            log.info("leading the periodic jobs")

    async def _disconnect(self) -> None:
        if self._connection is not None:
            connection, self._connection = self._connection, None
            with contextlib.suppress(OSError, asyncpg.PostgresError, TimeoutError):
                await connection.close(timeout=2)

    async def stop(self) -> None:
        """Give up the lead at once (closing the connection releases the lock)."""
        if self._dsn is not None:
            self._lead.clear()
        await self._disconnect()
