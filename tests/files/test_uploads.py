"""Uploads to an item file's uploadUrl (spec §3.11), checked by real preflight, over HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from printapi.app import create_app
from printapi.models import ItemFile
from printapi.runtime import Runtime
from tests.api.helpers import assert_error
from tests.conftest import book_item, order_body
from tests.files.make_files import make_jpeg, make_pdf, make_png, pixels_for

PDF = {"Content-Type": "application/pdf"}
PNG = {"Content-Type": "image/png"}
# boek_hc_a5_sta, 32 pages: content 154 × 216 mm; the cover 348 mm wide grows 0.14 mm per 2 pages above 24.
CONTENT_MM = (154.0, 216.0)
COVER_MM = (348.56, 253.0)
MUG_MM = (206.0, 86.0)  # mok: PNG or JPEG, no bleed
MUG = {"productId": "mok", "quantity": 1}
UPLOAD_LIMIT = 16 * 1024  # the limit of the tests that pass it: a mug PNG at 300 dpi is 9.6 kB


@pytest.fixture
def settings_overrides(store: Path) -> dict[str, Any]:
    return {"storage_dir": str(store)}


async def place(
    client: httpx.AsyncClient, headers: dict[str, str], *items: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    response = await client.post("/v2/orders", json=order_body(*items, **extra), headers=headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def upload_path(order: dict[str, Any], kind: str = "content", item: int = 0) -> str:
    url: str = order["items"][item]["files"][kind]["uploadUrl"]
    return url.removeprefix("http://testserver")


async def read_order(client: httpx.AsyncClient, headers: dict[str, str], order_id: str) -> dict[str, Any]:
    body: dict[str, Any] = (await client.get(f"/v2/orders/{order_id}", headers=headers)).json()
    return body


async def history(client: httpx.AsyncClient, headers: dict[str, str]) -> list[str]:
    body = (await client.get("/v2/sync/statuses?since=2000-01-01T00:00:00", headers=headers)).json()
    return [row["status"] for row in body["results"]]


async def streamed(*chunks: bytes) -> AsyncIterator[bytes]:
    """A body without Content-Length: httpx sends it with Transfer-Encoding: chunked."""
    for chunk in chunks:
        yield chunk


def stored_files(storage: Path) -> list[Path]:
    """Every file under the storage directory, partial ones (``.*.part``) included."""
    return [path for path in storage.rglob("*") if path.is_file()]


class TestABookGoesToProductionWhenItsFilesAreAccepted:
    async def test_content_and_cover_accepted_move_the_order_to_processing_once(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str], tmp_path: Path
    ) -> None:
        order = await place(client, auth_headers, book_item())
        content = make_pdf(tmp_path / "content.pdf", size_mm=CONTENT_MM, pages=32).read_bytes()
        cover = make_pdf(tmp_path / "cover.pdf", size_mm=COVER_MM).read_bytes()

        first = await client.post(upload_path(order), content=content, headers={**auth_headers, **PDF})
        between = await read_order(client, auth_headers, order["id"])
        second = await client.post(
            upload_path(order, "cover"), content=cover, headers={**auth_headers, **PDF}
        )

        assert first.status_code == 200, first.text
        assert first.json() == {"fileName": "content", "fileType": "PDF"}
        assert second.json() == {"fileName": "cover", "fileType": "PDF"}
        assert between["status"] == "Created"
        after = await read_order(client, auth_headers, order["id"])
        assert after["status"] == "Processing"
        assert {f["status"] for f in after["items"][0]["files"].values()} == {"Accepted"}
        assert await history(client, auth_headers) == ["Created", "Processing"]

    async def test_two_uploads_finishing_together_move_the_order_exactly_once(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str], tmp_path: Path
    ) -> None:
        order = await place(client, auth_headers, book_item())
        content = make_pdf(tmp_path / "content.pdf", size_mm=CONTENT_MM, pages=32).read_bytes()
        cover = make_pdf(tmp_path / "cover.pdf", size_mm=COVER_MM).read_bytes()

        responses = await asyncio.gather(
            client.post(upload_path(order), content=content, headers={**auth_headers, **PDF}),
            client.post(upload_path(order, "cover"), content=cover, headers={**auth_headers, **PDF}),
        )

        assert [r.status_code for r in responses] == [200, 200]
        assert (await read_order(client, auth_headers, order["id"]))["status"] == "Processing"
        assert await history(client, auth_headers) == ["Created", "Processing"]

    async def test_the_accepted_file_can_be_fetched_back(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str], tmp_path: Path
    ) -> None:
        order = await place(client, auth_headers, book_item())
        content = make_pdf(tmp_path / "content.pdf", size_mm=CONTENT_MM, pages=32).read_bytes()
        await client.post(upload_path(order), content=content, headers={**auth_headers, **PDF})
        item_id = order["items"][0]["id"]

        fetched = await client.get(
            f"/v2/orders/{order['id']}/items/{item_id}/files/content", headers=auth_headers
        )
        missing = await client.get(
            f"/v2/orders/{order['id']}/items/{item_id}/files/cover", headers=auth_headers
        )

        assert fetched.status_code == 200
        assert fetched.content == content
        assert fetched.headers["content-type"] == "application/pdf"
        assert missing.status_code == 404


class TestARefusedUpload:
    async def test_a_pdf_of_the_wrong_size_gets_400_with_the_measurements_and_changes_nothing(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str], tmp_path: Path, runtime: Runtime
    ) -> None:
        order = await place(client, auth_headers, book_item())
        wrong = make_pdf(tmp_path / "a4.pdf", size_mm=(210.0, 297.0), pages=32).read_bytes()

        response = await client.post(upload_path(order), content=wrong, headers={**auth_headers, **PDF})

        assert response.status_code == 400
        body = response.json()
        assert "154.0 × 216.0" in body["message"] or any("154.0" in e["message"] for e in body["errors"])
        assert len(body["errors"]) >= 1
        after = await read_order(client, auth_headers, order["id"])
        content = after["items"][0]["files"]["content"]
        assert content["status"] == "AwaitingUpload"
        assert content["findings"][0]["code"] == "page_size"
        assert after["status"] == "Created"
        async with runtime.db.read() as session:
            stored = (await session.execute(select(ItemFile.storage_key))).scalars().all()
        assert stored == [None, None]
        assert list((tmp_path / "files").rglob("*.pdf")) == []

    async def test_a_pdf_with_the_wrong_page_count_is_refused(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str], tmp_path: Path
    ) -> None:
        order = await place(client, auth_headers, book_item())
        short = make_pdf(tmp_path / "short.pdf", size_mm=CONTENT_MM, pages=30).read_bytes()

        response = await client.post(upload_path(order), content=short, headers={**auth_headers, **PDF})

        assert response.status_code == 400
        assert any("30" in e["message"] and "32" in e["message"] for e in response.json()["errors"])

    @pytest.mark.parametrize(
        ("content", "media"), [(b"", "application/pdf"), (b"%PDF-1.7\n garbage", "application/pdf")]
    )
    async def test_empty_and_corrupt_files_are_refused(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str], content: bytes, media: str
    ) -> None:
        order = await place(client, auth_headers, book_item())

        response = await client.post(
            upload_path(order), content=content, headers={**auth_headers, "Content-Type": media}
        )

        assert response.status_code == 400
        assert (await read_order(client, auth_headers, order["id"]))["items"][0]["files"]["content"][
            "status"
        ] == ("AwaitingUpload")

    async def test_a_png_declared_as_pdf_is_refused(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str], tmp_path: Path
    ) -> None:
        order = await place(client, auth_headers, book_item())
        png = make_png(tmp_path / "x.png", size_px=(100, 140)).read_bytes()

        response = await client.post(upload_path(order), content=png, headers={**auth_headers, **PDF})

        assert response.status_code == 400


class TestImages:
    @pytest.mark.parametrize(
        ("dpi", "status", "warned"), [(300, 200, False), (150, 200, True), (72, 400, False)]
    )
    async def test_a_mug_image_is_judged_by_its_effective_resolution(
        self,
        client: httpx.AsyncClient,
        auth_headers: dict[str, str],
        tmp_path: Path,
        dpi: int,
        status: int,
        warned: bool,
    ) -> None:
        order = await place(client, auth_headers, {"productId": "mok", "quantity": 1})
        png = make_png(tmp_path / "mug.png", size_px=pixels_for(MUG_MM, dpi)).read_bytes()

        response = await client.post(
            upload_path(order), content=png, headers={**auth_headers, "Content-Type": "image/png"}
        )

        assert response.status_code == status, response.text
        file = (await read_order(client, auth_headers, order["id"]))["items"][0]["files"]["content"]
        codes = [f["code"] for f in file.get("findings", [])]
        assert ("resolution" in codes) == (warned or status == 400)
        if status == 200:
            assert file["status"] == "Accepted"

    async def test_a_cmyk_jpeg_of_the_right_shape_is_accepted(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str], tmp_path: Path
    ) -> None:
        order = await place(client, auth_headers, {"productId": "mok", "quantity": 1})
        jpeg = make_jpeg(tmp_path / "mug.jpg", size_px=pixels_for(MUG_MM, 300), mode="CMYK").read_bytes()

        response = await client.post(
            upload_path(order), content=jpeg, headers={**auth_headers, "Content-Type": "image/jpeg"}
        )

        assert response.status_code == 200, response.text
        assert response.json() == {"fileName": "content", "fileType": "JPEG"}

    async def test_a_multipart_upload_works_like_a_raw_one(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str], tmp_path: Path
    ) -> None:
        order = await place(client, auth_headers, {"productId": "mok", "quantity": 1})
        png = make_png(tmp_path / "mug.png", size_px=pixels_for(MUG_MM, 300)).read_bytes()

        response = await client.post(
            upload_path(order), files={"file": ("mug.png", png, "image/png")}, headers=auth_headers
        )

        assert response.status_code == 200, response.text
        assert response.json() == {"fileName": "content", "fileType": "PNG"}


class TestUploadRules:
    async def test_another_type_than_pdf_png_or_jpeg_is_415(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        order = await place(client, auth_headers, book_item())
        response = await client.post(
            upload_path(order), content=b"hello", headers={**auth_headers, "Content-Type": "text/plain"}
        )
        assert response.status_code == 415

    async def test_an_unknown_code_is_404(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        response = await client.post("/v2/files/nope", content=b"%PDF", headers={**auth_headers, **PDF})
        assert response.status_code == 404

    async def test_an_accepted_file_or_a_cancelled_order_takes_no_upload(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str], tmp_path: Path
    ) -> None:
        order = await place(client, auth_headers, book_item())
        content = make_pdf(tmp_path / "content.pdf", size_mm=CONTENT_MM, pages=32).read_bytes()
        await client.post(upload_path(order), content=content, headers={**auth_headers, **PDF})
        again = await client.post(upload_path(order), content=content, headers={**auth_headers, **PDF})
        await client.post(
            f"/v2/orders/{order['id']}/status", json={"status": "Cancelled"}, headers=auth_headers
        )
        cover = make_pdf(tmp_path / "cover.pdf", size_mm=COVER_MM).read_bytes()
        late = await client.post(upload_path(order, "cover"), content=cover, headers={**auth_headers, **PDF})

        assert again.status_code == 403
        assert late.status_code == 403

    async def test_a_file_over_the_upload_limit_is_413(
        self, runtime: Runtime, auth_headers: dict[str, str], client: httpx.AsyncClient
    ) -> None:
        order = await place(client, auth_headers, book_item())
        small = Runtime(
            settings=runtime.settings.model_copy(update={"max_upload_bytes": 2048}),
            db=runtime.db,
            payments=runtime.payments,
            clock=runtime.clock,
            storage=runtime.storage,
        )
        transport = httpx.ASGITransport(app=create_app(runtime=small))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as limited:
            response = await limited.post(
                upload_path(order), content=b"%PDF" + b"0" * 5000, headers={**auth_headers, **PDF}
            )

        assert response.status_code == 413

    async def test_a_truncated_upload_stores_nothing(
        self, runtime: Runtime, client: httpx.AsyncClient, auth_headers: dict[str, str], store: Path
    ) -> None:
        order = await place(client, auth_headers, book_item())
        app = create_app(runtime=runtime)
        messages = [
            {"type": "http.request", "body": b"%PDF-1.7\n" + b"0" * 1000, "more_body": True},
            {"type": "http.disconnect"},
        ]

        async def receive() -> dict[str, Any]:
            return messages.pop(0) if messages else {"type": "http.disconnect"}

        async def send(_message: dict[str, Any]) -> None:
            return None

        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": upload_path(order),
            "raw_path": upload_path(order).encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [
                (b"host", b"testserver"),
                (b"content-type", b"application/pdf"),
                (b"content-length", b"100000"),
                (b"authorization", auth_headers["Authorization"].encode()),
            ],
            "client": ("127.0.0.1", 1),
            "server": ("testserver", 80),
            "state": {},
        }
        with pytest.raises(Exception):  # noqa: B017, PT011 - the client went away; any error of the app will do
            await app(scope, receive, send)

        file = (await read_order(client, auth_headers, order["id"]))["items"][0]["files"]["content"]
        assert file["status"] == "AwaitingUpload"
        assert stored_files(store) == []


class TestAStreamedUploadOverTheLimit:
    """Past PRINTAPI_MAX_UPLOAD_BYTES the request is aborted: what arrived before is never kept."""

    @pytest.fixture
    def settings_overrides(self, store: Path) -> dict[str, Any]:
        return {"storage_dir": str(store), "max_upload_bytes": UPLOAD_LIMIT}

    @pytest.fixture
    def mug_png(self, tmp_path: Path) -> bytes:
        """A PNG the mug accepts, well under the limit."""
        return make_png(tmp_path / "mug.png", size_px=pixels_for(MUG_MM, 300)).read_bytes()

    async def test_a_valid_file_followed_by_too_many_bytes_is_413_and_the_slot_still_waits(
        self,
        client: httpx.AsyncClient,
        auth_headers: dict[str, str],
        store: Path,
        runtime: Runtime,
        mug_png: bytes,
    ) -> None:
        order = await place(client, auth_headers, MUG)
        padding = [b"\0" * 4096] * (UPLOAD_LIMIT // 4096)

        response = await client.post(
            upload_path(order), content=streamed(mug_png, *padding), headers={**auth_headers, **PNG}
        )

        body = assert_error(response, 413, field="body")
        assert str(UPLOAD_LIMIT) in body["message"]
        after = await read_order(client, auth_headers, order["id"])
        assert after["status"] == "Created"
        assert after["items"][0]["files"]["content"] == {
            "status": "AwaitingUpload",
            "uploadUrl": order["items"][0]["files"]["content"]["uploadUrl"],
        }
        async with runtime.db.read() as session:
            assert (await session.execute(select(ItemFile.storage_key))).scalars().all() == [None]
        assert stored_files(store) == []
        assert await history(client, auth_headers) == ["Created"]

    async def test_a_multipart_body_over_the_limit_is_413_and_stores_nothing(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str], store: Path, mug_png: bytes
    ) -> None:
        order = await place(client, auth_headers, MUG)
        form = httpx.Request(
            "POST", "/", files={"file": ("mug.png", mug_png + b"\0" * UPLOAD_LIMIT, "image/png")}
        )
        body = form.read()

        response = await client.post(
            upload_path(order),
            content=streamed(*(body[start : start + 4096] for start in range(0, len(body), 4096))),
            headers={**auth_headers, "Content-Type": form.headers["Content-Type"]},
        )

        assert_error(response, 413, field="body")
        after = await read_order(client, auth_headers, order["id"])
        assert after["status"] == "Created"
        assert after["items"][0]["files"]["content"]["status"] == "AwaitingUpload"
        assert stored_files(store) == []

    async def test_the_next_upload_within_the_limit_is_accepted(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str], store: Path, mug_png: bytes
    ) -> None:
        order = await place(client, auth_headers, MUG)
        headers = {**auth_headers, **PNG}
        refused = await client.post(
            upload_path(order), content=streamed(mug_png, b"\0" * UPLOAD_LIMIT), headers=headers
        )

        response = await client.post(upload_path(order), content=streamed(mug_png), headers=headers)

        assert refused.status_code == 413
        assert response.status_code == 200, response.text
        after = await read_order(client, auth_headers, order["id"])
        assert after["status"] == "Processing"
        assert after["items"][0]["files"]["content"]["status"] == "Accepted"
        assert len(stored_files(store)) == 1
