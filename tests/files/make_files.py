"""Builders of real print files for the preflight tests: PDFs with pikepdf, PNGs and JPEGs with Pillow.

Sizes are given in millimetres as the product specs give them; each builder writes to ``path`` and
returns it. Files that the libraries refuse to write (a decompression bomb, damaged files) are put
together by hand.
"""

from __future__ import annotations

import math
import random
import struct
import zlib
from collections.abc import Mapping
from pathlib import Path

import pikepdf
from PIL import Image

POINT_MM = 25.4 / 72
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Adam7 passes as (first column, first row, column step, row step), from the PNG specification.
ADAM7 = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2))


def points(length_mm: float) -> float:
    return length_mm / POINT_MM


def make_pdf(
    path: Path,
    *,
    size_mm: tuple[float, float],
    pages: int = 1,
    rotate: int | None = None,
    trim_inset_mm: float | None = None,
    bleed_inset_mm: float | None = None,
    crop_inset_mm: float | None = None,
    user_unit: float | None = None,
    odd_pages_mm: Mapping[int, tuple[float, float]] | None = None,
    inherited: bool = False,
    encryption: pikepdf.Encryption | None = None,
) -> Path:
    """A PDF of blank pages whose MediaBox measures ``size_mm`` (in user units of ``user_unit`` points).

    Insets put a TrimBox, BleedBox or CropBox that far inside the MediaBox on every side;
    ``odd_pages_mm`` gives some pages (numbered from 1) another size; ``inherited`` leaves the
    MediaBox and /Rotate off the pages and puts them on the parent /Pages node.
    """
    pdf = pikepdf.new()
    unit = user_unit or 1.0
    for number in range(1, pages + 1):
        width, height = (odd_pages_mm or {}).get(number, size_mm)
        page = pdf.add_blank_page(page_size=(points(width) / unit, points(height) / unit))
        boxes = {"/TrimBox": trim_inset_mm, "/BleedBox": bleed_inset_mm, "/CropBox": crop_inset_mm}
        for key, inset in boxes.items():
            if inset is not None:
                page.obj[key] = _inset_box(width, height, inset, unit)
        if user_unit is not None:
            page.obj.UserUnit = user_unit
        if rotate is not None and not inherited:
            page.obj.Rotate = rotate
    if inherited:
        _move_to_parent(pdf, size_mm=size_mm, unit=unit, rotate=rotate)
    pdf.save(path, encryption=encryption or False, compress_streams=False)
    return path


def _inset_box(width_mm: float, height_mm: float, inset_mm: float, unit: float) -> pikepdf.Array:
    return pikepdf.Array(
        [
            points(inset_mm) / unit,
            points(inset_mm) / unit,
            points(width_mm - inset_mm) / unit,
            points(height_mm - inset_mm) / unit,
        ]
    )


def _move_to_parent(
    pdf: pikepdf.Pdf, *, size_mm: tuple[float, float], unit: float, rotate: int | None
) -> None:
    for page in pdf.pages:
        del page.obj["/MediaBox"]
    parent = pdf.Root.Pages
    parent.MediaBox = _inset_box(*size_mm, 0, unit)
    if rotate is not None:
        parent.Rotate = rotate


def make_corrupt_pdf(path: Path, *, seed: int = 4) -> Path:
    """A PDF header followed by random bytes."""
    path.write_bytes(b"%PDF-1.7\n" + random.Random(seed).randbytes(4096))
    return path


def truncate(path: Path, *, keep: int | None = None, before: bytes | None = None) -> Path:
    """Cut the file after ``keep`` bytes, or just before the last ``before``, as a broken upload would."""
    data = path.read_bytes()
    end = data.rindex(before) if before is not None else keep
    path.write_bytes(data[:end])
    return path


def pixels_for(size_mm: tuple[float, float], dpi: float) -> tuple[int, int]:
    """The pixels an image needs to print ``size_mm`` at ``dpi``."""
    width, height = (math.ceil(length / 25.4 * dpi) for length in size_mm)
    return width, height


def make_png(path: Path, *, size_px: tuple[int, int], mode: str = "RGB") -> Path:
    Image.new(mode, size_px, color=_colour(mode)).save(path, format="PNG", dpi=(300, 300))
    return path


def make_jpeg(
    path: Path, *, size_px: tuple[int, int], mode: str = "RGB", orientation: int | None = None
) -> Path:
    """A JPEG stored ``size_px`` wide and high; ``orientation`` sets the EXIF Orientation tag."""
    exif = Image.Exif()
    if orientation is not None:
        exif[0x0112] = orientation
    Image.new(mode, size_px, color=_colour(mode)).save(path, format="JPEG", quality=85, exif=exif.tobytes())
    return path


def _colour(mode: str) -> tuple[int, ...]:
    return {"RGB": (200, 120, 40), "CMYK": (0, 60, 100, 10), "L": (128,), "RGBA": (200, 120, 40, 255)}[mode]


def make_png_bomb(path: Path, *, width: int, height: int) -> Path:
    """A PNG whose header claims ``width`` × ``height`` px, with a token IDAT: no pixels are ever made."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB, no interlace
    path.write_bytes(
        PNG_SIGNATURE
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"\x00" * 1024))
        + _chunk(b"IEND", b"")
    )
    return path


def make_handmade_png(
    path: Path, *, size_px: tuple[int, int], interlaced: bool = False, noise_seed: int | None = None
) -> Path:
    """An 8-bit RGB PNG written byte by byte, its pixels in ONE IDAT chunk (Pillow splits them).

    ``interlaced`` stores it in Adam7's seven passes (Pillow reads those but cannot write them);
    ``noise_seed`` fills it with random, incompressible pixels instead of black.
    """
    width, height = size_px
    rng = random.Random(noise_seed) if noise_seed is not None else None
    passes = ADAM7 if interlaced else ((0, 0, 1, 1),)
    scanlines = bytearray()
    for x0, y0, dx, dy in passes:
        columns = len(range(x0, width, dx))
        for _ in range(y0, height, dy) if columns else ():
            scanlines += b"\x00" + (rng.randbytes(3 * columns) if rng else bytes(3 * columns))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 1 if interlaced else 0)
    path.write_bytes(
        PNG_SIGNATURE
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(bytes(scanlines), 1))
        + _chunk(b"IEND", b"")
    )
    return path


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
