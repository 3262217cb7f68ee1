"""Wake the worker loops as soon as due work is committed.

A change that queues work calls ``announce(session, channel)`` inside its transaction:

- in this process, the channel's event is set right after the commit (the session's
  ``after_commit`` hook, installed by ``Runtime``), so the embedded worker starts within
  milliseconds;
- on PostgreSQL the same transaction also runs ``NOTIFY printapi_due, '<channel>'``, which
  PostgreSQL delivers only if the transaction commits; workers in other processes ``LISTEN``;
- on a SQLite file, which has no NOTIFY, the committing process rings a *doorbell*: a datagram
  with the channels to every worker of the same database on this machine, each of which listens
  on a Unix socket in a directory named after the database file (``Doorbell``);
- every loop also polls (at most one second apart), so a lost wake-up only costs latency.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import secrets
import socket
import tempfile
from collections.abc import Iterable
from pathlib import Path
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


class Doorbell:
    """Cross-process wake-ups for one SQLite file: Unix datagram sockets in a shared directory.

    Every worker ``listen``s on a socket of its own in ``directory``; a process that commits
    queued work ``ring``s every socket there with the channels, without blocking (a full socket
    buffer means that worker is awake already). A socket nobody listens on any more (a worker
    killed with SIGKILL) refuses the datagram and is removed by the ringer. The directory lives
    in the temporary directory, named after the database file, because a socket path may be at
    most 107 bytes long.
    """

    def __init__(self, database: Path) -> None:
        name = hashlib.sha256(str(database.resolve()).encode()).hexdigest()[:16]
        self.directory = Path(tempfile.gettempdir()) / f"printapi-wake-{name}"
        self._sender: socket.socket | None = None
        self._own: Path | None = None
        self._transport: asyncio.DatagramTransport | None = None

    @staticmethod
    def available() -> bool:
        return hasattr(socket, "AF_UNIX")

    def ring(self, channels: Iterable[str]) -> None:
        """Tell every listening worker (this process's own excepted) that ``channels`` have work."""
        try:
            targets = [path for path in self.directory.iterdir() if path != self._own]
        except OSError:
            return  # no worker has listened yet
        if not targets:
            return
        payload = ",".join(sorted(channels)).encode()
        sender = self._sender_socket()
        for target in targets:
            try:
                sender.sendto(payload, str(target))
            except (ConnectionRefusedError, FileNotFoundError):
                with contextlib.suppress(OSError):
                    target.unlink()  # its worker is gone
            except OSError:
                continue  # its buffer is full (that worker has wake-ups waiting) or similar

    def _sender_socket(self) -> socket.socket:
        if self._sender is None:
            self._sender = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            self._sender.setblocking(False)
        return self._sender

    async def listen(self, wakeup: Wakeup) -> None:
        """Forward rings from other processes to ``wakeup``; failing that, the loops only poll."""
        try:
            self.directory.mkdir(mode=0o700, exist_ok=True)
            path = self.directory / f"{os.getpid()}-{secrets.token_hex(4)}.sock"
            loop = asyncio.get_running_loop()
            self._transport, _ = await loop.create_datagram_endpoint(
                lambda: _Ringing(wakeup), local_addr=str(path), family=socket.AF_UNIX
            )
            self._own = path
        except OSError as exc:
            log.warning("wake-ups from other processes unavailable, polling only", error=str(exc))

    def stop_listening(self) -> None:
        if self._transport is not None:
            self._transport.close()
            self._transport = None
        if self._own is not None:
            with contextlib.suppress(OSError):
                self._own.unlink()
            self._own = None

    def close(self) -> None:
        self.stop_listening()
        if self._sender is not None:
            self._sender.close()
            self._sender = None


class _Ringing(asyncio.DatagramProtocol):
    def __init__(self, wakeup: Wakeup) -> None:
        self._wakeup = wakeup

    def datagram_received(self, data: bytes, _addr: Any) -> None:
        self._wakeup.poke(channel for channel in data.decode(errors="replace").split(",") if channel)
