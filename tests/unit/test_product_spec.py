"""What a product is and the rules that follow from it (spec §3.2, §3.7)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from printapi.catalogue.spec import ProductSpec
from tests.unit.builders import (
    STANDARD_ONLY,
    content_file,
    cover_file,
    make_fixed_spec,
    make_option,
    make_spec,
    product,
    seed_products,
)

D = Decimal


class TestVariablePageCount:
    @pytest.mark.parametrize("pages", [24, 26, 100, 198, 200])
    def test_a_count_in_range_and_on_the_increment_is_taken(self, pages: int) -> None:
        assert make_spec().page_count_for(pages) == pages

    def test_a_variable_product_requires_a_count(self) -> None:
        with pytest.raises(ValueError, match=r"^is required for test_book \(a variable page count\)$"):
            make_spec().page_count_for(None)

    @pytest.mark.parametrize("pages", [0, 22, 202, -2])
    def test_a_count_out_of_range_is_refused_with_the_range(self, pages: int) -> None:
        with pytest.raises(ValueError, match=r"^must be between 24 and 200 for test_book$"):
            make_spec().page_count_for(pages)

    @pytest.mark.parametrize("pages", [25, 199])
    def test_a_count_off_the_increment_is_refused_with_the_increment(self, pages: int) -> None:
        with pytest.raises(ValueError, match=r"^must be a multiple of 2 for test_book$"):
            make_spec().page_count_for(pages)

    def test_stapled_books_go_in_fours(self) -> None:
        spec = product("magazine_a4_sta")

        assert spec.page_count_for(12) == 12
        with pytest.raises(ValueError, match="multiple of 4"):
            spec.page_count_for(10)


class TestFixedPageCount:
    @pytest.mark.parametrize("pages", [None, 0, 1])
    def test_a_fixed_product_takes_null_zero_or_its_count(self, pages: int | None) -> None:
        assert make_fixed_spec().page_count_for(pages) == 1

    @pytest.mark.parametrize("pages", [2, -1, 24])
    def test_any_other_count_is_refused_with_the_allowed_values(self, pages: int) -> None:
        with pytest.raises(ValueError, match=r"^must be 1, 0 or left out for test_poster$"):
            make_fixed_spec().page_count_for(pages)

    def test_a_calendar_has_its_thirteen_pages(self) -> None:
        spec = product("kalender_a4_sta_13p")

        assert spec.page_count_for(None) == 13
        assert spec.page_count_for(13) == 13
        with pytest.raises(ValueError, match="must be 13, 0 or left out for kalender_a4_sta_13p"):
            spec.page_count_for(12)


class TestQuantity:
    @pytest.mark.parametrize("quantity", [1, 2, 1000])
    def test_a_quantity_within_the_bounds_is_fine(self, quantity: int) -> None:
        make_spec().check_quantity(quantity)

    @pytest.mark.parametrize("quantity", [0, -1, 1001])
    def test_a_quantity_outside_is_refused_with_the_bounds(self, quantity: int) -> None:
        with pytest.raises(ValueError, match=r"^must be between 1 and 1000 for test_book$"):
            make_spec().check_quantity(quantity)

    def test_the_bounds_are_the_product_s(self) -> None:
        spec = make_spec(min_quantity=10, max_quantity=20)

        spec.check_quantity(10)
        with pytest.raises(ValueError, match="between 10 and 20"):
            spec.check_quantity(9)


class TestExtraPages:
    def test_extra_pages_are_those_above_the_minimum(self) -> None:
        spec = make_spec()

        assert [spec.extra_pages(pages) for pages in (24, 26, 200)] == [0, 2, 176]

    def test_a_fixed_product_has_no_extra_pages(self) -> None:
        spec = make_fixed_spec(fixed_page_count=13)

        assert spec.first_page_count == 13
        assert [spec.extra_pages(pages) for pages in (0, 13, 40)] == [0, 0, 0]


class TestCoverWidth:
    @pytest.mark.parametrize(
        ("pages", "width"), [(24, "646.00"), (26, "646.14"), (100, "651.32"), (200, "658.32")]
    )
    def test_the_a4_landscape_cover_grows_by_the_paper_thickness_per_increment(
        self, pages: int, width: str
    ) -> None:
        # 646 + (pages − 24) / 2 × 0.14; 200 pages are 88 increments.
        assert str(product("boek_hc_a4_lig").cover_width(pages)) == width

    def test_a_product_without_a_cover_has_no_cover_width(self) -> None:
        assert product("poster_a3_sta").cover_width(1) is None
        assert product("magazine_a4_sta").cover_width(40) is None

    def test_a_cover_without_paper_thickness_keeps_its_width(self) -> None:
        spec = product("boek_wo_a5_sta")
        cover = spec.file("cover")

        assert cover is not None
        assert spec.cover_width(16) == spec.cover_width(200) == cover.width

    def test_a_made_up_book_grows_from_its_own_cover(self) -> None:
        spec = make_spec(paper_thickness="0.10", page_count_increment=4)

        assert spec.cover_width(24) == D("472.00")
        assert spec.cover_width(32) == D("472.20")

    @given(st.sampled_from([spec for spec in seed_products() if spec.paper_thickness is not None]), st.data())
    def test_each_increment_adds_exactly_the_paper_thickness(
        self, spec: ProductSpec, data: st.DataObject
    ) -> None:
        assert spec.min_page_count is not None
        assert spec.max_page_count is not None
        assert spec.page_count_increment is not None
        step = spec.page_count_increment
        pages = data.draw(st.sampled_from(range(spec.min_page_count, spec.max_page_count, step)))
        thinner, thicker = spec.cover_width(pages), spec.cover_width(pages + step)

        assert thinner is not None
        assert thicker is not None
        assert thicker - thinner == spec.paper_thickness


class TestWeight:
    def test_extra_pages_add_their_weight(self) -> None:
        spec = make_spec(weight_grams=100, weight_per_page_grams="1.50")

        assert spec.weight(24) == D("100")
        assert spec.weight(30) == D("109.00")

    def test_the_reference_book_weighs_its_pages(self) -> None:
        spec = product("boek_hc_a5_sta")

        assert spec.weight(32) == spec.weight(24) + 8 * spec.weight_per_page_grams
        assert spec.weight(32) > spec.weight(24)

    def test_a_fixed_product_weighs_the_same_whatever_the_count(self) -> None:
        spec = make_fixed_spec(weight_grams=122, weight_per_page_grams="2.00")

        assert {spec.weight(pages) for pages in (0, 1, 50)} == {D("122")}


def _invalid(builder: Any, **changes: Any) -> str:
    with pytest.raises(ValidationError) as caught:
        builder(**changes)
    return str(caught.value)


EXPRESS_ONLY = [{"speed": "Express", "days": 2, "limit_hour": 11}]
TWO_STANDARD = [*STANDARD_ONLY, *STANDARD_ONLY]


class TestConsistency:
    def test_the_builders_make_valid_specs(self) -> None:
        assert make_spec().has_variable_page_count
        assert not make_fixed_spec().has_variable_page_count

    @pytest.mark.parametrize(
        ("changes", "message"),
        [
            ({"page_count_increment": None}, "variable products need min/max page count and increment"),
            ({"min_page_count": None}, "variable products need min/max page count and increment"),
            ({"fixed_page_count": 24}, "a variable product has no fixedPageCount"),
            ({"min_page_count": 202}, "bad page range"),
            ({"min_page_count": 0}, "bad page range"),
            ({"page_count_increment": 0}, "bad page range"),
            ({"min_page_count": 25}, "minPageCount is not a multiple of the increment"),
            ({"min_quantity": 10, "max_quantity": 5}, "minQuantity above maxQuantity"),
            ({"files": [cover_file()]}, "needs exactly one content file and at most one cover"),
            ({"files": [content_file(), content_file()]}, "needs exactly one content file"),
            ({"files": [content_file(), cover_file(), cover_file()]}, "at most one cover"),
            (
                {"files": [content_file()], "paper_thickness": "0.14"},
                "paper thickness only makes sense with a cover",
            ),
            ({"production_times": EXPRESS_ONLY}, "needs one Standard production time"),
            ({"production_times": TWO_STANDARD}, "speeds unique"),
            ({"options": [make_option(), make_option()]}, "duplicate option ids"),
        ],
    )
    def test_an_inconsistent_variable_product_is_refused(self, changes: dict[str, Any], message: str) -> None:
        assert message in _invalid(make_spec, **changes)

    @pytest.mark.parametrize(
        ("changes", "message"),
        [
            ({"page_count_increment": 2}, "a fixed product has no increment or paper thickness"),
            ({"paper_thickness": "0.14"}, "a fixed product has no increment or paper thickness"),
            ({"fixed_page_count": None}, "a fixed product needs fixedPageCount >= 1"),
            ({"fixed_page_count": 0}, "a fixed product needs fixedPageCount >= 1"),
        ],
    )
    def test_an_inconsistent_fixed_product_is_refused(self, changes: dict[str, Any], message: str) -> None:
        assert message in _invalid(make_fixed_spec, **changes)

    def test_an_option_s_default_must_be_one_of_its_choices(self) -> None:
        message = _invalid(make_spec, options=[make_option(default="matte")])

        assert "option finish: default 'matte' is not one of ['none', 'gloss']" in message

    def test_an_option_s_choices_are_unique(self) -> None:
        twice = make_option(choices=(("none", "0.00", "0.00"), ("none", "1.00", "0.00")))

        assert "option finish: duplicate choice values" in _invalid(make_spec, options=[twice])

    @pytest.mark.parametrize(
        "changes",
        [
            {"cost": {"base": "1.005", "per_extra_page": "0.00"}},
            {"cost": {"base": "-1.00", "per_extra_page": "0.00"}},
            {"tax_rate": "1.00"},
            {"min_quantity": 0},
            {"weight_grams": 0},
            {"colour": "red"},
        ],
    )
    def test_out_of_bounds_fields_and_unknown_fields_are_refused(self, changes: dict[str, Any]) -> None:
        _invalid(make_spec, **changes)

    def test_a_spec_is_immutable(self) -> None:
        with pytest.raises(ValidationError, match="frozen"):
            make_spec().name = "Other"  # type: ignore[misc]
