"""Where stored files (the print files) live: a small protocol, and the local directory that implements it.

Two stores implement it: ``LocalStorage`` (a directory on this machine, the default) and
``S3Storage`` (``kit/s3.py``: any S3-compatible object store, shared by every process of a
deployment). A key is a relative path (``42/17-content-1a2b3c4d.pdf``); the store decides where
it lives, so the database holds the same keys whichever store keeps the bytes.

What every store promises:

- ``write`` streams: an upload of a gigabyte never sits in memory, and a write that fails or is
  cancelled (``TooLarge``, the client gone, the store down) leaves nothing under the key and
  nothing half-stored beside it;
- ``local_copy`` lends the file as a local path for as long as its block runs (preflight needs a
  file): the local directory lends its own file, an object store a temporary copy it deletes;
- ``download_url`` is a short-lived URL the file can be fetched from directly, or ``None`` when
  the app must stream it (``read``);
- a store that cannot be reached, or that refuses our keys, raises ``StorageUnavailable``, which
  the edges answer with 503 (uploads), retry later (downloads) or report (``check``, readiness).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterable, AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Protocol

import anyio

CHUNK = 1024 * 1024


class TooLarge(Exception):
    """More bytes arrived than allowed; nothing was stored."""


class StorageUnavailable(Exception):
    """The store cannot be reached or refuses us; the message says which, and never holds a secret."""


class FileStorage(Protocol):
    async def write(self, key: str, chunks: AsyncIterable[bytes], *, max_bytes: int) -> int:
        """Store the stream under ``key``; returns its size. ``TooLarge`` past ``max_bytes``."""
        ...

    def local_copy(self, key: str) -> AbstractAsyncContextManager[Path]:
        """The stored file as a local path, valid inside the ``async with`` block only."""
        ...

    def read(self, key: str) -> AsyncIterator[bytes]: ...

    async def size(self, key: str) -> int | None:
        """The stored size, or None when nothing is stored under ``key``."""
        ...

    async def delete(self, key: str) -> None:
        """Remove ``key``; nothing stored under it is no error."""
        ...

    async def download_url(self, key: str, *, filename: str, media_type: str) -> str | None:
        """A short-lived URL that serves the file with this name and type, or None: stream it."""
        ...

    async def check(self) -> None:
        """Cheap readiness: ``StorageUnavailable`` when the store would refuse work now."""
        ...

    async def close(self) -> None: ...


class LocalStorage:
    """A directory on this machine: files are written to a temporary name and renamed into place
    when complete, so a crash never leaves a half-written file under a real key."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def path_of(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root):
            raise ValueError(f"storage key {key!r} leaves the storage directory")
        return path

    async def write(self, key: str, chunks: AsyncIterable[bytes], *, max_bytes: int) -> int:
        target = self.path_of(key)
        await anyio.Path(target.parent).mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.{secrets.token_hex(6)}.part")
        size = 0
        try:
            async with await anyio.open_file(partial, "wb") as out:
                async for chunk in chunks:
                    size += len(chunk)
                    if size > max_bytes:
                        raise TooLarge(f"larger than {max_bytes} bytes")
                    await out.write(chunk)
            await anyio.to_thread.run_sync(os.replace, partial, target)
        except BaseException:
            await anyio.Path(partial).unlink(missing_ok=True)
            raise
        return size

    @asynccontextmanager
    async def local_copy(self, key: str) -> AsyncIterator[Path]:
        yield self.path_of(key)

    async def read(self, key: str) -> AsyncIterator[bytes]:
        async with await anyio.open_file(self.path_of(key), "rb") as source:
            while chunk := await source.read(CHUNK):
                yield chunk

    async def size(self, key: str) -> int | None:
        try:
            return (await anyio.Path(self.path_of(key)).stat()).st_size
        except FileNotFoundError:
            return None

    async def delete(self, key: str) -> None:
        await anyio.Path(self.path_of(key)).unlink(missing_ok=True)

    async def download_url(self, key: str, *, filename: str, media_type: str) -> str | None:
        return None  # only this process can read the directory: the app streams the file

    async def check(self) -> None:
        return None  # the disk of this machine; a full one shows as failed uploads, not here

    async def close(self) -> None:
        return None
