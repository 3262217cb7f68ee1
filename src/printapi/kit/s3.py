"""Print files in S3-compatible object storage (AWS S3, MinIO, Garage, SeaweedFS, Ceph): a ``FileStorage``.

Every process of a deployment reads and writes the same bucket, so any API process can take an
upload and any worker can preflight it. Objects are named ``prefix + key``. Nothing of a file is
kept in memory beyond a few parts, whatever its size:

- ``write`` sends a file smaller than one part with one PUT, and a larger one as a multipart
  upload in parts of ``PART_BYTES`` (more when the size limit needs more than S3's 10,000
  parts), at most ``PARTS_IN_FLIGHT`` at once while the next one arrives. A write that fails for
  any reason — ``TooLarge``, the sender gone, the task cancelled, the store — aborts its
  multipart upload (shielded from the cancellation), so no parts are left behind.
- ``local_copy`` streams the object to a temporary file (``temp_dir``, or the system's), which is
  deleted when the block ends: preflight needs a file.
- ``download_url`` presigns a GET that serves the file under the given name and type, valid for
  ``presign_seconds``, signed for ``public_endpoint_url`` (the address browsers reach) — presigning
  is local, so that address need not be reachable from here.
- ``check`` is a HEAD of the bucket with a short timeout, its answer kept for a few seconds:
  readiness may be asked often.

Failures to reach the store, or a refusal (wrong keys, no bucket), become ``StorageUnavailable``
with the store's error code; the secret key is never part of a message or a log.

The client is aiobotocore (docs/architecture.md, "The object-store client"): signature V4,
path-style addressing for endpoints other than AWS, and checksums only where S3 requires them
(botocore's newer default checksums are refused by several S3-compatible servers, and rclone
fails a range read's validation); the payload is still signed, so the store checks every byte.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import tempfile
import time
from collections.abc import AsyncIterable, AsyncIterator, Awaitable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypeVar

import aiohttp
import anyio
from aiobotocore.config import AioConfig
from aiobotocore.session import AioSession, get_session
from botocore.exceptions import BotoCoreError, ClientError

from printapi.kit.storage import CHUNK, StorageUnavailable, TooLarge

if TYPE_CHECKING:
    from types_aiobotocore_s3 import S3Client
    from types_aiobotocore_s3.type_defs import CompletedPartTypeDef

T = TypeVar("T")

PART_BYTES = 8 * 1024 * 1024
PARTS_IN_FLIGHT = 2
MAX_PARTS = 10_000
ABORT_SECONDS = 30.0
CHECK_SECONDS = 2.0  # a HEAD of the bucket that takes longer is a store not ready
CHECK_CACHE_SECONDS = 5.0
MISSING = {"404", "NoSuchKey", "NotFound"}


@dataclass(frozen=True)
class S3Location:
    """Where the objects are and how to reach them (``config.py`` validates it at start)."""

    bucket: str
    prefix: str = ""  # "" or ending in "/"
    endpoint_url: str | None = None  # None: AWS S3 of the region
    public_endpoint_url: str | None = None  # for presigned URLs; None: endpoint_url
    region: str = "us-east-1"
    access_key_id: str | None = None  # None: botocore's own chain (environment, instance role)
    secret_access_key: str | None = field(default=None, repr=False)
    addressing_style: Literal["auto", "virtual", "path"] = "auto"  # auto: path for a given endpoint
    presign_seconds: int = 300  # 0: no presigned URLs, the app streams downloads
    connect_timeout_seconds: float = 5.0
    read_timeout_seconds: float = 60.0
    max_attempts: int = 3

    def describe(self) -> str:
        return f"s3://{self.bucket}/{self.prefix} at {self.endpoint_url or 'AWS ' + self.region}"


@functools.cache
def _session() -> AioSession:
    """One botocore session per process: it loads S3's service model (0.3 s) once for every client."""
    return get_session()


def part_size(max_bytes: int) -> int:
    """``PART_BYTES``, or more when a file of ``max_bytes`` would need more than ``MAX_PARTS``."""
    needed = -(-max_bytes // MAX_PARTS)
    return max(PART_BYTES, -(-needed // (1024 * 1024)) * 1024 * 1024)


STORE_ERRORS = (ClientError, BotoCoreError, aiohttp.ClientError, OSError, TimeoutError)


def _code(exc: Exception) -> str | None:
    if not isinstance(exc, ClientError):
        return None
    code = exc.response.get("Error", {}).get("Code")
    return code or str(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode"))


def unavailable(what: str, exc: Exception) -> StorageUnavailable:
    """The store's error, said plainly: its code and message, or what failed on the way to it."""
    if isinstance(exc, ClientError):
        message = exc.response.get("Error", {}).get("Message")
        detail = f"{_code(exc)}: {message}" if message else _code(exc)
        return StorageUnavailable(f"the object store refused to {what} ({detail})")
    return StorageUnavailable(f"the object store could not {what} ({exc.__class__.__name__}: {exc})")


class S3Storage:
    def __init__(self, location: S3Location, *, temp_dir: Path | None = None) -> None:
        self.location = location
        self.temp_dir = temp_dir
        self._stack = AsyncExitStack()
        self._client: S3Client | None = None
        self._signer: S3Client | None = None
        self._opening = asyncio.Lock()
        self._checked: tuple[float, str | None] | None = None

    # -- the client ---------------------------------------------------------------------------

    def _config(self) -> AioConfig:
        style = self.location.addressing_style
        if style == "auto" and self.location.endpoint_url is not None:
            style = "path"  # MinIO, SeaweedFS, Garage and rclone name buckets in the path
        return AioConfig(
            signature_version="s3v4",
            s3={"addressing_style": style},
            connect_timeout=self.location.connect_timeout_seconds,
            read_timeout=self.location.read_timeout_seconds,
            retries={"max_attempts": self.location.max_attempts, "mode": "standard"},
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
            max_pool_connections=64,
        )

    async def _open(self, endpoint_url: str | None) -> S3Client:
        client: S3Client = await self._stack.enter_async_context(
            _session().create_client(
                "s3",
                endpoint_url=endpoint_url,
                region_name=self.location.region,
                aws_access_key_id=self.location.access_key_id,
                aws_secret_access_key=self.location.secret_access_key,
                config=self._config(),
            )
        )
        return client

    async def _connected(self) -> S3Client:
        """The client, made on first use inside the running event loop (its connections live there)."""
        if self._client is None:
            async with self._opening:
                if self._client is None:
                    self._client = await self._open(self.location.endpoint_url)
        return self._client

    async def _signing(self) -> S3Client:
        public = self.location.public_endpoint_url
        if public is None or public == self.location.endpoint_url:
            return await self._connected()
        if self._signer is None:
            async with self._opening:
                if self._signer is None:
                    self._signer = await self._open(public)
        return self._signer

    async def close(self) -> None:
        self._client = self._signer = None
        await self._stack.aclose()

    def _name(self, key: str) -> str:
        if key.startswith("/") or ".." in key.split("/"):
            raise ValueError(f"storage key {key!r} leaves the storage prefix")
        return self.location.prefix + key

    async def _call(self, what: str, call: Awaitable[T]) -> T:
        """Await one request of the store; failing to reach it or a refusal is ``StorageUnavailable``."""
        try:
            return await call
        except STORE_ERRORS as exc:
            raise unavailable(what, exc) from exc

    # -- FileStorage --------------------------------------------------------------------------

    async def write(self, key: str, chunks: AsyncIterable[bytes], *, max_bytes: int) -> int:
        client = await self._connected()
        parts = _Multipart(self, client, self._name(key))
        each = part_size(max_bytes)
        buffer = bytearray()
        size = 0
        try:
            async for chunk in chunks:
                size += len(chunk)
                if size > max_bytes:
                    raise TooLarge(f"larger than {max_bytes} bytes")
                buffer += chunk
                if len(buffer) >= each:
                    with memoryview(buffer) as view:
                        part = bytes(view[:each])
                    del buffer[:each]
                    await parts.add(part)
            if parts.started:
                if buffer:
                    await parts.add(bytes(buffer))
                await parts.complete()
            else:
                await self._call(
                    "store a file",
                    client.put_object(Bucket=self.location.bucket, Key=parts.name, Body=bytes(buffer)),
                )
        except BaseException:
            await parts.abort()
            raise
        return size

    @asynccontextmanager
    async def local_copy(self, key: str) -> AsyncIterator[Path]:
        handle, name = tempfile.mkstemp(prefix="printapi-", suffix=Path(key).suffix, dir=self.temp_dir)
        os.close(handle)
        path = Path(name)
        try:
            async with await anyio.open_file(path, "wb") as out:
                async for chunk in self.read(key):
                    await out.write(chunk)
            yield path
        finally:
            await anyio.Path(path).unlink(missing_ok=True)

    async def read(self, key: str) -> AsyncIterator[bytes]:
        client = await self._connected()
        try:
            answer = await client.get_object(Bucket=self.location.bucket, Key=self._name(key))
        except STORE_ERRORS as exc:
            if _code(exc) in MISSING:
                raise FileNotFoundError(key) from exc
            raise unavailable("read a file", exc) from exc
        async with answer["Body"] as body:
            while True:
                chunk = await self._call("read a file", body.read(CHUNK))
                if not chunk:
                    break
                yield chunk

    async def size(self, key: str) -> int | None:
        client = await self._connected()
        try:
            head = await client.head_object(Bucket=self.location.bucket, Key=self._name(key))
        except STORE_ERRORS as exc:
            if _code(exc) in MISSING:
                return None
            raise unavailable("look at a file", exc) from exc
        return head["ContentLength"]

    async def delete(self, key: str) -> None:
        client = await self._connected()
        await self._call(
            "delete a file", client.delete_object(Bucket=self.location.bucket, Key=self._name(key))
        )

    async def download_url(self, key: str, *, filename: str, media_type: str) -> str | None:
        if self.location.presign_seconds <= 0:
            return None
        signer = await self._signing()
        return await signer.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self.location.bucket,
                "Key": self._name(key),
                "ResponseContentDisposition": f'attachment; filename="{filename}"',
                "ResponseContentType": media_type,
            },
            ExpiresIn=self.location.presign_seconds,
        )

    async def check(self) -> None:
        now = time.monotonic()
        if self._checked is None or now - self._checked[0] > CHECK_CACHE_SECONDS:
            self._checked = (now, await self._problem())
        if self._checked[1] is not None:
            raise StorageUnavailable(self._checked[1])

    async def _problem(self) -> str | None:
        try:
            client = await self._connected()
            async with asyncio.timeout(CHECK_SECONDS):
                await self._call("show the bucket", client.head_bucket(Bucket=self.location.bucket))
        except StorageUnavailable as exc:
            return str(exc)
        except TimeoutError:
            return f"the object store did not answer within {CHECK_SECONDS:.0f} s"
        return None


class _Multipart:
    """The parts of one multipart upload, started with the first part; at most ``PARTS_IN_FLIGHT``
    are sent at once, so a slow store holds the sender back instead of filling memory."""

    def __init__(self, store: S3Storage, client: S3Client, name: str) -> None:
        self.store = store
        self.client = client
        self.name = name
        self.upload_id: str | None = None
        self.sent: list[CompletedPartTypeDef] = []
        self.sending: list[asyncio.Task[CompletedPartTypeDef]] = []

    @property
    def started(self) -> bool:
        return self.upload_id is not None

    async def add(self, data: bytes) -> None:
        if self.upload_id is None:
            started = await self.store._call(
                "start an upload",
                self.client.create_multipart_upload(Bucket=self.store.location.bucket, Key=self.name),
            )
            self.upload_id = started["UploadId"]
        while len(self.sending) >= PARTS_IN_FLIGHT:
            self.sent.append(await self.sending.pop(0))
        number = len(self.sent) + len(self.sending) + 1
        self.sending.append(asyncio.create_task(self._send(self.upload_id, number, data)))

    async def _send(self, upload_id: str, number: int, data: bytes) -> CompletedPartTypeDef:
        answer = await self.store._call(
            "store a part",
            self.client.upload_part(
                Bucket=self.store.location.bucket,
                Key=self.name,
                UploadId=upload_id,
                PartNumber=number,
                Body=data,
            ),
        )
        return {"PartNumber": number, "ETag": answer["ETag"]}

    async def complete(self) -> None:
        assert self.upload_id is not None  # called only when started
        while self.sending:
            self.sent.append(await self.sending.pop(0))
        await self.store._call(
            "complete an upload",
            self.client.complete_multipart_upload(
                Bucket=self.store.location.bucket,
                Key=self.name,
                UploadId=self.upload_id,
                MultipartUpload={"Parts": self.sent},
            ),
        )
        self.upload_id = None  # complete: nothing to abort

    async def abort(self) -> None:
        """Drop the parts sent and in flight, even while the task is being cancelled; best effort:
        a store that is down keeps them until its lifecycle rule ends them (docs/operations.md)."""
        with anyio.CancelScope(shield=True):
            for task in self.sending:
                task.cancel()
            await asyncio.gather(*self.sending, return_exceptions=True)
            self.sending.clear()
            if self.upload_id is None:
                return
            # A store that is down keeps the parts: the failure that brought us here is the one to report.
            with anyio.move_on_after(ABORT_SECONDS), contextlib.suppress(StorageUnavailable):
                await self.store._call(
                    "abort an upload",
                    self.client.abort_multipart_upload(
                        Bucket=self.store.location.bucket, Key=self.name, UploadId=self.upload_id
                    ),
                )
            self.upload_id = None
