"""A PNG checked whole in constant memory: every chunk's CRC, an IEND, and pixel data that inflates
to exactly the size its header implies.

Pillow would decode the image into one buffer of width × height × 4 bytes (1 GB for a 250-megapixel
poster). Inflating the IDAT stream piece by piece and counting the bytes finds the same truncated
and damaged files (a short or broken zlib stream, a failed CRC) while holding about a megabyte.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Final

SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"
PIECE: Final = 1 << 20  # bytes read, and bytes inflated, at a time
_CHANNELS: Final = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}  # by colour type: grey, RGB, palette, grey+alpha, RGBA
_NOT_INTERLACED: Final = ((0, 0, 1, 1),)
_ADAM7: Final = (
    (0, 0, 8, 8),
    (4, 0, 8, 8),
    (0, 4, 4, 8),
    (2, 0, 4, 4),
    (0, 2, 2, 4),
    (1, 0, 2, 2),
    (0, 1, 1, 2),
)


class DamagedPng(Exception):
    """The PNG is not whole; the message says how, for the person who sent it."""


def check_png_stream(path: Path) -> None:
    """Return when the PNG at ``path`` is whole; raise ``DamagedPng`` saying what is wrong otherwise."""
    inflater = zlib.decompressobj()
    expected: int | None = None
    produced = 0
    with path.open("rb") as stream:
        if stream.read(len(SIGNATURE)) != SIGNATURE:
            raise DamagedPng("it does not start with the PNG signature")
        while True:
            kind, length = _chunk_head(stream)
            crc = zlib.crc32(kind)
            for piece in _pieces(stream, length):
                crc = zlib.crc32(piece, crc)
                if kind == b"IHDR":
                    expected = _raw_size(piece)
                elif kind == b"IDAT":
                    produced += _inflate(inflater, piece, room=(expected or 0) - produced)
            if struct.unpack(">I", _exactly(stream, 4))[0] != crc:
                raise DamagedPng(f"its {kind.decode('latin-1')} chunk is damaged (CRC mismatch)")
            if kind == b"IEND":
                break
    if expected is None:
        raise DamagedPng("it has no IHDR header chunk")
    if produced != expected or not inflater.eof:
        raise DamagedPng(f"its pixel data is incomplete ({produced} of {expected} bytes)")


def _chunk_head(stream: BinaryIO) -> tuple[bytes, int]:
    head = stream.read(8)
    if len(head) < 8:
        raise DamagedPng("it ends before its IEND chunk: the file is truncated")
    length, kind = struct.unpack(">I4s", head)
    return kind, length


def _pieces(stream: BinaryIO, length: int) -> Iterator[bytes]:
    while length > 0:
        piece = _exactly(stream, min(length, PIECE))
        length -= len(piece)
        yield piece


def _exactly(stream: BinaryIO, size: int) -> bytes:
    data = stream.read(size)
    if len(data) < size:
        raise DamagedPng("it ends in the middle of a chunk: the file is truncated")
    return data


def _inflate(inflater: zlib._Decompress, data: bytes, *, room: int) -> int:
    """Inflate ``data`` a megabyte at a time, keeping none of it; refuse more than ``room`` bytes."""
    produced = 0
    try:
        while data and not inflater.eof:
            produced += len(inflater.decompress(data, PIECE))
            if produced > room:
                raise DamagedPng("its pixel data is larger than its header says")
            data = inflater.unconsumed_tail
    except zlib.error as exc:
        raise DamagedPng(f"its pixel data is damaged ({exc})") from exc
    return produced


def _raw_size(ihdr: bytes) -> int:
    """Bytes of filtered scanlines that the header's size, depth, colour type and interlacing imply."""
    if len(ihdr) != 13:
        raise DamagedPng("its IHDR header chunk is damaged")
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", ihdr)
    if colour not in _CHANNELS:
        raise DamagedPng(f"its header names an unknown colour type {colour}")
    bits = depth * _CHANNELS[colour]
    total = 0
    for x0, y0, dx, dy in _ADAM7 if interlace == 1 else _NOT_INTERLACED:
        columns, rows = -(-(width - x0) // dx), -(-(height - y0) // dy)
        if columns > 0 and rows > 0:
            total += rows * (1 + -(-columns * bits // 8))
    return total
