"""The SQLite doorbell (``kit/wakeup.Doorbell``): a commit in one process wakes the workers of others.

Two runtimes on one SQLite file stand for two processes: each has its own database engines,
its own ``Wakeup`` and its own doorbell, as ``printapi serve`` and ``printapi worker`` would.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator

import pytest

from printapi.kit.wakeup import Doorbell, announce
from printapi.runtime import Runtime
from tests.conftest import Backend, _settings

pytestmark = pytest.mark.skipif(not Doorbell.available(), reason="no Unix sockets here")


@pytest.fixture
async def two(sqlite_backend: Backend) -> AsyncIterator[tuple[Runtime, Runtime]]:
    api, worker = Runtime.create(_settings(sqlite_backend.url)), Runtime.create(_settings(sqlite_backend.url))
    assert api.doorbell is not None
    assert worker.doorbell is not None
    await worker.doorbell.listen(worker.wakeup)
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
    listening = set(worker.doorbell.directory.iterdir())  # other workers' sockets may be there too

    worker.doorbell.stop_listening()

    assert len(listening - set(worker.doorbell.directory.iterdir())) == 1


@pytest.mark.postgres
async def test_postgresql_has_notify_and_no_doorbell(postgres_backend: Backend) -> None:
    runtime = Runtime.create(_settings(postgres_backend.url))
    try:
        assert runtime.doorbell is None
    finally:
        await runtime.close()
