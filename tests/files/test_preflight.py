"""Preflight of real PDFs, PNGs and JPEGs against a product's file spec (spec §3.7, §3.11; issue 4)."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import subprocess
import sys
import warnings
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from PIL import Image

from printapi.files import preflight, preflight_image
from printapi.files.preflight import Expectation, Finding, Result, check_file, run_preflight, sniff
from tests.files.make_files import (
    make_corrupt_pdf,
    make_handmade_png,
    make_jpeg,
    make_pdf,
    make_png,
    make_png_bomb,
    pixels_for,
    truncate,
)

D = Decimal
A4_BLEED = (216.0, 303.0)  # boek_hc_a4_*: A4 plus 3 mm bleed on every side
A4 = (210.0, 297.0)
POSTER = (50.0, 70.0)  # a small poster keeps the images small and the tests fast


def book(*, pages: int = 2, **changes: Any) -> Expectation:
    """The content file of an A4 book: 216 × 303 mm including 3 mm bleed, PDF only."""
    expectation = Expectation(
        file_id="content", accepts=("PDF",), width_mm=D(216), height_mm=D(303), bleed_mm=D(3), pages=pages
    )
    return dataclasses.replace(expectation, **changes)


def poster(**changes: Any) -> Expectation:
    """A 50 × 70 mm poster (3 mm bleed included) that takes PNG and JPEG."""
    expectation = Expectation(
        file_id="content", accepts=("PNG", "JPEG"), width_mm=D(50), height_mm=D(70), bleed_mm=D(3), pages=1
    )
    return dataclasses.replace(expectation, **changes)


def check(path: Path, expectation: Expectation, declared_type: str | None = None) -> Result:
    return check_file(path, expectation, declared_type=declared_type)


def codes(result: Result) -> list[str]:
    return [finding.code for finding in result.findings]


def only(result: Result, code: str) -> Finding:
    found = [finding for finding in result.findings if finding.code == code]
    assert len(found) == 1, result.findings
    return found[0]


class TestSniff:
    @pytest.mark.parametrize(
        ("head", "kind"),
        [
            (b"%PDF-1.7\n%\xe2\xe3", "PDF"),
            (b"\x00" * 100 + b"%PDF-1.4", "PDF"),  # readers accept junk before the header
            (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG"),
            (b"\xff\xd8\xff\xe0\x00\x10JFIF", "JPEG"),
            (b"GIF89a", None),
            (b"", None),
            (b"\x00" * 1024 + b"%PDF-1.4", None),  # too far in to be a header
        ],
    )
    def test_names_the_type_its_first_bytes_show(self, head: bytes, kind: str | None) -> None:
        assert sniff(head) == kind


class TestFilesThatAreNotPrintFiles:
    def test_zero_bytes_is_empty(self, tmp_path: Path) -> None:
        empty = tmp_path / "empty.pdf"
        empty.write_bytes(b"")
        result = check(empty, book(), "PDF")
        assert (result.file_type, codes(result), result.ok) == (None, ["empty"], False)

    def test_unknown_bytes_are_unreadable_and_of_no_type(self, tmp_path: Path) -> None:
        gif = tmp_path / "image.gif"
        gif.write_bytes(b"GIF89a" + bytes(200))
        result = check(gif, book(), "PDF")
        assert (result.file_type, codes(result)) == (None, ["unreadable"])
        assert "not a PDF, PNG or JPEG" in result.findings[0].message

    def test_a_missing_file_is_a_finding_not_an_exception(self, tmp_path: Path) -> None:
        assert codes(check(tmp_path / "gone.pdf", book())) == ["unreadable"]


class TestTypes:
    def test_a_type_the_slot_does_not_take_is_refused_without_measuring_it(self, tmp_path: Path) -> None:
        png = make_png(tmp_path / "page.png", size_px=(100, 100))
        result = check(png, book(), "PNG")
        assert (result.file_type, codes(result)) == ("PNG", ["type_not_accepted"])
        assert result.findings[0].message == "the file is a PNG; the content file of this product must be PDF"

    def test_a_file_sent_as_another_type_is_a_mismatch_and_still_checked(self, tmp_path: Path) -> None:
        png = make_png(tmp_path / "poster.png", size_px=pixels_for(POSTER, 72))
        result = check(png, poster(), "JPEG")
        assert codes(result) == ["type_mismatch", "resolution"]
        assert result.findings[0].message == "the file was sent as JPEG but is a PNG"

    def test_no_declared_type_means_no_mismatch(self, tmp_path: Path) -> None:
        png = make_png(tmp_path / "poster.png", size_px=pixels_for(POSTER, 300))
        assert check(png, poster(), None) == Result("PNG", 1, ())

    def test_the_accepted_types_are_named_in_the_refusal(self, tmp_path: Path) -> None:
        pdf = make_pdf(tmp_path / "poster.pdf", size_mm=POSTER)
        message = only(check(pdf, poster(), "PDF"), "type_not_accepted").message
        assert message.endswith("must be PNG or JPEG")


class TestPdfPageSize:
    def test_pages_of_the_size_including_bleed_pass(self, tmp_path: Path) -> None:
        pdf = make_pdf(tmp_path / "book.pdf", size_mm=A4_BLEED, pages=24)
        assert check(pdf, book(pages=24), "PDF") == Result("PDF", 24, ())

    def test_a_page_without_bleed_names_page_sizes_and_the_missing_bleed(self, tmp_path: Path) -> None:
        pdf = make_pdf(tmp_path / "book.pdf", size_mm=A4_BLEED, pages=4, odd_pages_mm={3: A4})
        result = check(pdf, book(pages=4), "PDF")
        finding = only(result, "page_size")
        assert finding.message == (
            "page 3 measures 210.0 × 297.0 mm; expected 216.0 × 303.0 mm (± 1 mm), including 3 mm bleed: "
            "it has the trimmed size, so add 3 mm bleed on every side"
        )
        assert (finding.page, finding.measured_mm, finding.expected_mm) == (3, A4, A4_BLEED)

    def test_a_page_of_another_size_is_wrong(self, tmp_path: Path) -> None:
        pdf = make_pdf(tmp_path / "letter.pdf", size_mm=(215.9, 279.4))
        finding = only(check(pdf, book(pages=1)), "page_size")
        assert finding.message == (
            "page 1 measures 215.9 × 279.4 mm; expected 216.0 × 303.0 mm (± 1 mm), including 3 mm bleed"
        )

    @pytest.mark.parametrize(("off_mm", "ok"), [(0.9, True), (-0.9, True), (1.2, False), (-1.2, False)])
    def test_one_millimetre_either_way_is_tolerated(self, tmp_path: Path, off_mm: float, ok: bool) -> None:
        pdf = make_pdf(tmp_path / "book.pdf", size_mm=(216 + off_mm, 303 - off_mm))
        assert check(pdf, book(pages=1)).ok is ok

    def test_the_tolerance_is_the_expectations(self, tmp_path: Path) -> None:
        pdf = make_pdf(tmp_path / "book.pdf", size_mm=(217.5, 303))
        assert not check(pdf, book(pages=1)).ok
        assert check(pdf, book(pages=1, tolerance_mm=D(2))).ok

    def test_a_wrong_page_count_names_both_counts_and_pages_are_still_measured(self, tmp_path: Path) -> None:
        pdf = make_pdf(tmp_path / "book.pdf", size_mm=A4, pages=3)
        result = check(pdf, book(pages=24), "PDF")
        assert result.pages == 3
        assert codes(result) == ["page_count", "page_size", "page_size", "page_size"]
        assert result.findings[0].message == "the PDF has 3 pages; expected 24 pages"

    def test_a_cover_is_one_page_of_the_width_grown_by_the_spine(self, tmp_path: Path) -> None:
        cover = book(file_id="cover", width_mm=D("649.36"), height_mm=D(253), bleed_mm=D(19), pages=1)
        assert check(make_pdf(tmp_path / "cover.pdf", size_mm=(649.4, 253)), cover).ok
        result = check(make_pdf(tmp_path / "old.pdf", size_mm=(646, 253)), cover)
        assert codes(result) == ["page_size"]
        assert "expected 649.4 × 253.0 mm" in result.findings[0].message

    def test_a_long_file_of_the_wrong_size_lists_twenty_pages_and_sums_up_the_rest(
        self, tmp_path: Path
    ) -> None:
        pdf = make_pdf(tmp_path / "book.pdf", size_mm=A4, pages=500)
        result = check(pdf, book(pages=500), "PDF")
        assert codes(result) == ["page_size"] * 21
        assert [finding.page for finding in result.findings[:20]] == list(range(1, 21))
        summary = result.findings[20]
        assert summary.page is None
        assert (
            summary.message
            == "and 480 more pages with a wrong page size (pages 21–500, not listed one by one)"
        )


class TestPdfRotation:
    def test_a_landscape_page_turned_a_quarter_measures_as_portrait(self, tmp_path: Path) -> None:
        pdf = make_pdf(tmp_path / "turned.pdf", size_mm=(303, 216), pages=2, rotate=90)
        assert check(pdf, book()).ok

    def test_a_portrait_page_turned_a_quarter_is_landscape_and_wrong(self, tmp_path: Path) -> None:
        pdf = make_pdf(tmp_path / "turned.pdf", size_mm=A4_BLEED, pages=2, rotate=90)
        result = check(pdf, book())
        assert codes(result) == ["page_size", "page_size"]
        assert result.findings[0].measured_mm == (303.0, 216.0)
        assert result.findings[0].message.endswith(
            "it is turned a quarter; rotate it to the product's orientation"
        )

    @pytest.mark.parametrize("rotate", [270, -90, -270, 450, 630])
    def test_every_quarter_turn_counts_negative_and_past_a_full_turn(
        self, tmp_path: Path, rotate: int
    ) -> None:
        landscape = make_pdf(tmp_path / "landscape.pdf", size_mm=(303, 216), rotate=rotate)
        portrait = make_pdf(tmp_path / "portrait.pdf", size_mm=A4_BLEED, rotate=rotate)
        assert (check(landscape, book(pages=1)).ok, check(portrait, book(pages=1)).ok) == (True, False)

    @pytest.mark.parametrize("rotate", [180, -180, 360])
    def test_a_half_or_full_turn_keeps_the_size(self, tmp_path: Path, rotate: int) -> None:
        assert check(make_pdf(tmp_path / "page.pdf", size_mm=A4_BLEED, rotate=rotate), book(pages=1)).ok

    def test_mediabox_and_rotate_inherited_from_the_pages_node_are_honoured(self, tmp_path: Path) -> None:
        pdf = make_pdf(tmp_path / "inherited.pdf", size_mm=(303, 216), pages=2, rotate=90, inherited=True)
        raw = pdf.read_bytes()
        assert (raw.count(b"/MediaBox"), raw.count(b"/Rotate")) == (1, 1)  # only on the parent
        assert check(pdf, book()).ok
        unturned = make_pdf(tmp_path / "unturned.pdf", size_mm=(303, 216), pages=2, inherited=True)
        assert codes(check(unturned, book())) == ["page_size", "page_size"]


class TestPdfBoxes:
    def test_a_trimbox_of_the_trimmed_size_with_enough_bleed_around_it_passes(self, tmp_path: Path) -> None:
        # Printer's marks: a MediaBox 10 mm larger than trim + bleed, the TrimBox 8 mm in.
        pdf = make_pdf(tmp_path / "marks.pdf", size_mm=(226, 313), pages=2, trim_inset_mm=8)
        assert check(pdf, book()).ok

    def test_too_little_bleed_beyond_the_trimbox_is_a_bleed_finding(self, tmp_path: Path) -> None:
        pdf = make_pdf(tmp_path / "thin.pdf", size_mm=(212, 299), pages=2, trim_inset_mm=1)
        result = check(pdf, book())
        assert codes(result) == ["bleed", "bleed"]
        finding = result.findings[1]
        assert finding.page == 2
        assert finding.message == (
            "page 2 has 1.0 mm bleed beyond its TrimBox on its narrowest side; "
            "expected 3 mm on every side (± 1 mm)"
        )

    def test_the_bleedbox_bounds_the_bleed_when_there_is_one(self, tmp_path: Path) -> None:
        # MediaBox leaves 8 mm around the trim, but the BleedBox only 1 mm.
        pdf = make_pdf(tmp_path / "bleedbox.pdf", size_mm=(226, 313), trim_inset_mm=8, bleed_inset_mm=7)
        assert codes(check(pdf, book(pages=1))) == ["bleed"]
        generous = make_pdf(tmp_path / "generous.pdf", size_mm=(226, 313), trim_inset_mm=8, bleed_inset_mm=5)
        assert check(generous, book(pages=1)).ok

    def test_a_trimbox_of_the_wrong_size_is_a_page_size_finding(self, tmp_path: Path) -> None:
        # A5 trim (148 × 210) with 3 mm bleed, checked against the A4 book.
        pdf = make_pdf(tmp_path / "a5.pdf", size_mm=(154, 216), trim_inset_mm=3)
        finding = only(check(pdf, book(pages=1)), "page_size")
        assert finding.message == (
            "page 1 has a TrimBox of 148.0 × 210.0 mm; expected the trimmed size 210.0 × 297.0 mm (± 1 mm), "
            "that is 216.0 × 303.0 mm less 3 mm bleed on every side"
        )

    def test_without_a_trimbox_the_cropbox_is_the_page(self, tmp_path: Path) -> None:
        pdf = make_pdf(tmp_path / "cropped.pdf", size_mm=(236, 323), crop_inset_mm=10)
        assert check(pdf, book(pages=1)).ok
        uncropped = make_pdf(tmp_path / "uncropped.pdf", size_mm=(236, 323))
        assert not check(uncropped, book(pages=1)).ok

    @pytest.mark.parametrize(
        ("key", "value"),
        [
            ("/CropBox", pikepdf.Array([0, 0, 100])),
            ("/TrimBox", pikepdf.Array([0, 0, pikepdf.Name.X, 100])),
            ("/UserUnit", pikepdf.Name.Big),
            ("/Rotate", pikepdf.String("quarter")),
        ],
    )
    def test_a_page_with_a_broken_entry_is_reported_by_number(
        self, tmp_path: Path, key: str, value: pikepdf.Object
    ) -> None:
        path = make_pdf(tmp_path / "broken.pdf", size_mm=A4_BLEED, pages=3)
        with pikepdf.open(path, allow_overwriting_input=True) as pdf:
            pdf.pages[1].obj[key] = value
            pdf.save(path)
        finding = only(check(path, book(pages=3)), "unreadable")
        assert (finding.page, finding.message) == (2, f"page 2 has an invalid {key[1:]}")

    def test_a_broken_mediabox_is_replaced_by_qpdf_with_letter_size_and_so_measures_wrong(
        self, tmp_path: Path
    ) -> None:
        path = make_pdf(tmp_path / "broken.pdf", size_mm=A4_BLEED, pages=3)
        with pikepdf.open(path, allow_overwriting_input=True) as pdf:
            pdf.pages[1].obj.MediaBox = pikepdf.Array([0, 0, 100])
            pdf.save(path)
        finding = only(check(path, book(pages=3)), "page_size")
        assert (finding.page, finding.measured_mm) == (2, (215.9, 279.4))


class TestPdfUserUnit:
    def test_a_half_size_mediabox_in_units_of_two_points_measures_full_size(self, tmp_path: Path) -> None:
        pdf = make_pdf(tmp_path / "unit2.pdf", size_mm=A4_BLEED, pages=2, user_unit=2)
        assert pdf.read_bytes().count(b"/UserUnit 2") == 2
        assert check(pdf, book()).ok

    def test_the_same_box_without_the_unit_is_half_the_size(self, tmp_path: Path) -> None:
        path = make_pdf(tmp_path / "unit2.pdf", size_mm=A4_BLEED, user_unit=2)
        with pikepdf.open(path, allow_overwriting_input=True) as pdf:
            del pdf.pages[0].obj["/UserUnit"]
            pdf.save(path)
        assert only(check(path, book(pages=1)), "page_size").measured_mm == (108.0, 151.5)

    def test_the_unit_applies_to_the_trimbox_too(self, tmp_path: Path) -> None:
        pdf = make_pdf(tmp_path / "unit3.pdf", size_mm=(226, 313), trim_inset_mm=8, user_unit=3)
        assert check(pdf, book(pages=1)).ok


class TestPdfThatCannotBePrinted:
    @pytest.mark.parametrize("user_password", ["", "secret"], ids=["empty user password", "user password"])
    def test_an_encrypted_pdf_is_refused(self, tmp_path: Path, user_password: str) -> None:
        encryption = pikepdf.Encryption(owner="owner", user=user_password)
        pdf = make_pdf(tmp_path / "locked.pdf", size_mm=A4_BLEED, pages=2, encryption=encryption)
        result = check(pdf, book(), "PDF")
        assert (result.file_type, codes(result)) == ("PDF", ["encrypted"])

    def test_random_bytes_after_a_pdf_header_are_unreadable_and_the_reason_names_no_server_path(
        self, tmp_path: Path
    ) -> None:
        pdf = make_corrupt_pdf(tmp_path / "corrupt.pdf")
        result = check(pdf, book(), "PDF")
        assert (result.file_type, result.pages, codes(result)) == ("PDF", None, ["unreadable"])
        message = result.findings[0].message
        assert message.startswith("the PDF cannot be opened: ")
        assert str(tmp_path) not in message

    def test_a_pdf_cut_off_before_its_cross_reference_table_is_repaired_and_passes(
        self, tmp_path: Path
    ) -> None:
        pdf = truncate(make_pdf(tmp_path / "cut.pdf", size_mm=A4_BLEED, pages=2), before=b"\nxref")
        assert b"xref" not in pdf.read_bytes()  # neither the table nor startxref
        assert check(pdf, book(), "PDF") == Result("PDF", 2, ())

    def test_a_pdf_behind_a_few_bytes_of_junk_is_found_and_read(self, tmp_path: Path) -> None:
        pdf = make_pdf(tmp_path / "mailed.pdf", size_mm=A4_BLEED, pages=2)
        pdf.write_bytes(b"junk from a mail gateway\n" * 4 + pdf.read_bytes())
        assert check(pdf, book(), "PDF") == Result("PDF", 2, ())

    def test_a_pdf_cut_off_after_its_header_cannot_be_repaired(self, tmp_path: Path) -> None:
        pdf = truncate(make_pdf(tmp_path / "cut.pdf", size_mm=A4_BLEED, pages=2), keep=60)
        assert codes(check(pdf, book(), "PDF")) == ["unreadable"]


class TestImages:
    @pytest.mark.parametrize("kind", ["PNG", "JPEG"])
    def test_the_right_aspect_at_300_dpi_passes_without_findings(self, tmp_path: Path, kind: str) -> None:
        maker = make_png if kind == "PNG" else make_jpeg
        image = maker(tmp_path / "poster", size_px=pixels_for(POSTER, 300))
        assert check(image, poster(), kind) == Result(kind, 1, ())

    def test_150_dpi_passes_with_a_warning_naming_the_dpi_and_print_size(self, tmp_path: Path) -> None:
        png = make_png(tmp_path / "poster.png", size_px=pixels_for(POSTER, 150))
        result = check(png, poster(), "PNG")
        assert result.ok
        finding = only(result, "resolution")
        assert (finding.severity, round(finding.dpi or 0)) == ("warning", 150)
        assert finding.message == (
            "the image is 296 × 414 px, which is 150 dpi at the print size of 50.0 × 70.0 mm; "
            "300 dpi (591 × 827 px) prints sharper"
        )

    def test_72_dpi_is_an_error(self, tmp_path: Path) -> None:
        png = make_png(tmp_path / "poster.png", size_px=pixels_for(POSTER, 72))
        result = check(png, poster(), "PNG")
        finding = only(result, "resolution")
        assert (result.ok, finding.severity, round(finding.dpi or 0)) == (False, "error", 72)
        assert finding.message.endswith("at least 150 dpi (296 × 414 px) is needed")

    def test_the_files_own_dpi_metadata_is_ignored(self, tmp_path: Path) -> None:
        png = tmp_path / "claims.png"
        Image.new("RGB", pixels_for(POSTER, 72)).save(png, dpi=(600, 600))
        assert only(check(png, poster()), "resolution").severity == "error"

    def test_a_cmyk_jpeg_passes(self, tmp_path: Path) -> None:
        jpeg = make_jpeg(tmp_path / "cmyk.jpg", size_px=pixels_for(POSTER, 300), mode="CMYK")
        with Image.open(jpeg) as image:
            assert image.mode == "CMYK"
        assert check(jpeg, poster(), "JPEG") == Result("JPEG", 1, ())

    def test_the_wrong_aspect_ratio_is_an_error(self, tmp_path: Path) -> None:
        png = make_png(tmp_path / "square.png", size_px=(827, 827))
        finding = only(check(png, poster()), "aspect_ratio")
        assert finding.message == (
            "the image is 827 × 827 px, an aspect ratio of 1.000; "
            "the print size 50.0 × 70.0 mm needs 0.714 (± 1 %)"
        )

    def test_within_one_percent_the_aspect_ratio_is_fine(self, tmp_path: Path) -> None:
        width, height = pixels_for(POSTER, 300)
        assert check(make_png(tmp_path / "a.png", size_px=(width + 5, height)), poster()).ok  # 0.85 %
        assert not check(make_png(tmp_path / "b.png", size_px=(width + 8, height)), poster()).ok  # 1.35 %

    def test_portrait_pixels_stored_landscape_with_exif_orientation_6_pass(self, tmp_path: Path) -> None:
        width, height = pixels_for(POSTER, 300)
        jpeg = make_jpeg(tmp_path / "phone.jpg", size_px=(height, width), orientation=6)
        assert check(jpeg, poster(), "JPEG") == Result("JPEG", 1, ())

    def test_the_same_pixels_without_the_orientation_are_turned_the_wrong_way(self, tmp_path: Path) -> None:
        width, height = pixels_for(POSTER, 300)
        jpeg = make_jpeg(tmp_path / "landscape.jpg", size_px=(height, width), orientation=1)
        finding = only(check(jpeg, poster(), "JPEG"), "aspect_ratio")
        assert finding.message.endswith("it is turned a quarter; rotate it to the product's orientation")

    @pytest.mark.parametrize("kind", ["PNG", "JPEG"])
    def test_a_truncated_image_is_unreadable(self, tmp_path: Path, kind: str) -> None:
        maker = make_png if kind == "PNG" else make_jpeg
        image = maker(tmp_path / "cut", size_px=pixels_for(POSTER, 300))
        truncate(image, keep=image.stat().st_size * 2 // 3)
        result = check(image, poster(), kind)
        assert (result.file_type, codes(result)) == (kind, ["unreadable"])
        assert "truncated" in result.findings[0].message

    def test_a_png_with_a_damaged_byte_is_unreadable(self, tmp_path: Path) -> None:
        png = make_png(tmp_path / "damaged.png", size_px=pixels_for(POSTER, 300))
        data = bytearray(png.read_bytes())
        data[len(data) // 2] ^= 0xFF  # inside the pixel data
        png.write_bytes(bytes(data))
        assert "pixel data is damaged" in only(check(png, poster()), "unreadable").message

    def test_a_png_whose_chunk_fails_its_crc_is_unreadable(self, tmp_path: Path) -> None:
        png = make_png(tmp_path / "damaged.png", size_px=pixels_for(POSTER, 300))
        data = bytearray(png.read_bytes())
        data[-1] ^= 0xFF  # the last byte of the IEND chunk's CRC
        png.write_bytes(bytes(data))
        assert "IEND chunk is damaged (CRC mismatch)" in only(check(png, poster()), "unreadable").message

    def test_an_interlaced_png_is_read_whole(self, tmp_path: Path) -> None:
        png = make_handmade_png(tmp_path / "adam7.png", size_px=pixels_for(POSTER, 300), interlaced=True)
        with Image.open(png) as image:
            image.load()  # Pillow, as a second opinion, agrees the file is whole
        assert check(png, poster()) == Result("PNG", 1, ())

    def test_pixel_data_shorter_than_the_header_says_is_unreadable(self, tmp_path: Path) -> None:
        # Valid CRCs, valid zlib, a sound-looking file, but 12 megapixels claimed over 1 KiB of data.
        png = make_png_bomb(tmp_path / "short.png", width=4100, height=2929)
        assert "pixel data is incomplete" in only(check(png, poster()), "unreadable").message


class TestDecompressionBombs:
    def test_a_png_claiming_ten_gigapixels_is_refused_from_its_header(self, tmp_path: Path) -> None:
        png = make_png_bomb(tmp_path / "bomb.png", width=100_000, height=100_000)
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # nothing may leak, also not Pillow's own warning
            result = check(png, poster(), "PNG")
        finding = only(result, "image_too_large")
        assert finding.message == (
            "the image is 100000 × 100000 px (10,000.0 megapixels); at most 250.0 megapixels are accepted, "
            "and 300 dpi at the print size of 50.0 × 70.0 mm needs only 591 × 827 px"
        )
        assert codes(result) == ["image_too_large"]

    def test_the_limit_is_the_expectations_and_pillows_default_is_left_alone(self, tmp_path: Path) -> None:
        default = Image.MAX_IMAGE_PIXELS
        png = make_png(tmp_path / "poster.png", size_px=pixels_for(POSTER, 300))
        assert check(png, poster(max_pixels=591 * 827)).ok
        assert codes(check(png, poster(max_pixels=591 * 827 - 1))) == ["image_too_large"]
        assert default == Image.MAX_IMAGE_PIXELS

    def test_pillows_own_guard_stands_behind_the_header_check(self, tmp_path: Path) -> None:
        # The decoding step on its own (the header check skipped) still refuses the image.
        jpeg = make_jpeg(tmp_path / "poster.jpg", size_px=pixels_for(POSTER, 300))
        header = preflight_image._read_header(jpeg, "JPEG")
        finding = preflight_image._decode_problem(jpeg, "JPEG", header, poster(max_pixels=1000))
        assert finding is not None
        assert finding.code == "image_too_large"
        assert preflight_image._decode_problem(jpeg, "JPEG", header, poster()) is None


class TestResultAsJson:
    def test_findings_have_camel_case_keys_and_leave_out_what_is_unknown(self) -> None:
        finding = Finding("error", "page_size", "page 3 …", page=3, measured_mm=A4, expected_mm=A4_BLEED)
        assert finding.as_dict() == {
            "severity": "error",
            "code": "page_size",
            "message": "page 3 …",
            "page": 3,
            "measuredMm": [210.0, 297.0],
            "expectedMm": [216.0, 303.0],
        }
        assert Finding("warning", "resolution", "…", dpi=212.4).as_dict() == {
            "severity": "warning",
            "code": "resolution",
            "message": "…",
            "dpi": 212.4,
        }

    def test_a_result_survives_a_round_trip_through_json(self) -> None:
        result = Result(
            "PDF",
            3,
            (
                Finding("error", "page_count", "the PDF has 3 pages; expected 24 pages"),
                Finding(
                    "error", "bleed", "page 2 …", page=2, measured_mm=(212.0, 299.0), expected_mm=A4_BLEED
                ),
                Finding("warning", "resolution", "…", dpi=150.2),
            ),
        )
        data = json.loads(json.dumps(result.as_dict()))
        assert data["ok"] is False
        assert Result.from_dict(data) == result

    def test_an_expectation_survives_a_round_trip_through_json(self) -> None:
        expectation = book(width_mm=D("649.36"), tolerance_mm=D("0.5"), max_pixels=10)
        assert Expectation.from_dict(json.loads(json.dumps(expectation.as_dict()))) == expectation

    def test_only_errors_make_a_result_not_ok(self) -> None:
        assert Result("PNG", 1, (Finding("warning", "resolution", "…"),)).ok
        assert not Result("PNG", 1, (Finding("error", "resolution", "…"),)).ok


def all_child_processes() -> set[int]:
    """The live (not yet reaped) child processes of this test process (Linux)."""
    tasks = Path("/proc/self/task").iterdir()
    return {int(pid) for task in tasks for pid in (task / "children").read_text().split()}


@pytest.fixture
def child_processes() -> Callable[[], set[int]]:
    """The test's live children: those of this process but the ones it had before (a server that
    another test file of the same pytest worker keeps running, such as the S3 server)."""
    before = all_child_processes()
    return lambda: all_child_processes() - before


class TestInAChildProcess:
    async def test_a_good_file_passes(self, tmp_path: Path) -> None:
        pdf = make_pdf(tmp_path / "book.pdf", size_mm=A4_BLEED, pages=2)
        assert await run_preflight(pdf, book(), declared_type="PDF") == Result("PDF", 2, ())

    async def test_a_bad_file_comes_back_with_every_finding(self, tmp_path: Path) -> None:
        pdf = make_pdf(tmp_path / "book.pdf", size_mm=A4, pages=3)
        result = await run_preflight(pdf, book(), declared_type="PDF")
        assert result == check(pdf, book(), "PDF")
        assert codes(result) == ["page_count", "page_size", "page_size", "page_size"]

    async def test_the_child_is_killed_when_the_time_is_up(
        self, tmp_path: Path, child_processes: Callable[[], set[int]]
    ) -> None:
        # A real child cannot even start Python within a millisecond.
        pdf = make_pdf(tmp_path / "book.pdf", size_mm=A4_BLEED, pages=2)
        result = await run_preflight(pdf, book(), declared_type="PDF", timeout_seconds=0.001)
        assert (result.file_type, codes(result)) == ("PDF", ["timeout"])
        assert result.findings[0].message == "the file could not be checked within 0.001 seconds"
        assert child_processes() == set()

    async def test_a_cancelled_check_takes_its_child_with_it(
        self, tmp_path: Path, child_processes: Callable[[], set[int]]
    ) -> None:
        pdf = make_pdf(tmp_path / "book.pdf", size_mm=A4_BLEED, pages=2)
        task = asyncio.create_task(run_preflight(pdf, book(), declared_type="PDF"))
        for _ in range(2000):  # until the child runs (it needs far longer than this to finish)
            if child_processes():
                break
            await asyncio.sleep(0.001)
        assert child_processes()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert child_processes() == set()

    async def test_a_file_that_needs_more_memory_than_allowed_is_not_checked(self, tmp_path: Path) -> None:
        # One 4 MB IDAT chunk: reading it needs fresh memory, which a 1 MB address-space limit
        # (far below what the interpreter already holds) cannot give; without the limit it passes.
        png = make_handmade_png(tmp_path / "noise.png", size_px=(1000, 1400), noise_seed=7)
        assert (await run_preflight(png, poster(), declared_type="PNG")).ok
        result = await run_preflight(png, poster(), declared_type="PNG", memory_mb=1)
        assert (result.file_type, codes(result)) == ("PNG", ["unreadable"])
        assert result.findings[0].message == (
            "the file could not be checked: checking it needs more than 1 MB of memory"
        )

    async def test_a_child_that_gives_no_result_makes_the_file_unreadable(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(preflight, "CHILD_MODULE", "tests.files.make_files")  # runs, prints nothing
        pdf = make_pdf(tmp_path / "book.pdf", size_mm=A4_BLEED, pages=2)
        result = await run_preflight(pdf, book(), declared_type="PDF")
        assert codes(result) == ["unreadable"]
        assert (
            result.findings[0].message
            == "the file could not be checked: the checker failed (it gave no result)"
        )

    def test_the_module_runs_as_a_program(self, tmp_path: Path) -> None:
        pdf = make_pdf(tmp_path / "book.pdf", size_mm=A4_BLEED, pages=2)
        request = {
            "path": str(pdf),
            "expectation": book().as_dict(),
            "declaredType": "PDF",
            "memoryMb": 512,
            "cpuSeconds": 10,
        }
        done = subprocess.run(
            [sys.executable, "-m", "printapi.files.preflight"],
            input=json.dumps(request).encode(),
            capture_output=True,
            check=True,
            timeout=30,
        )
        assert json.loads(done.stdout) == {"ok": True, "fileType": "PDF", "pages": 2, "findings": []}
