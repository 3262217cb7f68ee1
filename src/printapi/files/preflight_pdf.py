"""Preflight of a PDF: it opens, is not encrypted, has the pages required, and every page measures right.

Sizes: a page box is in user-space units; one unit is ``/UserUnit`` points (default 1) and a point is
25.4/72 mm. ``/Rotate`` 90 or 270 (any multiple, negative too) turns the page a quarter, so the
printed width is the box's height. ``/MediaBox``, ``/CropBox`` and ``/Rotate`` may be inherited from
a parent ``/Pages`` node: by the time pikepdf hands out a page, qpdf has pushed the inherited
attributes down onto it (``pushInheritedAttributesToPage``), so the page dictionary holds them
(``tests/files`` proves it with a file that holds them only on the parent). qpdf also replaces
a MediaBox it cannot read with US Letter, which then shows as a wrong page size.

Geometry, following the PDF defaults: the visible page is the CropBox (clipped to the MediaBox)
or else the MediaBox; the bleed area is the BleedBox (clipped to the MediaBox) or else the visible
page. With a TrimBox the file says where it is cut, so the trim must measure the product's size
less the bleed, and the bleed area must reach ``bleed`` beyond the trim on every side. Without
one, the visible page must measure the full size including the bleed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pikepdf

from printapi.files.preflight_model import (
    ERROR,
    Expectation,
    Finding,
    count,
    fits,
    mm,
    plain,
    rounded,
    size,
)

POINT_MM = 25.4 / 72
PAGE_FINDINGS_LIMIT = 20  # a 500-page file of the wrong size reads as 20 pages and one summary
_SUMMARY = {"page_size": "a wrong page size", "bleed": "too little bleed", "unreadable": "damaged page boxes"}


class _BadPage(Exception):
    """A page whose boxes cannot be read; the message completes "page N …"."""


@dataclass(frozen=True)
class _Rect:
    """A box in millimetres in the page's own (unrotated) coordinates."""

    left: float
    bottom: float
    right: float
    top: float

    def clip(self, outer: _Rect) -> _Rect:
        return _Rect(
            max(self.left, outer.left),
            max(self.bottom, outer.bottom),
            min(self.right, outer.right),
            min(self.top, outer.top),
        )

    def size(self, *, turned: bool) -> tuple[float, float]:
        width, height = max(self.right - self.left, 0.0), max(self.top - self.bottom, 0.0)
        return (height, width) if turned else (width, height)

    def margin_inside(self, outer: _Rect) -> float:
        """How far ``outer`` reaches beyond this box on its narrowest side (negative: it falls short)."""
        return min(
            self.left - outer.left, self.bottom - outer.bottom, outer.right - self.right, outer.top - self.top
        )


@dataclass(frozen=True)
class _Geometry:
    visible: _Rect
    trim: _Rect | None
    bleed: _Rect
    turned: bool  # /Rotate is a quarter or three quarters of a turn


def check_pdf(path: Path, expectation: Expectation) -> tuple[int | None, list[Finding]]:
    """The page count (None when the file cannot be opened) and every finding."""
    try:
        pdf = pikepdf.open(path)
    except pikepdf.PasswordError:
        return None, [_encrypted(needs_password=True)]
    except pikepdf.PdfError as exc:
        return None, [Finding(ERROR, "unreadable", f"the PDF cannot be opened: {_reason(exc, path)}")]
    with pdf:
        findings = [_encrypted(needs_password=False)] if pdf.is_encrypted else []
        try:
            pages = len(pdf.pages)
            page_findings = [
                finding
                for number, page in enumerate(pdf.pages, start=1)
                for finding in _check_page(page, number, expectation)
            ]
        except pikepdf.PdfError as exc:  # a page tree too damaged to walk
            return None, [
                *findings,
                Finding(ERROR, "unreadable", f"the PDF's pages cannot be read: {_reason(exc, path)}"),
            ]
        if pages != expectation.pages:
            message = f"the PDF has {count(pages, 'page')}; expected {count(expectation.pages, 'page')}"
            findings.append(Finding(ERROR, "page_count", message))
        return pages, findings + _capped(page_findings)


def _encrypted(*, needs_password: bool) -> Finding:
    how = "needs a password to open" if needs_password else "is encrypted (even without a password)"
    return Finding(ERROR, "encrypted", f"the PDF {how}; save it again without encryption or restrictions")


def _reason(exc: pikepdf.PdfError, path: Path) -> str:
    # qpdf starts its messages with the file name; the person who sent the file needs only the rest.
    return re.sub(rf"^{re.escape(str(path))}:\s*", "", str(exc)) or type(exc).__name__


def _check_page(page: pikepdf.Page, number: int, expectation: Expectation) -> list[Finding]:
    try:
        geometry = _geometry(page)
    except _BadPage as exc:
        return [Finding(ERROR, "unreadable", f"page {number} {exc}", page=number)]
    if geometry.trim is None:
        return _check_page_size(geometry, number, expectation)
    return _check_trim(geometry, geometry.trim, number, expectation)


def _geometry(page: pikepdf.Page) -> _Geometry:
    entries = page.obj
    unit = _number(entries.get("/UserUnit"), default=1.0, what="UserUnit")
    if unit <= 0:
        raise _BadPage(f"has an invalid UserUnit {unit:g}")
    media = _box(entries, "/MediaBox", unit)
    if media is None:
        raise _BadPage("has no MediaBox")
    crop = _box(entries, "/CropBox", unit)
    visible = crop.clip(media) if crop is not None else media
    bleed = _box(entries, "/BleedBox", unit)
    rotate = int(_number(entries.get("/Rotate"), default=0.0, what="Rotate"))
    return _Geometry(
        visible=visible,
        trim=_box(entries, "/TrimBox", unit),
        bleed=bleed.clip(media) if bleed is not None else visible,
        turned=rotate % 180 == 90,  # Python's % makes -90 and 450 a quarter turn as well
    )


def _box(entries: pikepdf.Dictionary | pikepdf.Object, key: str, unit: float) -> _Rect | None:
    value = entries.get(key)
    if value is None:
        return None
    try:
        x0, y0, x1, y1 = (float(number) * unit * POINT_MM for number in value.as_list())
    except (TypeError, ValueError, AttributeError, pikepdf.PdfError) as exc:
        raise _BadPage(f"has an invalid {key[1:]}") from exc
    return _Rect(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


def _number(value: pikepdf.Object | None, *, default: float, what: str) -> float:
    if value is None:
        return default
    try:
        return float(value)
    except (TypeError, ValueError, pikepdf.PdfError) as exc:
        raise _BadPage(f"has an invalid {what}") from exc


def _check_page_size(geometry: _Geometry, number: int, expectation: Expectation) -> list[Finding]:
    measured = geometry.visible.size(turned=geometry.turned)
    expected = expectation.size_mm
    if fits(measured, expected, expectation.tolerance_mm):
        return []
    message = (
        f"page {number} measures {size(*measured)}; expected {size(*expected)} "
        f"(± {plain(expectation.tolerance_mm)} mm){_including(expectation)}"
    )
    if expectation.bleed_mm > 0 and fits(measured, expectation.trim_mm, expectation.tolerance_mm):
        message += f": it has the trimmed size, so add {plain(expectation.bleed_mm)} mm bleed on every side"
    elif fits((measured[1], measured[0]), expected, expectation.tolerance_mm):
        message += ": it is turned a quarter; rotate it to the product's orientation"
    return [_page_finding("page_size", message, number, measured, expected)]


def _check_trim(geometry: _Geometry, trim: _Rect, number: int, expectation: Expectation) -> list[Finding]:
    findings = []
    measured, expected = trim.size(turned=geometry.turned), expectation.trim_mm
    if not fits(measured, expected, expectation.tolerance_mm):
        message = (
            f"page {number} has a TrimBox of {size(*measured)}; expected the trimmed size {size(*expected)} "
            f"(± {plain(expectation.tolerance_mm)} mm), that is {size(*expectation.size_mm)} "
            f"less {plain(expectation.bleed_mm)} mm bleed on every side"
        )
        findings.append(_page_finding("page_size", message, number, measured, expected))
    margin = trim.margin_inside(geometry.bleed)
    if margin < float(expectation.bleed_mm - expectation.tolerance_mm) - 1e-6:
        message = (
            f"page {number} has {mm(max(margin, 0.0))} mm bleed beyond its TrimBox on its narrowest "
            f"side; expected {plain(expectation.bleed_mm)} mm on every side "
            f"(± {plain(expectation.tolerance_mm)} mm)"
        )
        bleed_size = geometry.bleed.size(turned=geometry.turned)
        findings.append(_page_finding("bleed", message, number, bleed_size, expectation.size_mm))
    return findings


def _including(expectation: Expectation) -> str:
    return f", including {plain(expectation.bleed_mm)} mm bleed" if expectation.bleed_mm > 0 else ""


def _page_finding(
    code: str, message: str, number: int, measured: tuple[float, float], expected: tuple[float, float]
) -> Finding:
    return Finding(
        ERROR, code, message, page=number, measured_mm=rounded(measured), expected_mm=rounded(expected)
    )


def _capped(findings: list[Finding]) -> list[Finding]:
    """The first ``PAGE_FINDINGS_LIMIT`` page findings, then one summary per kind of problem left out."""
    if len(findings) <= PAGE_FINDINGS_LIMIT:
        return findings
    kept, rest = findings[:PAGE_FINDINGS_LIMIT], findings[PAGE_FINDINGS_LIMIT:]
    summaries = []
    for code in dict.fromkeys(finding.code for finding in rest):
        pages = sorted({finding.page for finding in rest if finding.code == code and finding.page})
        listed = f"pages {pages[0]}–{pages[-1]}" if len(pages) > 1 else f"page {pages[0]}"
        message = (
            f"and {count(len(pages), 'more page')} with {_SUMMARY[code]} ({listed}, not listed one by one)"
        )
        summaries.append(Finding(ERROR, code, message))
    return kept + summaries
