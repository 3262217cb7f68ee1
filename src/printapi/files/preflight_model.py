"""What a preflight works with: the expectation a print file is held to, its findings and its result.

Everything here is pure and JSON-ready: the checker runs in a child process (``preflight``), and the
expectation and the result cross the process boundary as JSON (``as_dict``/``from_dict``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

FILE_TYPES: Final = ("PDF", "PNG", "JPEG")
ERROR: Final = "error"
WARNING: Final = "warning"


@dataclass(frozen=True)
class Expectation:
    """What one file slot of one item must be; sizes in mm and including the bleed (spec §3.7)."""

    file_id: str  # "content" | "cover"
    accepts: tuple[str, ...]  # subset of FILE_TYPES
    width_mm: Decimal  # full page including bleed; for a cover already grown by the spine
    height_mm: Decimal  # including bleed
    bleed_mm: Decimal
    pages: int  # PDF pages required: content the item's pageCount, cover the product's
    tolerance_mm: Decimal = Decimal("1")
    min_dpi: int = 150  # an error below
    good_dpi: int = 300  # a warning below
    aspect_tolerance: Decimal = Decimal("0.01")  # relative
    max_pixels: int = 250_000_000  # decompression-bomb limit: an A0 poster at 300 dpi is 139 Mpx

    @property
    def size_mm(self) -> tuple[float, float]:
        return float(self.width_mm), float(self.height_mm)

    @property
    def trim_mm(self) -> tuple[float, float]:
        """The finished (trimmed) size: the full size less the bleed on every side."""
        return float(self.width_mm - 2 * self.bleed_mm), float(self.height_mm - 2 * self.bleed_mm)

    def as_dict(self) -> dict[str, Any]:
        return {
            "fileId": self.file_id,
            "accepts": list(self.accepts),
            "widthMm": str(self.width_mm),
            "heightMm": str(self.height_mm),
            "bleedMm": str(self.bleed_mm),
            "pages": self.pages,
            "toleranceMm": str(self.tolerance_mm),
            "minDpi": self.min_dpi,
            "goodDpi": self.good_dpi,
            "aspectTolerance": str(self.aspect_tolerance),
            "maxPixels": self.max_pixels,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Expectation:
        return cls(
            file_id=str(data["fileId"]),
            accepts=tuple(str(kind) for kind in data["accepts"]),
            width_mm=Decimal(data["widthMm"]),
            height_mm=Decimal(data["heightMm"]),
            bleed_mm=Decimal(data["bleedMm"]),
            pages=int(data["pages"]),
            tolerance_mm=Decimal(data["toleranceMm"]),
            min_dpi=int(data["minDpi"]),
            good_dpi=int(data["goodDpi"]),
            aspect_tolerance=Decimal(data["aspectTolerance"]),
            max_pixels=int(data["maxPixels"]),
        )


@dataclass(frozen=True)
class Finding:
    """One problem with a file, worded for the person who made it, with the numbers behind it."""

    severity: str  # ERROR | WARNING
    code: str  # stable: empty, unreadable, type_not_accepted, type_mismatch, encrypted, page_count,
    #            page_size, bleed, aspect_ratio, resolution, image_too_large, timeout
    message: str
    page: int | None = None
    measured_mm: tuple[float, float] | None = None
    expected_mm: tuple[float, float] | None = None
    dpi: float | None = None

    def as_dict(self) -> dict[str, object]:
        fields: dict[str, object] = {
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
            "page": self.page,
            "measuredMm": list(self.measured_mm) if self.measured_mm is not None else None,
            "expectedMm": list(self.expected_mm) if self.expected_mm is not None else None,
            "dpi": self.dpi,
        }
        return {key: value for key, value in fields.items() if value is not None}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Finding:
        return cls(
            severity=str(data["severity"]),
            code=str(data["code"]),
            message=str(data["message"]),
            page=data.get("page"),
            measured_mm=_pair(data.get("measuredMm")),
            expected_mm=_pair(data.get("expectedMm")),
            dpi=data.get("dpi"),
        )


@dataclass(frozen=True)
class Result:
    file_type: str | None  # one of FILE_TYPES, or None when the file is not recognised
    pages: int | None
    findings: tuple[Finding, ...]

    @property
    def ok(self) -> bool:
        return not any(finding.severity == ERROR for finding in self.findings)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "fileType": self.file_type,
            "pages": self.pages,
            "findings": [finding.as_dict() for finding in self.findings],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Result:
        return cls(
            file_type=data.get("fileType"),
            pages=data.get("pages"),
            findings=tuple(Finding.from_dict(finding) for finding in data["findings"]),
        )

    @classmethod
    def failed(cls, code: str, message: str, *, file_type: str | None = None) -> Result:
        """A file that could not be looked into: one error finding and nothing measured."""
        return cls(file_type=file_type, pages=None, findings=(Finding(ERROR, code, message),))


def _pair(value: Any) -> tuple[float, float] | None:
    return None if value is None else (float(value[0]), float(value[1]))


# -- wording: millimetres to 0.1, other decimals as written, dpi as whole numbers ------------------


def mm(value: float | Decimal) -> str:
    return f"{float(value):.1f}"


def size(width: float | Decimal, height: float | Decimal) -> str:
    return f"{mm(width)} × {mm(height)} mm"


def plain(value: Decimal) -> str:
    """A setting as people write it: 1, 0.5, 3 (no trailing zeros, no exponent)."""
    return format(value.normalize(), "f")


def count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def fits(measured: tuple[float, float], expected: tuple[float, float], tolerance: Decimal) -> bool:
    # A hair of slack so that a page exactly at the tolerance passes despite float rounding.
    slack = float(tolerance) + 1e-6
    return abs(measured[0] - expected[0]) <= slack and abs(measured[1] - expected[1]) <= slack


def rounded(pair: tuple[float, float]) -> tuple[float, float]:
    return round(pair[0], 2), round(pair[1], 2)
