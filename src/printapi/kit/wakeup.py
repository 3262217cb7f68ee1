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
from collections.abc import Callable, Iterable
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
    """Forwards ``NOTIFY printapi_due`` from other processes to a local ``Wakeup``.

    ``run`` holds a connection that LISTENs until ``stopping``. When it cannot connect, or loses
    the connection, it says so at WARNING (the loops go on polling) and tries again every
    ``retry_seconds``: a server that refuses LISTEN (a pooler in transaction mode) costs latency,
    never the worker.
    """

    def __init__(self, dsn: str, wakeup: Wakeup, *, retry_seconds: float = 10.0) -> None:
        self._dsn = dsn
        self._wakeup = wakeup
        self._retry_seconds = retry_seconds
        self._connection: asyncpg.Connection[Any] | None = None

    async def run(self, stopping: asyncio.Event, beat: Callable[[], None] = lambda: None) -> None:
        lost = asyncio.Event()
        while not stopping.is_set():
            beat()
            lost.clear()
            try:
                self._connection = await asyncpg.connect(self._dsn)
                self._connection.add_termination_listener(lambda _connection: lost.set())
                await self._connection.add_listener(CHANNEL, self._on_notify)
            except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
                log.warning(
                    "LISTEN unavailable, polling only", error=str(exc), retry_seconds=self._retry_seconds
                )
                await self.stop()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stopping.wait(), timeout=self._retry_seconds)
                continue
            await _until_either(stopping, lost)
            if lost.is_set() and not stopping.is_set():
                log.warning("LISTEN connection lost, polling until it is back")
            await self.stop()

    def _on_notify(self, _connection: object, _pid: int, _channel: str, payload: object) -> None:
        self._wakeup.poke([str(payload)])

    async def stop(self) -> None:
        if self._connection is not None:
            connection, self._connection = self._connection, None
            with contextlib.suppress(OSError, asyncpg.PostgresError, TimeoutError):
                await connection.close(timeout=2)


async def _until_either(first: asyncio.Event, second: asyncio.Event) -> None:
    waits = [asyncio.ensure_future(first.wait()), asyncio.ensure_future(second.wait())]
    try:
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for wait in waits:
            wait.cancel()
        await asyncio.gather(*waits, return_exceptions=True)


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
        self._listener: socket.socket | None = None

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

    def listen(self, wakeup: Wakeup) -> bool:
        """Forward rings from other processes to ``wakeup``; failing that, say so once and let the
        loops poll. True when listening.

        The socket is bound here and only its readiness is handed to the event loop
        (``add_reader``), which every loop supports: uvloop refuses a Unix path as the local
        address of ``create_datagram_endpoint``, and an embedded worker that asked for one died
        at start-up while the API went on answering.
        """
        path = self.directory / f"{os.getpid()}-{secrets.token_hex(4)}.sock"
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        try:
            listener.setblocking(False)
            self._bind(listener, path)
            asyncio.get_running_loop().add_reader(listener.fileno(), self._receive, listener, wakeup)
        except (OSError, NotImplementedError) as exc:
            listener.close()
            with contextlib.suppress(OSError):
                path.unlink()
            log.warning("wake-ups from other processes unavailable, polling only", error=str(exc))
            return False
        self._listener, self._own = listener, path
        return True

    def _bind(self, listener: socket.socket, path: Path) -> None:
        for _ in range(3):  # the last worker to stop may remove the directory in between
            self.directory.mkdir(mode=0o700, exist_ok=True)
            try:
                listener.bind(str(path))
            except FileNotFoundError:
                continue
            return
        raise FileNotFoundError(f"{self.directory} keeps disappearing")

    @staticmethod
    def _receive(listener: socket.socket, wakeup: Wakeup) -> None:
        """Every datagram waiting, each a comma list of channels."""
        while True:
            try:
                data = listener.recv(4096)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return  # closed meanwhile
            wakeup.poke(channel for channel in data.decode(errors="replace").split(",") if channel)

    def stop_listening(self) -> None:
        """Close the socket, remove it, and the directory with it when no other worker listens."""
        if self._listener is not None:
            with contextlib.suppress(RuntimeError, OSError, NotImplementedError):  # the loop may be closed
                asyncio.get_running_loop().remove_reader(self._listener.fileno())
            self._listener.close()
            self._listener = None
        if self._own is not None:
            with contextlib.suppress(OSError):
                self._own.unlink()
            self._own = None
            with contextlib.suppress(OSError):
                self.directory.rmdir()  # refused while another worker's socket is in it

    def close(self) -> None:
        self.stop_listening()
        if self._sender is not None:
            self._sender.close()
            self._sender = None
