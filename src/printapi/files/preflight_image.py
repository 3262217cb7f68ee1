"""Preflight of a PNG or JPEG: not a decompression bomb, it decodes, and it fits the print size.

The size checks use the image as it will be shown: EXIF orientations 5–8 turn it a quarter, as
``ImageOps.exif_transpose`` would. Resolution is the *effective* dpi, pixels over the print size
including bleed; the file's own dpi metadata is ignored (it is often missing or rounded).

Memory stays bounded. ``Image.open`` reads only the header, so the pixel count is checked before
anything is decoded, and Pillow's own guard (``MAX_IMAGE_PIXELS`` = the expectation's limit,
``DecompressionBombWarning`` as an error) stands behind that during decoding. Then, one image at
a time: a JPEG is decoded whole but at 1/8 scale (``draft``: libjpeg reads every scan and block,
so truncation and corruption show, into a buffer 1/64 the size); a PNG's pixel stream is inflated
piece by piece and counted, never kept (``preflight_png``). Either way a 250-megapixel poster is
checked in a few megabytes instead of the gigabyte a full decode would take.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from printapi.files.preflight_model import ERROR, WARNING, Expectation, Finding, plain, rounded, size
from printapi.files.preflight_png import check_png_stream

MM_PER_INCH = 25.4
_ORIENTATION = 0x0112  # EXIF tag
_QUARTER_TURNS = frozenset({5, 6, 7, 8})


@dataclass(frozen=True)
class _Header:
    width: int
    height: int
    turned: bool  # the EXIF orientation turns it a quarter

    @property
    def pixels(self) -> int:
        return self.width * self.height

    @property
    def oriented(self) -> tuple[int, int]:
        return (self.height, self.width) if self.turned else (self.width, self.height)


def check_image(path: Path, kind: str, expectation: Expectation) -> list[Finding]:
    """Every finding for the image at ``path``, which the caller has sniffed as ``kind`` (PNG/JPEG)."""
    try:
        header = _read_header(path, kind)
    except MemoryError:
        raise
    except Exception as exc:  # hostile input: whatever the parser trips on, the file cannot be read
        return [Finding(ERROR, "unreadable", f"the {kind} image cannot be read: {_why(exc)}")]
    if header.pixels > expectation.max_pixels:
        return [_too_large(header, expectation)]
    problem = _decode_problem(path, kind, header, expectation)
    if problem is not None:
        return [problem]
    return [*_check_aspect(header.oriented, expectation), *_check_resolution(header.oriented, expectation)]


@contextmanager
def _pixel_limit(max_pixels: int | None) -> Iterator[None]:
    """Pillow's decompression-bomb guard at ``max_pixels`` (None: off), its warning raised as an error."""
    saved = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = max_pixels
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            yield
    finally:
        Image.MAX_IMAGE_PIXELS = saved


def _read_header(path: Path, kind: str) -> _Header:
    # Pillow's guard is off for this header-only read so that the finding can name the size; nothing
    # is decoded here, and the caller compares the size with the limit before decoding.
    with _pixel_limit(None), Image.open(path, formats=[kind]) as image:
        width, height = image.size
        exif = image.info.get("exif")
    if width <= 0 or height <= 0:
        raise ValueError(f"it claims to be {width} × {height} px")
    return _Header(width, height, turned=_orientation(exif) in _QUARTER_TURNS)


def _orientation(raw: object) -> int:
    if not isinstance(raw, bytes) or not raw:
        return 1
    exif = Image.Exif()
    try:
        exif.load(raw)
        return int(exif.get(_ORIENTATION, 1))
    except Exception:  # broken EXIF: viewers show the image unturned, and so do we
        return 1


def _decode_problem(path: Path, kind: str, header: _Header, expectation: Expectation) -> Finding | None:
    try:
        if kind == "PNG":
            check_png_stream(path)
            return None
        with _pixel_limit(expectation.max_pixels), Image.open(path, formats=[kind]) as image:
            image.draft(None, (max(1, header.width // 8), max(1, header.height // 8)))
            image.load()
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        return _too_large(header, expectation)
    except MemoryError:
        raise
    except Exception as exc:  # hostile input: whatever the decoder trips on, the image is damaged
        return Finding(ERROR, "unreadable", f"the {kind} image cannot be decoded: {_why(exc)}")
    return None


def _why(exc: Exception) -> str:
    return str(exc) or type(exc).__name__


def _pixels_for(expectation: Expectation, dpi: int) -> str:
    width_mm, height_mm = expectation.size_mm
    width, height = (math.ceil(length / MM_PER_INCH * dpi) for length in (width_mm, height_mm))
    return f"{width} × {height} px"


def _too_large(header: _Header, expectation: Expectation) -> Finding:
    message = (
        f"the image is {header.width} × {header.height} px ({header.pixels / 1e6:,.1f} megapixels); "
        f"at most {expectation.max_pixels / 1e6:,.1f} megapixels are accepted, and "
        f"{expectation.good_dpi} dpi at the print size of {size(*expectation.size_mm)} "
        f"needs only {_pixels_for(expectation, expectation.good_dpi)}"
    )
    return Finding(ERROR, "image_too_large", message, expected_mm=rounded(expectation.size_mm))


def _check_aspect(pixels: tuple[int, int], expectation: Expectation) -> list[Finding]:
    width, height = pixels
    wanted = float(expectation.width_mm / expectation.height_mm)
    tolerance = float(expectation.aspect_tolerance) + 1e-9
    if abs(width / height - wanted) / wanted <= tolerance:
        return []
    message = (
        f"the image is {width} × {height} px, an aspect ratio of {width / height:.3f}; the print size "
        f"{size(*expectation.size_mm)} needs {wanted:.3f} (± {plain(expectation.aspect_tolerance * 100)} %)"
    )
    if abs(height / width - wanted) / wanted <= tolerance:
        message += ": it is turned a quarter; rotate it to the product's orientation"
    return [Finding(ERROR, "aspect_ratio", message, expected_mm=rounded(expectation.size_mm))]


def _check_resolution(pixels: tuple[int, int], expectation: Expectation) -> list[Finding]:
    width_mm, height_mm = expectation.size_mm
    dpi = min(pixels[0] / (width_mm / MM_PER_INCH), pixels[1] / (height_mm / MM_PER_INCH))
    shown = round(dpi)  # judged as worded: 299.6 dpi reads, and passes, as 300
    if shown >= expectation.good_dpi:
        return []
    start = (
        f"the image is {pixels[0]} × {pixels[1]} px, which is {shown} dpi "
        f"at the print size of {size(width_mm, height_mm)}"
    )
    if shown < expectation.min_dpi:
        severity = ERROR
        advice = (
            f"at least {expectation.min_dpi} dpi ({_pixels_for(expectation, expectation.min_dpi)}) is needed"
        )
    else:
        severity = WARNING
        advice = (
            f"{expectation.good_dpi} dpi ({_pixels_for(expectation, expectation.good_dpi)}) prints sharper"
        )
    return [
        Finding(
            severity,
            "resolution",
            f"{start}; {advice}",
            expected_mm=rounded(expectation.size_mm),
            dpi=round(dpi, 1),
        )
    ]
