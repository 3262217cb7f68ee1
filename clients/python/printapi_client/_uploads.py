"""Print file uploads: the raw body (PDF, PNG or JPEG) streamed from a path or a stream.

The generated ``uploadItemFile`` sends multipart only and holds the file in memory; the server
also takes the raw file (docs/files.md), which is what is sent here, in chunks, never read whole.
A body from a path (opened again for every attempt) or from a seekable stream (rewound) can be
sent again, so an upload is retried and re-sent after a token renewal like any other request; a
one-pass stream is sent once.
"""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator, Iterator
from contextlib import suppress
from io import BytesIO
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

import anyio.to_thread
import httpx

from printapi_client._retries import Replayable

CHUNK_BYTES = 1024 * 1024
# The file types the server takes, by their first bytes.
SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)
_UPLOAD_PATH = re.compile(r"/v[12]/files/[^/?#]+$")

FileSource = str | os.PathLike[str] | BinaryIO | bytes


def upload_path(upload_url: str) -> str:
    """The path of an item file's ``uploadUrl`` (``/v2/files/{code}``): the upload goes to the base
    URL the SDK was given, so the token is sent nowhere else, whatever host the URL names."""
    path = urlsplit(upload_url).path
    found = _UPLOAD_PATH.search(path)
    if found is None:
        raise ValueError(f"{upload_url!r} is not an uploadUrl (…/v2/files/{{code}})")
    return found.group(0)


def sniff(head: bytes) -> str | None:
    return next((media for signature, media in SIGNATURES if head.startswith(signature)), None)


class FileBody(httpx.SyncByteStream, httpx.AsyncByteStream, Replayable):
    """The bytes of a file, in chunks, from the start each time it is sent (when it can be)."""

    def __init__(self, source: FileSource) -> None:
        self._path: Path | None = None
        self._stream: BinaryIO | None = None
        self._data: bytes | None = None
        self._start = 0
        self._sent = False
        if isinstance(source, bytes):
            self._data = source
        elif isinstance(source, (str, os.PathLike)):
            self._path = Path(source)
        else:
            self._stream = source
            with suppress(OSError, ValueError):
                self._start = source.tell() if source.seekable() else 0

    @property
    def replayable(self) -> bool:
        return self._stream is None or self._seekable() or not self._sent

    def size(self) -> int | None:
        """The number of bytes to send, when it is known before sending."""
        if self._data is not None:
            return len(self._data)
        if self._path is not None:
            return self._path.stat().st_size
        if self._stream is not None and self._seekable():
            end = self._stream.seek(0, os.SEEK_END)
            self._stream.seek(self._start)
            return end - self._start
        return None

    def media_type(self) -> str | None:
        """The media type its first bytes show (None when they show none, or cannot be read twice)."""
        if self._data is not None:
            return sniff(self._data[:8])
        if self._path is not None:
            with self._path.open("rb") as file:
                return sniff(file.read(8))
        if self._stream is not None and self._seekable():
            head = self._stream.read(8)
            self._stream.seek(self._start)
            return sniff(head)
        return None

    def __iter__(self) -> Iterator[bytes]:
        file, owned = self._open()
        try:
            while chunk := file.read(CHUNK_BYTES):
                yield chunk
        finally:
            if owned:
                file.close()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        # File reads block: each chunk is read in a worker thread.
        file, owned = await anyio.to_thread.run_sync(self._open)
        try:
            while chunk := await anyio.to_thread.run_sync(file.read, CHUNK_BYTES):
                yield chunk
        finally:
            if owned:
                await anyio.to_thread.run_sync(file.close)

    def _open(self) -> tuple[BinaryIO, bool]:
        """The file to read from its start, and whether it is ours to close (a caller's stream is not)."""
        self._sent = True
        if self._data is not None:
            return BytesIO(self._data), True
        if self._path is not None:
            return self._path.open("rb"), True
        assert self._stream is not None  # one of the three is set
        if self._seekable():
            self._stream.seek(self._start)
        return self._stream, False

    def _seekable(self) -> bool:
        try:
            return self._stream is not None and self._stream.seekable()
        except (OSError, ValueError):
            return False
