"""Print files in an object store, through the app and the worker, on a real S3-compatible server:
uploads, downloads by URL, what owners and operators fetch, and a store that cannot be used."""

from __future__ import annotations

import os
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from printapi.models import ItemFile
from printapi.runtime import Runtime
from tests.conftest import Credentials, bearer, book_item, make_credentials
from tests.dashboard.helpers import browser, make_operator, sign_in
from tests.files.conftest import FileServer
from tests.files.make_files import make_pdf
from tests.files.test_downloads import eventually, files_of, place_good_book
from tests.files.test_uploads import CONTENT_MM, PDF, place, read_order, upload_path
from tests.s3server import Bucket

UPLOAD_LIMIT = 16 * 1024 * 1024


def closed_port() -> int:
    """A loopback port nobody listens on: a store that is down."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def settings_overrides(bucket: Bucket, tmp_path: Path) -> dict[str, Any]:
    (tmp_path / "temp").mkdir()
    return bucket.settings(
        storage_dir=str(tmp_path / "disk"), temp_dir=str(tmp_path / "temp"), max_upload_bytes=UPLOAD_LIMIT
    )


async def stored_keys(runtime: Runtime) -> list[str]:
    async with runtime.db.read() as session:
        keys = (await session.execute(select(ItemFile.storage_key))).scalars()
        return sorted(f"files/{key}" for key in keys if key is not None)


def nothing_on_disk(tmp_path: Path) -> bool:
    """No print file on this machine: not in the storage directory, none left in the temporary one."""
    disk = tmp_path / "disk"
    return not (disk.exists() and any(disk.rglob("*"))) and not any((tmp_path / "temp").iterdir())


class TestUploads:
    async def test_an_upload_is_checked_and_accepted_with_the_file_in_the_store_and_not_on_disk(
        self,
        client: httpx.AsyncClient,
        auth_headers: dict[str, str],
        runtime: Runtime,
        bucket: Bucket,
        tmp_path: Path,
    ) -> None:
        order = await place(client, auth_headers, book_item())
        content = make_pdf(tmp_path / "content.pdf", size_mm=CONTENT_MM, pages=32).read_bytes()
        (tmp_path / "content.pdf").unlink()

        uploaded = await client.post(upload_path(order), content=content, headers={**auth_headers, **PDF})

        assert uploaded.status_code == 200, uploaded.text
        files = (await read_order(client, auth_headers, order["id"]))["items"][0]["files"]
        assert files["content"]["status"] == "Accepted"
        keys = await stored_keys(runtime)
        assert await bucket.keys() == keys
        assert await bucket.get(keys[0]) == content
        assert nothing_on_disk(tmp_path)

    async def test_a_file_that_fails_preflight_is_not_kept(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str], bucket: Bucket, tmp_path: Path
    ) -> None:
        order = await place(client, auth_headers, book_item())
        a4 = make_pdf(tmp_path / "a4.pdf", size_mm=(210.0, 297.0), pages=32).read_bytes()

        refused = await client.post(upload_path(order), content=a4, headers={**auth_headers, **PDF})

        assert refused.status_code == 400
        assert await bucket.keys() == []

    async def test_a_file_over_the_limit_is_413_and_leaves_nothing_in_the_bucket(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str], bucket: Bucket, tmp_path: Path
    ) -> None:
        order = await place(client, auth_headers, book_item())

        async def body() -> AsyncIterator[bytes]:  # chunked: the limit is found while it arrives
            yield b"%PDF-1.7\n"
            for _ in range(20):
                yield os.urandom(1024 * 1024)

        response = await client.post(upload_path(order), content=body(), headers={**auth_headers, **PDF})

        assert response.status_code == 413
        assert await bucket.keys() == []
        assert await bucket.uploads() == []  # the parts sent before the limit are gone too
        assert nothing_on_disk(tmp_path)

    async def test_an_upload_the_client_abandons_leaves_nothing_and_the_slot_waits(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str], bucket: Bucket
    ) -> None:
        order = await place(client, auth_headers, book_item())

        async def body() -> AsyncIterator[bytes]:
            yield b"%PDF-1.7\n"
            for _ in range(12):  # past the first part: a multipart upload has begun
                yield os.urandom(1024 * 1024)
            raise ConnectionResetError("the client went away")

        with pytest.raises(ConnectionResetError):
            await client.post(upload_path(order), content=body(), headers={**auth_headers, **PDF})

        assert await bucket.keys() == []
        assert await bucket.uploads() == []
        files = (await read_order(client, auth_headers, order["id"]))["items"][0]["files"]
        assert files["content"]["status"] == "AwaitingUpload"


async def accepted_content(
    client: httpx.AsyncClient, headers: dict[str, str], tmp_path: Path
) -> tuple[dict[str, Any], bytes]:
    order = await place(client, headers, book_item())
    content = make_pdf(tmp_path / "content.pdf", size_mm=CONTENT_MM, pages=32).read_bytes()
    uploaded = await client.post(upload_path(order), content=content, headers={**headers, **PDF})
    assert uploaded.status_code == 200, uploaded.text
    return order, content


async def own_file(
    client: httpx.AsyncClient, headers: dict[str, str], order: dict[str, Any]
) -> httpx.Response:
    """The owner's ``GET`` of the content file of the order's first item."""
    item = order["items"][0]["id"]
    return await client.get(f"/v2/orders/{order['id']}/items/{item}/files/content", headers=headers)


async def fetched_directly(url: str) -> httpx.Response:
    """What a browser gets from the store at ``url``: no credentials of ours go with it."""
    async with httpx.AsyncClient() as anyone:
        return await anyone.get(url)


class TestFetchingStoredFiles:
    async def test_an_operator_is_sent_to_a_presigned_url_of_the_store(
        self,
        client: httpx.AsyncClient,
        auth_headers: dict[str, str],
        runtime: Runtime,
        shop: Credentials,
        tmp_path: Path,
    ) -> None:
        order, content = await accepted_content(client, auth_headers, tmp_path)
        item = order["items"][0]["id"]
        operator = await bearer(client, await make_credentials(runtime, role="operator"))

        answer = await client.get(
            f"/v2/operator/accounts/{shop.account_id}/orders/{order['id']}/items/{item}/files/content",
            headers=operator,
        )

        assert answer.status_code == 307
        location = answer.headers["location"]
        assert location.startswith(f"{runtime.settings.s3_endpoint_url}/")
        assert "X-Amz-Expires=300" in location
        served = await fetched_directly(location)
        assert served.status_code == 200
        assert served.content == content
        assert served.headers["content-type"] == "application/pdf"
        assert (
            served.headers["content-disposition"]
            == f'attachment; filename="{order["id"]}-{item}-content.pdf"'
        )

    async def test_the_owner_is_sent_there_too(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str], tmp_path: Path
    ) -> None:
        order, content = await accepted_content(client, auth_headers, tmp_path)

        answer = await own_file(client, auth_headers, order)

        assert answer.status_code == 307
        assert (await fetched_directly(answer.headers["location"])).content == content

    async def test_the_operators_dashboard_download_is_a_redirect_to_the_store(
        self,
        client: httpx.AsyncClient,
        auth_headers: dict[str, str],
        runtime: Runtime,
        shop: Credentials,
        tmp_path: Path,
    ) -> None:
        order, content = await accepted_content(client, auth_headers, tmp_path)
        item = order["items"][0]["id"]
        async with browser(runtime) as operator:
            await sign_in(operator, await make_operator(runtime))
            answer = await operator.get(
                f"/dashboard/operator/orders/{shop.account_id}/test/{order['id']}/items/{item}/files/content"
            )

        assert answer.status_code == 307
        assert (await fetched_directly(answer.headers["location"])).content == content


class TestFetchingThroughTheApp:
    @pytest.fixture
    def settings_overrides(self, bucket: Bucket, tmp_path: Path) -> dict[str, Any]:
        return bucket.settings(storage_dir=str(tmp_path / "disk"), s3_presign_seconds=0)

    async def test_without_presigned_urls_the_app_streams_the_file_from_the_store(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str], tmp_path: Path
    ) -> None:
        order, content = await accepted_content(client, auth_headers, tmp_path)
        item = order["items"][0]["id"]

        answer = await own_file(client, auth_headers, order)

        assert answer.status_code == 200
        assert answer.content == content
        assert (
            answer.headers["content-disposition"]
            == f'attachment; filename="{order["id"]}-{item}-content.pdf"'
        )


class TestAStoreThatIsDown:
    @pytest.fixture
    def settings_overrides(self, bucket: Bucket, tmp_path: Path) -> dict[str, Any]:
        return bucket.settings(
            storage_dir=str(tmp_path / "disk"), s3_endpoint_url=f"http://127.0.0.1:{closed_port()}"
        )

    async def test_an_upload_is_503_in_the_documented_body_and_the_slot_keeps_waiting(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str], bucket: Bucket, tmp_path: Path
    ) -> None:
        order = await place(client, auth_headers, book_item())
        content = make_pdf(tmp_path / "content.pdf", size_mm=CONTENT_MM, pages=32).read_bytes()

        answer = await client.post(upload_path(order), content=content, headers={**auth_headers, **PDF})

        assert answer.status_code == 503
        assert answer.json() == {
            "message": "The file store is unavailable; the file was not stored.",
            "hints": ["Upload the file again in a few minutes; the slot still waits for it."],
            "errors": [],
        }
        files = (await read_order(client, auth_headers, order["id"]))["items"][0]["files"]
        assert files["content"]["status"] == "AwaitingUpload"
        assert await bucket.keys() == []
        assert not (tmp_path / "disk").exists()

    async def test_readiness_says_why(self, client: httpx.AsyncClient) -> None:
        answer = await client.get("/readyz")

        assert answer.status_code == 503
        body = answer.json()
        assert body["database"] == "ok"
        assert body["storage"].startswith(
            "the object store could not show the bucket (EndpointConnectionError"
        )
        assert body["problems"] == [f"storage: {body['storage']}"]


class TestAStoreThatRefusesTheKeys:
    @pytest.fixture
    def settings_overrides(self, bucket: Bucket, tmp_path: Path) -> dict[str, Any]:
        return bucket.settings(
            storage_dir=str(tmp_path / "disk"), s3_secret_access_key="wrong-secret-0123456789"
        )

    async def test_an_upload_is_503_and_nothing_is_stored(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str], bucket: Bucket, tmp_path: Path
    ) -> None:
        order = await place(client, auth_headers, book_item())
        content = make_pdf(tmp_path / "content.pdf", size_mm=CONTENT_MM, pages=32).read_bytes()

        answer = await client.post(upload_path(order), content=content, headers={**auth_headers, **PDF})

        assert answer.status_code == 503
        assert await bucket.keys() == []
        assert await bucket.uploads() == []

    async def test_readiness_names_the_refusal_and_not_the_secret(self, client: httpx.AsyncClient) -> None:
        body = (await client.get("/readyz")).json()

        assert body["status"] == "unready"
        assert "refused to show the bucket" in body["storage"]
        assert "wrong-secret" not in str(body)


class TestReadiness:
    async def test_a_store_that_answers_is_ready(self, client: httpx.AsyncClient) -> None:
        answer = await client.get("/readyz")

        assert answer.status_code == 200
        assert answer.json()["storage"] == "ok"


class TestDownloadsByUrl:
    @pytest.fixture
    def storage_settings(self, bucket: Bucket, tmp_path: Path) -> dict[str, Any]:
        return bucket.settings(storage_dir=str(tmp_path / "disk"))

    async def test_the_worker_downloads_into_the_store_and_the_order_goes_to_production(
        self,
        downloading: tuple[Runtime, httpx.AsyncClient, dict[str, str]],
        file_server: FileServer,
        bucket: Bucket,
        tmp_path: Path,
    ) -> None:
        runtime, client, headers = downloading
        order_id = await place_good_book(client, headers, file_server)

        async def processing() -> bool:
            return (await files_of(client, headers, order_id))["status"] == "Processing"

        await eventually(processing)
        assert await bucket.keys() == await stored_keys(runtime)
        assert len(await bucket.keys()) == 2
        assert not (tmp_path / "disk").exists()


class TestDownloadsWhileTheStoreIsDown:
    @pytest.fixture
    def storage_settings(self, bucket: Bucket, tmp_path: Path) -> dict[str, Any]:
        return bucket.settings(
            storage_dir=str(tmp_path / "disk"),
            s3_endpoint_url=f"http://127.0.0.1:{closed_port()}",
            download_schedule="1m",
        )

    async def test_a_download_waits_for_a_retry_instead_of_failing(
        self, downloading: tuple[Runtime, httpx.AsyncClient, dict[str, str]], file_server: FileServer
    ) -> None:
        runtime, client, headers = downloading
        order_id = await place_good_book(client, headers, file_server)

        async def waiting() -> bool:
            files = await files_of(client, headers, order_id)
            return files["content"]["status"] == files["cover"]["status"] == "DownloadRetryPending"

        await eventually(waiting)
        async with runtime.db.read() as session:
            errors = set((await session.execute(select(ItemFile.last_error))).scalars())
        assert errors == {"our file store was unavailable; the download is tried again"}
