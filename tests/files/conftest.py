"""Fixtures of the print-file tests: a file server on loopback, and a runtime whose worker downloads from it.

``storage_settings`` says where the worker stores what it fetches (local disk here; a bucket in
tests/files/test_object_storage.py, which overrides it).
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiohttp import web

from printapi.kit.clock import SystemClock
from printapi.runtime import Runtime
from printapi.worker import Worker
from tests.conftest import TEST_PASSWORDS, Backend, _empty, _settings, app_for, bearer, make_credentials


class FileServer:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.base = ""
        self.hits: list[str] = []
        # name -> Location sent as written (web.HTTPFound would normalise it through yarl)
        self.raw_redirects: dict[str, str] = {}
        # Set when the server closes: a stalled answer (slow.pdf) ends then, not after its 5 s.
        self.closing = asyncio.Event()

    def url(self, path: str) -> str:
        return f"{self.base}{path}"


def _app(server: FileServer) -> web.Application:
    async def serve(request: web.Request) -> web.StreamResponse:
        server.hits.append(request.path)
        name = request.match_info["name"]
        if name == "slow.pdf":  # stalls far past the download timeout, until the server closes
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(server.closing.wait(), timeout=5)
        if name.startswith("redirect-"):
            raise web.HTTPFound(name.removeprefix("redirect-").replace("_", "/").replace("~", ":"))
        if name in server.raw_redirects:
            return web.Response(status=302, headers={"Location": server.raw_redirects[name]})
        if name == "huge.pdf":
            return web.Response(body=b"%PDF" + b"0" * 2_000_000, content_type="application/pdf")
        path = server.folder / name
        if not path.exists():
            raise web.HTTPNotFound
        return web.FileResponse(path)

    app = web.Application()
    app.router.add_get("/files/{name}", serve)
    return app


@asynccontextmanager
async def serving(folder: Path, host: str) -> AsyncIterator[FileServer]:
    server = FileServer(folder)
    server.folder.mkdir()
    runner = web.AppRunner(_app(server), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, 0)
    await site.start()
    assert site._server is not None
    server.base = f"http://{host}:{site._server.sockets[0].getsockname()[1]}"  # type: ignore[attr-defined]
    try:
        yield server
    finally:
        server.closing.set()
        await runner.cleanup()


@pytest.fixture
async def file_server(tmp_path: Path) -> AsyncIterator[FileServer]:
    async with serving(tmp_path / "served", "127.0.0.1") as server:
        yield server


@pytest.fixture
async def other_server(tmp_path: Path) -> AsyncIterator[FileServer]:
    """A second file server, on 127.0.0.2 (tests that use it allow only 127.0.0.1)."""
    async with serving(tmp_path / "other", "127.0.0.2") as server:
        yield server


@pytest.fixture
def allow_networks() -> str:
    """PRINTAPI_OUTBOUND_ALLOW_NETWORKS of the downloading worker: the file server is on loopback."""
    return "127.0.0.0/8"


@pytest.fixture(scope="module")
def store_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A storage folder for a whole module: the same settings from test to test, and so the same
    app (tests/conftest.py's ``app_for`` builds one per settings, 0.15-0.6 s). Each stored file's
    key is its own (it has a random part)."""
    return tmp_path_factory.mktemp("store")


@pytest.fixture
def store(store_folder: Path) -> Path:
    """The module's storage folder, emptied for the test: what the test finds there is its own."""
    for entry in store_folder.iterdir():
        if entry.is_dir():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    return store_folder


@pytest.fixture
def storage_settings(store_folder: Path) -> dict[str, Any]:
    """Where the worker stores what it downloads, and any other setting a test module changes
    (tests/files/test_object_storage.py: a bucket)."""
    return {"storage_dir": str(store_folder)}


@pytest.fixture
async def downloading(
    backend: Backend, storage_settings: dict[str, Any], allow_networks: str
) -> AsyncIterator[tuple[Runtime, httpx.AsyncClient, dict[str, str]]]:
    fast = {
        "outbound_allow_networks": allow_networks,
        "download_schedule": "100ms,100ms",
        "download_timeout_seconds": 1.5,
        "download_connect_timeout_seconds": 1.0,
        "preflight_timeout_seconds": 20,
        "download_lease_seconds": 30,
        "max_upload_bytes": 1_000_000,
        "worker_poll_seconds": 0.2,
    }
    settings = _settings(backend.url, **(fast | storage_settings))
    runtime = Runtime.create(settings, clock=SystemClock(), passwords=TEST_PASSWORDS)
    loops = Worker(runtime)
    task = asyncio.create_task(loops.run())
    transport = httpx.ASGITransport(app=app_for(runtime))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            headers = await bearer(client, await make_credentials(runtime))
            yield runtime, client, headers
    finally:
        loops.stop()
        await asyncio.wait_for(task, 15)
        await _empty(runtime)
        await runtime.close()
