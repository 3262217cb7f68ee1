"""Print files by URL: a real worker downloads them from a loopback server and checks them."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from printapi.models import MailMessage
from printapi.runtime import Runtime
from tests.conftest import _settings, book_item, order_body
from tests.files.conftest import FileServer
from tests.files.make_files import make_pdf

CONTENT_MM = (154.0, 216.0)
COVER_MM = (348.56, 253.0)


async def place_with_urls(
    client: httpx.AsyncClient, headers: dict[str, str], content: str, cover: str
) -> str:
    item = {
        "productId": "boek_hc_a5_sta",
        "pageCount": 32,
        "quantity": 1,
        "files": {"content": content, "cover": cover},
    }
    response = await client.post("/v2/orders", json=order_body(item), headers=headers)
    assert response.status_code == 201, response.text
    files = response.json()["items"][0]["files"]
    assert {f["status"] for f in files.values()} == {"DownloadPending"}
    order_id: str = response.json()["id"]
    return order_id


async def place_good_book(client: httpx.AsyncClient, headers: dict[str, str], server: FileServer) -> str:
    """An order of a book whose content and cover are good files on ``server``."""
    make_pdf(server.folder / "content.pdf", size_mm=CONTENT_MM, pages=32)
    make_pdf(server.folder / "cover.pdf", size_mm=COVER_MM)
    return await place_with_urls(
        client, headers, server.url("/files/content.pdf"), server.url("/files/cover.pdf")
    )


async def eventually(check: Callable[[], Awaitable[bool]], seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if await check():
            return
        await asyncio.sleep(0.1)
    raise AssertionError("not reached in time")


async def files_of(client: httpx.AsyncClient, headers: dict[str, str], order_id: str) -> dict[str, Any]:
    order = (await client.get(f"/v2/orders/{order_id}", headers=headers)).json()
    return {"status": order["status"], **order["items"][0]["files"]}


async def mails(runtime: Runtime) -> list[MailMessage]:
    async with runtime.db.read() as session:
        return list((await session.execute(select(MailMessage))).scalars())


class TestDownloads:
    async def test_good_files_are_downloaded_accepted_and_the_order_goes_to_production(
        self, downloading: tuple[Runtime, httpx.AsyncClient, dict[str, str]], file_server: FileServer
    ) -> None:
        _, client, headers = downloading
        order_id = await place_good_book(client, headers, file_server)

        async def processing() -> bool:
            return (await files_of(client, headers, order_id))["status"] == "Processing"

        await eventually(processing)
        files = await files_of(client, headers, order_id)
        assert files["content"]["status"] == files["cover"]["status"] == "Accepted"
        assert "uploadUrl" not in files["content"]

    async def test_a_404_is_retried_on_the_schedule_then_fails_and_the_owner_is_mailed(
        self, downloading: tuple[Runtime, httpx.AsyncClient, dict[str, str]], file_server: FileServer
    ) -> None:
        runtime, client, headers = downloading
        make_pdf(file_server.folder / "cover.pdf", size_mm=COVER_MM)
        missing = file_server.url("/files/missing.pdf")
        order_id = await place_with_urls(client, headers, missing, file_server.url("/files/cover.pdf"))

        async def failed() -> bool:
            return (await files_of(client, headers, order_id))["content"]["status"] == "DownloadFailed"

        await eventually(failed)
        files = await files_of(client, headers, order_id)
        assert file_server.hits.count("/files/missing.pdf") == 3  # the first try and the two retries
        assert files["status"] == "Created"
        assert files["content"]["uploadUrl"].startswith("http://testserver/v2/files/")
        (mail,) = await mails(runtime)
        assert missing in mail.body
        assert "HTTP 404" in mail.body

    async def test_a_file_that_fails_preflight_fails_at_once_with_its_findings(
        self, downloading: tuple[Runtime, httpx.AsyncClient, dict[str, str]], file_server: FileServer
    ) -> None:
        runtime, client, headers = downloading
        make_pdf(file_server.folder / "a4.pdf", size_mm=(210.0, 297.0), pages=32)
        make_pdf(file_server.folder / "cover.pdf", size_mm=COVER_MM)
        order_id = await place_with_urls(
            client, headers, file_server.url("/files/a4.pdf"), file_server.url("/files/cover.pdf")
        )

        async def failed() -> bool:
            return (await files_of(client, headers, order_id))["content"]["status"] == "DownloadFailed"

        await eventually(failed)
        content = (await files_of(client, headers, order_id))["content"]
        assert file_server.hits.count("/files/a4.pdf") == 1
        assert content["findings"][0]["code"] == "page_size"
        assert "154.0" in (await mails(runtime))[0].body

    @pytest.mark.parametrize(
        ("name", "reason"),
        [("huge.pdf", "too_large"), ("redirect-http~__169.254.169.254_latest.pdf", "blocked")],
    )
    async def test_too_large_and_redirects_to_private_addresses_fail_for_good(
        self,
        downloading: tuple[Runtime, httpx.AsyncClient, dict[str, str]],
        file_server: FileServer,
        name: str,
        reason: str,
    ) -> None:
        runtime, client, headers = downloading
        make_pdf(file_server.folder / "cover.pdf", size_mm=COVER_MM)
        order_id = await place_with_urls(
            client, headers, file_server.url(f"/files/{name}"), file_server.url("/files/cover.pdf")
        )

        async def failed() -> bool:
            return (await files_of(client, headers, order_id))["content"]["status"] == "DownloadFailed"

        await eventually(failed)
        assert file_server.hits.count(f"/files/{name}") == 1
        assert reason in (await mails(runtime))[0].body

    async def test_a_slow_server_times_out_and_is_retried(
        self, downloading: tuple[Runtime, httpx.AsyncClient, dict[str, str]], file_server: FileServer
    ) -> None:
        _, client, headers = downloading
        make_pdf(file_server.folder / "cover.pdf", size_mm=COVER_MM)
        order_id = await place_with_urls(
            client, headers, file_server.url("/files/slow.pdf"), file_server.url("/files/cover.pdf")
        )

        async def retrying() -> bool:
            return file_server.hits.count("/files/slow.pdf") >= 2

        await eventually(retrying)
        content = (await files_of(client, headers, order_id))["content"]
        assert content["status"] in ("DownloadRetryPending", "DownloadInProgress", "DownloadFailed")

    async def test_a_failed_download_can_be_replaced_by_an_upload(
        self,
        downloading: tuple[Runtime, httpx.AsyncClient, dict[str, str]],
        file_server: FileServer,
        tmp_path: Path,
    ) -> None:
        _, client, headers = downloading
        make_pdf(file_server.folder / "cover.pdf", size_mm=COVER_MM)
        order_id = await place_with_urls(
            client, headers, file_server.url("/files/missing.pdf"), file_server.url("/files/cover.pdf")
        )

        async def failed() -> bool:
            return (await files_of(client, headers, order_id))["content"]["status"] == "DownloadFailed"

        await eventually(failed)
        upload_url = (await files_of(client, headers, order_id))["content"]["uploadUrl"]
        pdf = make_pdf(tmp_path / "content.pdf", size_mm=CONTENT_MM, pages=32).read_bytes()
        response = await client.post(
            upload_url.removeprefix("http://testserver"),
            content=pdf,
            headers={**headers, "Content-Type": "application/pdf"},
        )

        assert response.status_code == 200, response.text

        async def processing() -> bool:
            return (await files_of(client, headers, order_id))["status"] == "Processing"

        await eventually(processing)


class TestRedirectsToOtherSpellingsOfRefusedAddresses:
    """Only 127.0.0.1 is allowed; a second server listens on 127.0.0.2, which is not."""

    @pytest.fixture
    def allow_networks(self) -> str:
        return "127.0.0.1/32"

    @pytest.mark.parametrize(
        "spell",
        [
            pytest.param(lambda port: f"http://１２７.０.０.２:{port}", id="fullwidth"),
            pytest.param(lambda port: f"http://127。0。0。2:{port}", id="ideographic"),
            pytest.param(lambda port: f"http://[::ffff:127.0.0.2]:{port}", id="ipv4-mapped"),
        ],
    )
    async def test_fail_blocked_for_good_and_the_other_address_is_never_called(
        self,
        downloading: tuple[Runtime, httpx.AsyncClient, dict[str, str]],
        file_server: FileServer,
        other_server: FileServer,
        spell: Callable[[str], str],
    ) -> None:
        runtime, client, headers = downloading
        make_pdf(file_server.folder / "cover.pdf", size_mm=COVER_MM)
        make_pdf(other_server.folder / "content.pdf", size_mm=CONTENT_MM, pages=32)
        port = other_server.base.rsplit(":", 1)[1]
        file_server.raw_redirects["elsewhere.pdf"] = f"{spell(port)}/files/content.pdf"
        order_id = await place_with_urls(
            client, headers, file_server.url("/files/elsewhere.pdf"), file_server.url("/files/cover.pdf")
        )

        async def failed() -> bool:
            return (await files_of(client, headers, order_id))["content"]["status"] == "DownloadFailed"

        await eventually(failed)
        assert file_server.hits.count("/files/elsewhere.pdf") == 1
        assert other_server.hits == []
        (mail,) = await mails(runtime)
        assert "blocked: 127.0.0.2 is not a public address" in mail.body


class TestDownloadUrlsAtPlacement:
    """The same reading of the URL as the worker's: what can never be fetched is refused at once;
    whether an address may be called is the worker's decision (docs/files.md)."""

    @pytest.fixture
    def allow_networks(self) -> str:
        return "127.0.0.1/32"

    @pytest.mark.parametrize(
        ("host", "reason"),
        [
            ("2130706433", "dotted quad"),
            ("127.1", "read it as 127.0.0.1"),
            ("0x7f000001", "read it as 127.0.0.1"),
            ("127.0.0.1.", "dotted quad"),
            ("[fe80::1%25eth0]", "zone id"),
            ("files example.nl", "not a valid host name"),
        ],
    )
    async def test_a_host_no_client_can_call_is_refused_with_the_reason(
        self, downloading: tuple[Runtime, httpx.AsyncClient, dict[str, str]], host: str, reason: str
    ) -> None:
        _, client, headers = downloading
        item = book_item(files={"content": f"http://{host}/content.pdf"})

        response = await client.post("/v2/orders", json=order_body(item), headers=headers)

        assert response.status_code == 400, response.text
        (error,) = response.json()["errors"]
        assert error["field"] == "items[0].files.content"
        assert reason in error["message"]

    async def test_another_spelling_of_a_refused_address_is_taken_and_then_fails_blocked(
        self,
        downloading: tuple[Runtime, httpx.AsyncClient, dict[str, str]],
        file_server: FileServer,
        other_server: FileServer,
    ) -> None:
        runtime, client, headers = downloading
        make_pdf(file_server.folder / "cover.pdf", size_mm=COVER_MM)
        make_pdf(other_server.folder / "content.pdf", size_mm=CONTENT_MM, pages=32)
        port = other_server.base.rsplit(":", 1)[1]
        order_id = await place_with_urls(
            client,
            headers,
            f"http://１２７.０.０.２:{port}/files/content.pdf",
            file_server.url("/files/cover.pdf"),
        )

        async def failed() -> bool:
            return (await files_of(client, headers, order_id))["content"]["status"] == "DownloadFailed"

        await eventually(failed)
        assert other_server.hits == []
        assert "blocked: 127.0.0.2 is not a public address" in (await mails(runtime))[0].body


def test_the_download_settings_refuse_a_lease_shorter_than_the_work(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="LEASE"):
        _settings(
            "sqlite://",
            download_timeout_seconds=100,
            preflight_timeout_seconds=100,
            download_lease_seconds=150,
        )
