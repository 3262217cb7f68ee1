"""Where stored files (the print files) live: a small protocol, and the local directory that implements it.

Files are written as they arrive, chunk by chunk, to a temporary name and renamed into place
when complete, so a crash never leaves a half-written file under a real key and an upload of a
gigabyte never sits in memory. Object storage can implement the same protocol; preflight asks
for a local path (``local_path``), which such a store would provide by downloading to a
temporary file.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterable, AsyncIterator
from pathlib import Path
from typing import Protocol

import anyio

CHUNK = 1024 * 1024


class TooLarge(Exception):
    """More bytes arrived than allowed; nothing was stored."""


class FileStorage(Protocol):
    async def write(self, key: str, chunks: AsyncIterable[bytes], *, max_bytes: int) -> int:
        """Store the stream under ``key``; returns its size. ``TooLarge`` past ``max_bytes``."""
        ...

    def local_path(self, key: str) -> Path: ...

    def read(self, key: str) -> AsyncIterator[bytes]: ...

    async def delete(self, key: str) -> None: ...

    async def exists(self, key: str) -> bool: ...


class LocalStorage:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def local_path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root):
            raise ValueError(f"storage key {key!r} leaves the storage directory")
        return path

    async def write(self, key: str, chunks: AsyncIterable[bytes], *, max_bytes: int) -> int:
        target = self.local_path(key)
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

    async def read(self, key: str) -> AsyncIterator[bytes]:
        async with await anyio.open_file(self.local_path(key), "rb") as source:
            while chunk := await source.read(CHUNK):
                yield chunk

    async def delete(self, key: str) -> None:
        await anyio.Path(self.local_path(key)).unlink(missing_ok=True)

    async def exists(self, key: str) -> bool:
        return await anyio.Path(self.local_path(key)).exists()
