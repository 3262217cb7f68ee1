"""The SQLite doorbell (``kit/wakeup.Doorbell``): a commit in one process wakes the workers of others.

Two runtimes on one SQLite file stand for two processes: each has its own database engines,
its own ``Wakeup`` and its own doorbell, as ``printapi serve`` and ``printapi worker`` would.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import structlog
from structlog.testing import capture_logs

from printapi.kit import wakeup
from printapi.kit.wakeup import Doorbell, announce
from printapi.runtime import Runtime
from tests.conftest import Backend, _settings

pytestmark = pytest.mark.skipif(not Doorbell.available(), reason="no Unix sockets here")


@pytest.fixture
async def two(sqlite_backend: Backend) -> AsyncIterator[tuple[Runtime, Runtime]]:
    api, worker = Runtime.create(_settings(sqlite_backend.url)), Runtime.create(_settings(sqlite_backend.url))
    assert api.doorbell is not None
    assert worker.doorbell is not None
    assert worker.doorbell.listen(worker.wakeup)
    try:
        yield api, worker
    finally:
        await api.close()
        await worker.close()


async def commit(runtime: Runtime, *channels: str) -> None:
    async with runtime.db.write() as session:
        for channel in channels:
            await announce(session, channel)


async def test_a_commit_that_announces_wakes_the_other_process(two: tuple[Runtime, Runtime]) -> None:
    api, worker = two

    await commit(api, "webhooks", "mail")

    assert await worker.wakeup.wait("webhooks", 5.0)
    assert await worker.wakeup.wait("mail", 5.0)


async def test_a_commit_that_announces_nothing_rings_no_one(two: tuple[Runtime, Runtime]) -> None:
    api, worker = two

    await commit(api)

    assert not await worker.wakeup.wait("webhooks", 0.3)


async def test_a_rolled_back_transaction_rings_no_one(two: tuple[Runtime, Runtime]) -> None:
    api, worker = two

    async def failing_change() -> None:
        async with api.db.write() as session:
            await announce(session, "webhooks")
            raise RuntimeError("the change fails")

    with pytest.raises(RuntimeError):
        await failing_change()

    assert not await worker.wakeup.wait("webhooks", 0.3)


async def test_the_socket_of_a_dead_worker_is_removed_by_the_next_ring(two: tuple[Runtime, Runtime]) -> None:
    api, worker = two
    assert worker.doorbell is not None
    dead = worker.doorbell.directory / "0-dead.sock"
    killed = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    killed.bind(str(dead))
    killed.close()  # a SIGKILLed worker leaves its socket file behind
    assert dead.exists()

    await commit(api, "webhooks")

    assert not dead.exists()
    assert await worker.wakeup.wait("webhooks", 5.0)  # the live one still rang


async def test_a_worker_that_stops_listening_removes_its_socket(two: tuple[Runtime, Runtime]) -> None:
    _api, worker = two
    assert worker.doorbell is not None
    other = worker.doorbell.directory / "0-other.sock"  # another worker's, still listening
    other.touch()

    worker.doorbell.stop_listening()

    assert set(worker.doorbell.directory.iterdir()) == {other}
    other.unlink()


async def test_the_last_worker_to_stop_removes_the_directory(sqlite_backend: Backend) -> None:
    runtime = Runtime.create(_settings(sqlite_backend.url))
    assert runtime.doorbell is not None
    try:
        assert runtime.doorbell.listen(runtime.wakeup)
        assert runtime.doorbell.directory.exists()

        runtime.doorbell.stop_listening()

        assert not runtime.doorbell.directory.exists()
    finally:
        await runtime.close()


async def test_a_doorbell_that_cannot_listen_says_so_once_and_the_loops_poll(
    sqlite_backend: Backend, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime = Runtime.create(_settings(sqlite_backend.url))
    assert runtime.doorbell is not None
    runtime.doorbell.directory = tmp_path / "a-file"
    runtime.doorbell.directory.write_text("not a directory")
    # The module's logger was assembled (and cached) by earlier tests; a fresh one sees the capture.
    monkeypatch.setattr(wakeup, "log", structlog.get_logger("printapi.wakeup"))
    try:
        with capture_logs() as logs:
            assert not runtime.doorbell.listen(runtime.wakeup)
    finally:
        await runtime.close()

    assert [(log["log_level"], log["event"]) for log in logs] == [
        ("warning", "wake-ups from other processes unavailable, polling only")
    ]


@pytest.mark.postgres
async def test_postgresql_has_notify_and_no_doorbell(postgres_backend: Backend) -> None:
    runtime = Runtime.create(_settings(postgres_backend.url))
    try:
        assert runtime.doorbell is None
    finally:
        await runtime.close()
