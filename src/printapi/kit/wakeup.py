"""Wake the worker loops as soon as due work is committed.

A change that queues work calls ``announce(session, channel)`` inside its transaction:

- in this process, the channel's event is set right after the commit (the session's
  ``after_commit`` hook, installed by ``Runtime``), so the embedded worker starts within
  milliseconds;
- on PostgreSQL the same transaction also runs ``NOTIFY printapi_due, '<channel>'``, which
  PostgreSQL delivers only if the transaction commits; workers in other processes ``LISTEN``;
- every loop also polls (at most one second apart), so a lost wake-up only costs latency.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

import asyncpg
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from printapi.kit.logging import get_logger

CHANNEL = "printapi_due"
_PENDING_KEY = "printapi.wake"

log = get_logger("printapi.wakeup")


async def announce(session: AsyncSession, channel: str) -> None:
    """Say, inside the transaction, that ``channel`` has new due work once it commits."""
    pending: set[str] = session.info.setdefault(_PENDING_KEY, set())
    if channel in pending:
        return
    pending.add(channel)
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(
            text("SELECT pg_notify(:channel, :payload)"), {"channel": CHANNEL, "payload": channel}
        )


def committed_channels(session_info: dict[str, Any]) -> set[str]:
    channels: set[str] = session_info.pop(_PENDING_KEY, set())
    return channels


class Wakeup:
    """One event per channel; loops wait on theirs with a timeout (the poll)."""

    def __init__(self) -> None:
        self._events: dict[str, asyncio.Event] = {}

    def _event(self, channel: str) -> asyncio.Event:
        event = self._events.get(channel)
        if event is None:
            event = self._events[channel] = asyncio.Event()
        return event

    def poke(self, channels: Iterable[str]) -> None:
        for channel in channels:
            self._event(channel).set()

    async def wait(self, channel: str, seconds: float) -> bool:
        """True when woken, False when the timeout (the poll interval) passed first."""
        event = self._event(channel)
        try:
            await asyncio.wait_for(event.wait(), seconds)
        except TimeoutError:
            return False
        finally:
            event.clear()
        return True


class PostgresListener:
    """Forwards ``NOTIFY printapi_due`` from other processes to a local ``Wakeup``."""

    def __init__(self, dsn: str, wakeup: Wakeup) -> None:
        self._dsn = dsn
        self._wakeup = wakeup
        self._connection: asyncpg.Connection[Any] | None = None

    async def start(self) -> None:
        try:
            self._connection = await asyncpg.connect(self._dsn)
            await self._connection.add_listener(CHANNEL, self._on_notify)
        except (OSError, asyncpg.PostgresError) as exc:
            log.warning("LISTEN unavailable, polling only", error=str(exc))
            self._connection = None

    def _on_notify(self, _connection: object, _pid: int, _channel: str, payload: object) -> None:
        self._wakeup.poke([str(payload)])

    async def stop(self) -> None:
        if self._connection is not None:
            await self._connection.close()
            self._connection = None


def asyncpg_dsn(sqlalchemy_url: str) -> str:
    return sqlalchemy_url.replace("postgresql+asyncpg://", "postgresql://", 1)
