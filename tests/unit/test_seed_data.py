"""The seed catalogue: Appendix A complete and in order, the real B.2 product exact, the §5.2 values
kept, and the catalogue-wide rules (decimal scale, tax, covers, production times, shipping inputs)."""

from __future__ import annotations

import re
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from printapi.catalogue.seed_data import catalogue
from printapi.catalogue.spec import FileType, ProductionSpeed, ProductSpec, ShippingClass

PRODUCTS_TXT = Path(__file__).resolve().parents[2] / "src" / "printapi" / "catalogue" / "products.txt"
ANY_FILE = [FileType.PDF, FileType.PNG, FileType.JPEG]
BOUND = ("boek_hc_", "boek_sc_", "boek_wo_", "agenda_", "notitieboek_", "collegeblok_")
REDUCED_RATE = ("boek_", "magazine_", "agenda_", "notitieboek_", "collegeblok_")
PANELS = ("aluminium_", "dibond_", "forex_", "plexiglas_", "berkenplex_", "vurenhout_", "kurk_", "karton_")
CATEGORIES = {
    "Hardcover boeken", "Softcover boeken", "Spiraal boeken", "Geniete boeken", "Magazines", "Agenda's",
    "Notitieboeken", "Fotoprints", "Fotovergrotingen", "Posters", "Canvas", "Wanddecoratie", "Kaarten",
    "Kalenders", "Puzzels", "Tegeltjes", "Textiel", "Cadeaus", "Lijsten", "Drukwerk",
}  # fmt: skip

# B.2 [R] in the model's field names, decimals as the strings the wire writes.
B2_BOEK_HC_A4_LIG = {
    "id": "boek_hc_a4_lig",
    "name": "Boek Hardcover A4 Liggend",
    "category": "Hardcover boeken",
    "tax_rate": "0.09",
    "cost": {"base": "10.88", "per_extra_page": "0.25"},
    "min_quantity": 1,
    "max_quantity": 1000,
    "has_variable_page_count": True,
    "fixed_page_count": None,
    "min_page_count": 24,
    "max_page_count": 200,
    "page_count_increment": 2,
    "paper_thickness": "0.14",
    "options": [
        {
            "id": "cover_finish",
            "default": "laminate_gloss",
            "label": "Afwerking omslag",
            "choices": [
                {
                    "value": "laminate_gloss",
                    "name": "Glans laminaat",
                    "cost": {"base": "0.00", "per_extra_page": "0.00"},
                },
                {
                    "value": "laminate_matte",
                    "name": "Mat laminaat",
                    "cost": {"base": "2.75", "per_extra_page": "0.00"},
                },
            ],
        },
        {
            "id": "content_finish",
            "default": "standard",
            "label": "Afwerking binnenwerk",
            "choices": [
                {
                    "value": "standard",
                    "name": "Standaard",
                    "cost": {"base": "0.00", "per_extra_page": "0.00"},
                },
                {
                    "value": "uv_gloss",
                    "name": "UV Hoogglans",
                    "cost": {"base": "1.98", "per_extra_page": "0.07"},
                },
            ],
        },
    ],
    "files": [
        {
            "id": "content",
            "width": "303.00",
            "height": "216.00",
            "bleed": "3.00",
            "accepts": ["PDF"],
            "pages": None,
        },
        {
            "id": "cover",
            "width": "646.00",
            "height": "253.00",
            "bleed": "19.00",
            "accepts": ["PDF"],
            "pages": 1,
        },
    ],
    "production_times": [
        {"speed": "Standard", "days": 3, "limit_hour": 11},
        {"speed": "Express", "days": 2, "limit_hour": 11},
    ],
    "express_surcharge": None,
}


@cache
def _by_id() -> dict[str, ProductSpec]:
    return {spec.id: spec for spec in catalogue()}


def product(product_id: str) -> ProductSpec:
    return _by_id()[product_id]


def all_products() -> list[ProductSpec]:
    return list(_by_id().values())


def plain(value: Any) -> Any:
    """A dump with every decimal as its exact string, so ``216.00`` and ``216`` differ."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def decimals(value: Any, path: str = "") -> list[tuple[str, Decimal]]:
    if isinstance(value, Decimal):
        return [(path, value)]
    if isinstance(value, dict):
        return [found for key, item in value.items() for found in decimals(item, f"{path}.{key}")]
    if isinstance(value, list):
        return [found for i, item in enumerate(value) for found in decimals(item, f"{path}[{i}]")]
    return []


def describe(spec: ProductSpec) -> str:
    """Category, tax, price, pages and content file on one line, decimals exactly as stored."""
    if spec.has_variable_page_count:
        pages = f"{spec.min_page_count}-{spec.max_page_count} step {spec.page_count_increment}"
    else:
        pages = f"fixed {spec.fixed_page_count}"
    content = spec.files[0]
    return " | ".join([
        spec.category, str(spec.tax_rate), f"{spec.cost.base} + {spec.cost.per_extra_page}/p", pages,
        f"{content.width}x{content.height} b{content.bleed}",
    ])  # fmt: skip


def file_size(spec: ProductSpec, file_id: str) -> tuple[str, str, str] | None:
    found = spec.file(file_id)
    return None if found is None else (str(found.width), str(found.height), str(found.bleed))


class TestProductList:
    def test_it_has_every_line_of_products_txt_with_ids_and_names_exactly_in_file_order(self) -> None:
        lines = PRODUCTS_TXT.read_text(encoding="utf-8").splitlines()
        expected = [tuple(line.split(" | ", 1)) for line in lines]

        assert len(expected) == 499
        assert [(spec.id, spec.name) for spec in catalogue()] == expected

    def test_ids_are_unique(self) -> None:
        assert len({spec.id for spec in catalogue()}) == 499

    def test_it_is_deterministic_and_each_call_returns_a_fresh_list(self) -> None:
        first = catalogue()
        first.clear()

        assert [spec.model_dump() for spec in catalogue()] == [spec.model_dump() for spec in all_products()]
        assert len(catalogue()) == 499


class TestRealProduct:
    def test_boek_hc_a4_lig_is_the_b2_sample_field_by_field(self) -> None:
        spec = product("boek_hc_a4_lig")
        dump = plain(spec.model_dump(exclude={"shipping_class", "weight_grams", "weight_per_page_grams"}))

        assert dump == B2_BOEK_HC_A4_LIG
        assert str(spec.files[0].height) == "216.00"
        assert spec.standard_days == 3


class TestSection52Values:
    @pytest.mark.parametrize(
        ("product_id", "summary"),
        [
            (
                "boek_hc_a4_sta",
                "Hardcover boeken | 0.09 | 10.88 + 0.25/p | 24-200 step 2 | 216.00x303.00 b3.00",
            ),
            (
                "boek_hc_a5_sta",
                "Hardcover boeken | 0.09 | 8.69 + 0.25/p | 24-200 step 2 | 154.00x216.00 b3.00",
            ),
            (
                "boek_hc_a5_lig",
                "Hardcover boeken | 0.09 | 8.69 + 0.25/p | 24-200 step 2 | 216.00x154.00 b3.00",
            ),
            (
                "boek_hc_21x21",
                "Hardcover boeken | 0.09 | 11.50 + 0.27/p | 24-200 step 2 | 216.00x216.00 b3.00",
            ),
            (
                "boek_hc_30x30",
                "Hardcover boeken | 0.09 | 19.95 + 0.45/p | 24-200 step 2 | 306.00x306.00 b3.00",
            ),
            (
                "boek_sc_a5_sta",
                "Softcover boeken | 0.09 | 4.95 + 0.05/p | 32-300 step 2 | 154.00x216.00 b3.00",
            ),
            (
                "boek_sc_a4_sta",
                "Softcover boeken | 0.09 | 6.95 + 0.08/p | 32-300 step 2 | 216.00x303.00 b3.00",
            ),
            ("boek_wo_a5_sta", "Spiraal boeken | 0.09 | 5.50 + 0.06/p | 16-200 step 2 | 154.00x216.00 b3.00"),
            ("magazine_a4_sta", "Magazines | 0.09 | 3.95 + 0.12/p | 8-64 step 4 | 216.00x303.00 b3.00"),
            ("fotoprints_15x10", "Fotoprints | 0.21 | 0.00 + 0.12/p | 1-500 step 1 | 156.00x106.00 b3.00"),
            ("poster_a3_sta", "Posters | 0.21 | 4.50 + 0.00/p | fixed 1 | 303.00x426.00 b3.00"),
            ("poster_a2_sta", "Posters | 0.21 | 6.95 + 0.00/p | fixed 1 | 426.00x600.00 b3.00"),
            ("poster_a1_sta", "Posters | 0.21 | 9.95 + 0.00/p | fixed 1 | 600.00x847.00 b3.00"),
            ("poster_a0_sta", "Posters | 0.21 | 14.95 + 0.00/p | fixed 1 | 847.00x1195.00 b3.00"),
            ("canvas_30x40", "Canvas | 0.21 | 17.50 + 0.00/p | fixed 1 | 386.00x486.00 b43.00"),
            ("canvas_40x60", "Canvas | 0.21 | 24.95 + 0.00/p | fixed 1 | 486.00x686.00 b43.00"),
            ("canvas_60x90", "Canvas | 0.21 | 39.95 + 0.00/p | fixed 1 | 686.00x986.00 b43.00"),
            ("aluminium_40x60", "Wanddecoratie | 0.21 | 29.95 + 0.00/p | fixed 1 | 406.00x606.00 b3.00"),
            ("dibond_60x40", "Wanddecoratie | 0.21 | 32.95 + 0.00/p | fixed 1 | 606.00x406.00 b3.00"),
            ("forex_30x40_3mm", "Wanddecoratie | 0.21 | 12.95 + 0.00/p | fixed 1 | 306.00x406.00 b3.00"),
            ("plexiglas_40x60", "Wanddecoratie | 0.21 | 34.95 + 0.00/p | fixed 1 | 406.00x606.00 b3.00"),
            ("kaart_dubbel_a6_sta", "Kaarten | 0.21 | 1.25 + 0.00/p | fixed 2 | 216.00x154.00 b3.00"),
            ("kaarten_dubbel_a6_sta_8st", "Kaarten | 0.21 | 7.50 + 0.00/p | fixed 2 | 216.00x154.00 b3.00"),
            ("kalender_a4_sta_13p", "Kalenders | 0.21 | 9.95 + 0.00/p | fixed 13 | 216.00x303.00 b3.00"),
            ("mok", "Cadeaus | 0.21 | 6.95 + 0.00/p | fixed 1 | 206.00x86.00 b0.00"),
        ],
    )
    def test_the_table_values_are_kept(self, product_id: str, summary: str) -> None:
        assert describe(product(product_id)) == summary

    @pytest.mark.parametrize(
        ("product_id", "cover", "cover_pages", "paper_thickness"),
        [
            ("boek_hc_a4_lig", ("646.00", "253.00", "19.00"), 1, "0.14"),
            ("boek_hc_a4_sta", ("472.00", "340.00", "19.00"), 1, "0.14"),
            ("boek_hc_a5_sta", ("348.00", "253.00", "19.00"), 1, "0.14"),
            ("boek_hc_a5_lig", ("472.00", "191.00", "19.00"), 1, "0.14"),
            ("boek_sc_a5_sta", ("302.00", "216.00", "3.00"), 1, "0.10"),
            ("boek_sc_a4_sta", ("426.00", "303.00", "3.00"), 1, "0.10"),
            ("boek_wo_a5_sta", ("154.00", "216.00", "3.00"), 2, "None"),
            ("magazine_a4_sta", None, None, "None"),
            ("fotoprints_15x10", None, None, "None"),
        ],
    )
    def test_covers_and_paper_thickness(
        self,
        product_id: str,
        cover: tuple[str, str, str] | None,
        cover_pages: int | None,
        paper_thickness: str,
    ) -> None:
        spec = product(product_id)
        found = spec.file("cover")

        assert file_size(spec, "cover") == cover
        assert (found.pages if found else None) == cover_pages
        assert str(spec.paper_thickness) == paper_thickness

    def test_boek_hc_a5_sta_at_32_pages_ships_in_a_letterbox_parcel(self) -> None:
        spec = product("boek_hc_a5_sta")

        assert spec.weight(32) < 2000
        assert spec.shipping_class is ShippingClass.LETTERBOX
        assert spec.option("cover_finish") == product("boek_hc_a4_lig").option("cover_finish")  # B.1 uses it

    def test_ten_15x10_photo_prints_fit_a_50_gram_letter(self) -> None:
        spec = product("fotoprints_15x10")

        assert spec.weight(10) <= 50
        assert spec.shipping_class is ShippingClass.FLAT
        assert spec.files[0].accepts == ANY_FILE
        assert spec.file("cover") is None
        assert spec.paper_thickness is None


class TestCatalogueRules:
    def test_every_decimal_has_exactly_two_places(self) -> None:
        found = [
            (spec.id, path, value) for spec in all_products() for path, value in decimals(spec.model_dump())
        ]

        assert len(found) > 499 * 7  # tax, cost, file sizes at least: the walk is not vacuous
        assert [entry for entry in found if entry[2].as_tuple().exponent != -2] == []

    def test_every_bound_book_agenda_and_notebook_has_a_cover(self) -> None:
        bound = [spec for spec in all_products() if spec.id.startswith(BOUND)]

        assert len(bound) == 39
        assert [spec.id for spec in bound if spec.file("cover") is None] == []

    def test_covers_are_only_on_bound_products_and_every_product_has_one_content_file(self) -> None:
        for spec in all_products():
            assert [f.id for f in spec.files if f.id == "content"] == ["content"], spec.id
            assert (spec.file("cover") is not None) == spec.id.startswith(BOUND), spec.id

    def test_variable_books_with_a_cover_have_a_paper_thickness_except_spiral_ones(self) -> None:
        books = [s for s in all_products() if s.has_variable_page_count and s.file("cover") is not None]

        assert len(books) == 33
        for spec in books:
            assert (spec.paper_thickness is None) == spec.id.startswith("boek_wo_"), spec.id

    def test_tax_is_reduced_for_books_magazines_agendas_and_notebooks_only(self) -> None:
        for spec in all_products():
            expected = "0.09" if spec.id.startswith(REDUCED_RATE) else "0.21"
            assert str(spec.tax_rate) == expected, spec.id
        assert str(product("kalender_a4_sta_13p").tax_rate) == "0.21"
        assert str(product("boekenleggers_50x210_6st").tax_rate) == "0.21"
        assert str(product("boek_ge_21x21").tax_rate) == "0.09"

    def test_every_product_has_a_standard_time_and_a_cut_off_at_eleven(self) -> None:
        for spec in all_products():
            assert spec.production_time(ProductionSpeed.STANDARD) is not None, spec.id
            assert {t.limit_hour for t in spec.production_times} == {11}, spec.id

    @pytest.mark.parametrize(
        ("product_id", "days"),
        [
            ("boek_sc_a4_sta", [3, 2]),
            ("magazine_a5_lig", [3, 2]),
            ("agenda_wo_a6_sta", [3, 2]),
            ("fotoprints_13x18", [2, 1]),
            ("kaarten_enkel_a6_sta_8st", [2, 1]),
            ("kalender_30x30", [2, 1]),
            ("dibond_140x120", [4]),
            ("canvas_met_lijst_60x90", [4]),
            ("poster_hd_a1_sta", [4]),
            ("fotovergrotingen_50x75", [4]),
            ("puzzel_68x44_1000st", [4]),
            ("bidon", [2]),
        ],
    )
    def test_production_days_follow_the_family(self, product_id: str, days: list[int]) -> None:
        assert [t.days for t in product(product_id).production_times] == days

    def test_quantities_are_1_to_1000_and_express_uses_the_default_surcharge(self) -> None:
        for spec in all_products():
            assert (spec.min_quantity, spec.max_quantity, spec.express_surcharge) == (1, 1000, None), spec.id

    def test_fixed_products_charge_and_weigh_nothing_per_extra_page(self) -> None:
        for spec in (s for s in all_products() if not s.has_variable_page_count):
            per_page = [spec.cost.per_extra_page, spec.weight_per_page_grams]
            per_page += [c.cost.per_extra_page for option in spec.options for c in option.choices]
            assert set(per_page) <= {Decimal(0)}, spec.id

    def test_every_product_costs_something(self) -> None:
        for spec in all_products():
            assert spec.cost.base + spec.cost.per_extra_page > 0, spec.id

    def test_categories_come_from_the_known_list(self) -> None:
        assert {spec.category for spec in all_products()} <= CATEGORIES

    @pytest.mark.parametrize(
        ("product_id", "content"),
        [
            ("poster_20x30", ("206.00", "306.00", "3.00")),
            ("boek_hc_148x148", ("154.00", "154.00", "3.00")),
            ("canvas_20x20", ("286.00", "286.00", "43.00")),
            ("aluminium_120x120", ("1206.00", "1206.00", "3.00")),
            ("kaart_enkel_a5_lig", ("216.00", "154.00", "3.00")),
            ("kaart_dubbel_a5_sta", ("302.00", "216.00", "3.00")),
            ("fotoprints_10x15", ("106.00", "156.00", "3.00")),
            ("boek_hc_35x29_lig_vl", ("356.00", "296.00", "3.00")),
        ],
    )
    def test_content_is_the_trim_size_plus_bleed(
        self, product_id: str, content: tuple[str, str, str]
    ) -> None:
        assert file_size(product(product_id), "content") == content


class TestOptions:
    def test_every_hardcover_book_offers_the_b2_options(self) -> None:
        expected = product("boek_hc_a4_lig").options
        hardcovers = [spec for spec in all_products() if spec.id.startswith("boek_hc_")]

        assert len(hardcovers) == 20
        assert [spec.id for spec in hardcovers if spec.options != expected] == []

    def test_softcover_books_offer_a_matte_cover_for_1_50(self) -> None:
        option = product("boek_sc_a5_lig").option("cover_finish")

        assert option is not None
        matte = option.choice("laminate_matte")
        assert option.default == "laminate_gloss"
        assert matte is not None
        assert str(matte.cost.base) == "1.50"

    def test_wall_panels_and_canvas_offer_a_blind_hanging_system(self) -> None:
        hung = [s for s in all_products() if s.id.startswith((*PANELS, "canvas_"))]

        assert len(hung) == 52 + 50 + 32 + 24 + 23 + 20 + 18 + 11 + 10
        for spec in hung:
            option = spec.option("ophangsysteem")
            assert option is not None, spec.id
            assert (option.default, [c.value for c in option.choices]) == ("geen", ["geen", "blind"])

    def test_option_and_choice_ids_are_lower_snake_case(self) -> None:
        snake = re.compile(r"^[a-z][a-z0-9_]*$")
        for spec in all_products():
            for option in spec.options:
                assert snake.match(option.id), spec.id
                assert all(snake.match(choice.value) for choice in option.choices), spec.id


class TestShippingInputs:
    def test_flat_products_fit_a_50_gram_letter(self) -> None:
        flat = [spec for spec in all_products() if spec.shipping_class is ShippingClass.FLAT]

        assert flat
        assert [s.id for s in flat if s.weight(s.first_page_count) > 50] == []

    def test_oversize_is_for_items_longer_than_a_metre_and_rolled_posters_stay_parcels(self) -> None:
        for spec in all_products():
            content = spec.files[0]
            longest = max(content.width, content.height) - 2 * content.bleed
            if spec.shipping_class is ShippingClass.OVERSIZE:
                assert longest > 1000, spec.id
            elif spec.id.startswith((*PANELS, "tuinposter_")):
                assert longest <= 1000, spec.id
        assert product("tuinposter_200x150").shipping_class is ShippingClass.OVERSIZE
        assert product("poster_a0_sta").shipping_class is ShippingClass.PARCEL

    def test_books_up_to_a4_go_by_letterbox_and_bigger_ones_by_parcel(self) -> None:
        assert product("boek_hc_a4_sta").shipping_class is ShippingClass.LETTERBOX
        assert product("magazine_a5_sta").shipping_class is ShippingClass.LETTERBOX
        assert product("boek_hc_30x30").shipping_class is ShippingClass.PARCEL

    def test_variable_products_weigh_more_with_more_pages(self) -> None:
        for spec in (s for s in all_products() if s.has_variable_page_count):
            assert spec.max_page_count is not None
            assert spec.weight(spec.max_page_count) > spec.weight(spec.first_page_count), spec.id
