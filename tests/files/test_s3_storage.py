"""The object store (``kit/s3.py``) on a real S3-compatible server on loopback (tests/s3server.py)."""

from __future__ import annotations

import asyncio
import os
import socket
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from printapi.kit.s3 import PART_BYTES, S3Location, S3Storage, part_size
from printapi.kit.storage import StorageUnavailable, TooLarge
from tests.s3server import Bucket, S3Server

MIB = 1024 * 1024


def storage_of(bucket: Bucket, tmp_path: Path, **overrides: object) -> S3Storage:
    values: dict[str, object] = {
        "bucket": bucket.name,
        "prefix": "files/",
        "endpoint_url": bucket.server.endpoint,
        "region": bucket.server.region,
        "access_key_id": bucket.server.access_key,
        "secret_access_key": bucket.server.secret_key,
        "max_attempts": 1,
        "connect_timeout_seconds": 1.0,
    } | overrides
    temp = tmp_path / "temp"
    temp.mkdir(exist_ok=True)
    return S3Storage(S3Location(**values), temp_dir=temp)  # type: ignore[arg-type]


@pytest.fixture
async def store(bucket: Bucket, tmp_path: Path) -> AsyncIterator[S3Storage]:
    storage = storage_of(bucket, tmp_path)
    try:
        yield storage
    finally:
        await storage.close()


async def chunks(total: int, *, chunk: int = MIB, fail_after: int | None = None) -> AsyncIterator[bytes]:
    """``total`` bytes of a repeating pattern, ``chunk`` at a time; an OSError after ``fail_after``."""
    sent = 0
    block = os.urandom(chunk)
    while sent < total:
        if fail_after is not None and sent >= fail_after:
            raise OSError("the sender went away")
        piece = block[: min(chunk, total - sent)]
        sent += len(piece)
        yield piece
        await asyncio.sleep(0)


async def collected(store: S3Storage, key: str) -> bytes:
    return b"".join([chunk async for chunk in store.read(key)])


class TestWriting:
    async def test_a_small_file_is_one_object_under_the_prefix(
        self, store: S3Storage, bucket: Bucket
    ) -> None:
        size = await store.write("7/1-content-ab.pdf", chunks(1000), max_bytes=10_000)

        assert size == 1000
        assert await bucket.keys() == ["files/7/1-content-ab.pdf"]
        assert await store.size("7/1-content-ab.pdf") == 1000
        assert await bucket.uploads() == []

    async def test_a_file_of_several_parts_goes_up_as_one_multipart_upload(
        self, store: S3Storage, bucket: Bucket
    ) -> None:
        body = os.urandom(2 * PART_BYTES + 12345)

        async def stream() -> AsyncIterator[bytes]:
            for start in range(0, len(body), 300_000):  # chunks that straddle the parts
                yield body[start : start + 300_000]

        assert await store.write("big.pdf", stream(), max_bytes=len(body)) == len(body)

        assert await bucket.get("files/big.pdf") == body
        assert await bucket.uploads() == []

    async def test_more_than_allowed_is_too_large_and_leaves_no_parts(
        self, store: S3Storage, bucket: Bucket
    ) -> None:
        with pytest.raises(TooLarge):
            await store.write("big.pdf", chunks(3 * PART_BYTES), max_bytes=2 * PART_BYTES + 1)

        assert await bucket.keys() == []
        assert await bucket.uploads() == []

    async def test_a_sender_that_goes_away_leaves_nothing(self, store: S3Storage, bucket: Bucket) -> None:
        with pytest.raises(OSError, match="went away"):
            await store.write("gone.pdf", chunks(5 * PART_BYTES, fail_after=2 * PART_BYTES), max_bytes=10**9)

        assert await bucket.keys() == []
        assert await bucket.uploads() == []

    async def test_a_cancelled_write_aborts_its_upload(self, store: S3Storage, bucket: Bucket) -> None:
        started = asyncio.Event()

        async def slow() -> AsyncIterator[bytes]:
            async for chunk in chunks(2 * PART_BYTES):
                yield chunk
            started.set()
            await asyncio.sleep(30)  # a client that stalls, and is cancelled meanwhile
            yield b"never"

        task = asyncio.create_task(store.write("stalled.pdf", slow(), max_bytes=10**9))
        await asyncio.wait_for(started.wait(), 10)
        await asyncio.sleep(0.2)  # the first part reaches the store
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

        assert await bucket.uploads() == []
        assert await bucket.keys() == []

    def test_parts_grow_when_the_limit_needs_more_than_ten_thousand(self) -> None:
        assert part_size(2 * 1024**3) == PART_BYTES
        assert part_size(200 * 1024**3) == 21 * MIB  # 10,000 parts of 21 MiB hold 205 GiB


class TestReading:
    async def test_a_local_copy_is_a_temporary_file_deleted_after_its_block(
        self, store: S3Storage, tmp_path: Path
    ) -> None:
        await store.write("a.pdf", chunks(3 * MIB), max_bytes=10**9)
        original = await collected(store, "a.pdf")

        async with store.local_copy("a.pdf") as path:
            assert path.parent == tmp_path / "temp"
            assert path.suffix == ".pdf"
            assert path.read_bytes() == original

        assert not path.exists()
        assert list((tmp_path / "temp").iterdir()) == []

    async def test_a_missing_key_is_file_not_found_and_has_no_size(self, store: S3Storage) -> None:
        assert await store.size("nothing.pdf") is None
        with pytest.raises(FileNotFoundError):
            await collected(store, "nothing.pdf")
        await store.delete("nothing.pdf")  # deleting what is not there is no error

    async def test_a_key_may_not_leave_the_prefix(self, store: S3Storage) -> None:
        with pytest.raises(ValueError, match="leaves"):
            await store.size("../other/secret.pdf")


class TestPresignedDownloads:
    async def test_the_url_serves_the_file_under_its_name_and_type_to_anyone_until_it_expires(
        self, bucket: Bucket, tmp_path: Path
    ) -> None:
        # Signed to the second (X-Amz-Date), a URL of one second may be expired when fetched at
        # once (on a loaded machine it was): three seconds leave two at least.
        store = storage_of(bucket, tmp_path, presign_seconds=3)
        try:
            await store.write("a.pdf", chunks(1000), max_bytes=10_000)
            url = await store.download_url(
                "a.pdf", filename="order-1-content.pdf", media_type="application/pdf"
            )
            assert url is not None
            async with httpx.AsyncClient() as http:
                fresh = await http.get(url)
                assert fresh.status_code == 200
                assert fresh.content == await collected(store, "a.pdf")
                assert fresh.headers["content-type"] == "application/pdf"
                assert fresh.headers["content-disposition"] == 'attachment; filename="order-1-content.pdf"'
                # Signed to the second: refused within its three seconds and one more, for sure.
                deadline = time.monotonic() + 4.1
                while (later := await http.get(url)).status_code == 200:
                    assert time.monotonic() < deadline, "the URL still serves past its three seconds"
                    await asyncio.sleep(0.1)
                # AWS answers 403 AccessDenied "Request has expired"; rclone 400 "expired".
                assert later.status_code in (400, 403)
        finally:
            await store.close()

    async def test_without_presigning_the_app_streams(self, bucket: Bucket, tmp_path: Path) -> None:
        store = storage_of(bucket, tmp_path, presign_seconds=0)
        try:
            assert await store.download_url("a.pdf", filename="a.pdf", media_type="application/pdf") is None
        finally:
            await store.close()

    async def test_urls_are_signed_for_the_public_endpoint(self, bucket: Bucket, tmp_path: Path) -> None:
        store = storage_of(bucket, tmp_path, public_endpoint_url="https://files.print.example")
        try:
            url = await store.download_url("a.pdf", filename="a.pdf", media_type="application/pdf")
        finally:
            await store.close()
        assert url is not None
        assert url.startswith(f"https://files.print.example/{bucket.name}/files/a.pdf?")
        assert bucket.server.secret_key not in url


class TestAStoreThatCannotBeUsed:
    async def test_a_store_that_is_down_is_unavailable_at_once(self, bucket: Bucket, tmp_path: Path) -> None:
        store = storage_of(bucket, tmp_path, endpoint_url=f"http://127.0.0.1:{closed_port()}")
        try:
            started = time.monotonic()
            with pytest.raises(StorageUnavailable, match="could not store a file"):
                await store.write("a.pdf", chunks(1000), max_bytes=10_000)
            with pytest.raises(StorageUnavailable, match="could not show the bucket"):
                await store.check()
            assert time.monotonic() - started < 3
        finally:
            await store.close()

    async def test_wrong_keys_are_refused_and_say_so_without_the_secret(
        self, bucket: Bucket, tmp_path: Path
    ) -> None:
        store = storage_of(bucket, tmp_path, secret_access_key="not-the-secret-key-at-all")
        try:
            with pytest.raises(StorageUnavailable, match="refused to start an upload") as refused:
                await store.write("a.pdf", chunks(2 * PART_BYTES), max_bytes=10**9)
            with pytest.raises(StorageUnavailable, match="refused to show the bucket"):
                await store.check()
        finally:
            await store.close()
        assert "not-the-secret" not in str(refused.value)
        assert await bucket.keys() == []
        assert await bucket.uploads() == []

    async def test_a_missing_bucket_is_unready(self, s3: S3Server, tmp_path: Path) -> None:
        store = storage_of(Bucket(s3, "printapi-no-such-bucket"), tmp_path)
        try:
            with pytest.raises(StorageUnavailable, match="bucket"):
                await store.check()
        finally:
            await store.close()

    async def test_the_answer_of_a_check_is_kept_for_a_few_seconds(self, store: S3Storage) -> None:
        await store.check()
        store._checked = (time.monotonic(), "remembered")  # as if the last HEAD had failed just now
        with pytest.raises(StorageUnavailable, match="remembered"):
            await store.check()
        store._checked = (time.monotonic() - 6, "remembered")
        await store.check()  # asked again: the bucket is there


def closed_port() -> int:
    """A loopback port nobody listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
