"""Body limits on the real server: ``printapi serve`` (uvicorn, httptools) and chunked bodies.

The in-process tests go through ``httpx.ASGITransport``; these check that the server the
operators run aborts a streamed body past the limit in the same way: 413, nothing kept.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from printapi.runtime import Runtime
from tests.api.helpers import assert_error
from tests.cli.test_cli import Cli, serving
from tests.conftest import _settings, bearer, make_credentials, order_body
from tests.files.make_files import make_png, pixels_for
from tests.files.test_uploads import MUG, MUG_MM, PNG, stored_files

UPLOAD_LIMIT = 16 * 1024
BODY_LIMIT = 4096


@dataclass(frozen=True)
class LimitedCli(Cli):
    """The command's environment with small body limits."""

    def environment(self, **extra: str) -> dict[str, str]:
        limits = {"PRINTAPI_MAX_UPLOAD_BYTES": str(UPLOAD_LIMIT), "PRINTAPI_MAX_BODY_BYTES": str(BODY_LIMIT)}
        return super().environment(**limits, **extra)


@dataclass(frozen=True)
class Served:
    http: httpx.AsyncClient
    headers: dict[str, str]
    storage: Path
    log: Path

    def errors_logged(self) -> list[str]:
        return [line for line in self.log.read_text().splitlines() if "error" in line.lower()]


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[Served]:
    """``printapi serve`` on a new SQLite file, and the bearer headers of a shop on it."""
    cli = LimitedCli(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'served.db'}")
    with serving(cli, tmp_path / "serve.log") as base:  # blocking while it starts, as a fixture may
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            runtime = Runtime.create(_settings(cli.url))
            try:
                credentials = await make_credentials(runtime)
            finally:
                await runtime.close()
            yield Served(
                http, await bearer(http, credentials), tmp_path / "var" / "files", tmp_path / "serve.log"
            )


async def paused(first: bytes, rest: bytes) -> AsyncIterator[bytes]:
    """Two chunks with a pause between, so that the server hands the app ``first`` on its own."""
    yield first
    await asyncio.sleep(0.3)
    yield rest


async def order_state(served: Served, order_id: str) -> tuple[str, str]:
    order: dict[str, Any] = (await served.http.get(f"/v2/orders/{order_id}", headers=served.headers)).json()
    return order["status"], order["items"][0]["files"]["content"]["status"]


class TestTheServedApp:
    async def test_a_chunked_upload_over_the_limit_is_413_and_the_next_valid_one_is_accepted(
        self, served: Served, tmp_path: Path
    ) -> None:
        placed = await served.http.post("/v2/orders", json=order_body(MUG), headers=served.headers)
        order = placed.json()
        upload_url = order["items"][0]["files"]["content"]["uploadUrl"]
        png = make_png(tmp_path / "mug.png", size_px=pixels_for(MUG_MM, 300)).read_bytes()
        headers = {**served.headers, **PNG}

        refused = await served.http.post(
            upload_url, content=paused(png, b"\0" * UPLOAD_LIMIT), headers=headers
        )
        between = await order_state(served, order["id"])
        files_between = stored_files(served.storage)
        accepted = await served.http.post(upload_url, content=png, headers=headers)

        assert_error(refused, 413, field="body")
        assert between == ("Created", "AwaitingUpload")
        assert files_between == []
        assert accepted.status_code == 200, accepted.text
        assert await order_state(served, order["id"]) == ("Processing", "Accepted")
        assert len(stored_files(served.storage)) == 1
        assert served.errors_logged() == []

    async def test_a_chunked_order_over_the_body_limit_is_413_and_places_nothing(
        self, served: Served
    ) -> None:
        payload = json.dumps(order_body(MUG)).encode()
        headers = {**served.headers, "Content-Type": "application/json"}

        refused = await served.http.post(
            "/v2/orders", content=paused(payload, b" " * BODY_LIMIT), headers=headers
        )
        listed = await served.http.get("/v2/orders", headers=served.headers)

        assert_error(refused, 413, field="body")
        assert listed.json()["count"] == 0
        assert served.errors_logged() == []
