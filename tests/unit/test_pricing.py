"""Item prices and the invoice (spec §3.3, §3.7, Appendix B.1)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from printapi.catalogue.spec import Choice, ProductionSpeed, ProductSpec
from printapi.orders.pricing import Invoice, Line, Section, Tax, invoice, item_cost
from tests.unit.builders import STANDARD_ONLY, make_fixed_spec, make_option, make_spec, product, seed_products

STANDARD, EXPRESS = ProductionSpeed.STANDARD, ProductionSpeed.EXPRESS
D = Decimal


def pick(spec: ProductSpec, option_id: str, value: str) -> Choice:
    option = spec.option(option_id)
    assert option is not None, option_id
    choice = option.choice(value)
    assert choice is not None, value
    return choice


def cost(
    spec: ProductSpec,
    *,
    pages: int,
    quantity: int = 1,
    options: dict[str, str] | None = None,
    speed: ProductionSpeed = STANDARD,
    default_surcharge: str = "0.25",
) -> Decimal:
    return item_cost(
        spec,
        page_count=pages,
        quantity=quantity,
        choices=[pick(spec, option_id, value) for option_id, value in (options or {}).items()],
        speed=speed,
        express_surcharge=D(default_surcharge),
    )


def half_away_from_zero(value: Decimal) -> Decimal:
    """Cents, rounded half away from zero, worked out without ``quantize`` rounding modes."""
    cents = abs(value) * 100
    whole = int(cents)
    if cents - whole >= D("0.5"):
        whole += 1
    return (D(whole) / 100).quantize(D("0.01")).copy_sign(value)


def tax(rate: str, amount: str, over: str) -> Tax:
    return Tax(rate=D(rate), amount=D(amount), calculated_over=D(over))


class TestItemCost:
    def test_the_reference_book_of_32_pages_costs_10_69(self) -> None:
        assert cost(product("boek_hc_a5_sta"), pages=32) == D("10.69")

    def test_the_minimum_page_count_is_included_in_the_base(self) -> None:
        assert cost(product("boek_hc_a5_sta"), pages=24) == D("8.69")

    def test_the_default_choices_cost_nothing_extra(self) -> None:
        spec = product("boek_hc_a4_lig")
        defaults = {"cover_finish": "laminate_gloss", "content_finish": "standard"}

        assert cost(spec, pages=40, options=defaults) == cost(spec, pages=40) == D("14.88")

    def test_an_option_adds_its_base_and_its_price_per_extra_page(self) -> None:
        spec = product("boek_hc_a4_lig")

        # 10.88 + 16 × 0.25 for the book, 1.98 + 16 × 0.07 for UV gloss.
        assert cost(spec, pages=40, options={"content_finish": "uv_gloss"}) == D("17.98")
        assert cost(spec, pages=24, options={"content_finish": "uv_gloss"}) == D("12.86")

    def test_chosen_options_add_up(self) -> None:
        spec = product("boek_hc_a4_lig")
        both = {"cover_finish": "laminate_matte", "content_finish": "uv_gloss"}

        assert cost(spec, pages=40, options=both) == D("20.73")

    def test_the_book_and_the_posters_of_appendix_b1(self) -> None:
        book = cost(product("boek_hc_a5_sta"), pages=40, options={"cover_finish": "laminate_matte"})
        posters = cost(product("poster_a3_sta"), pages=1, quantity=2)

        assert (book, posters) == (D("15.44"), D("9.00"))

    def test_quantity_multiplies_the_price_of_one_copy_with_its_options(self) -> None:
        spec = product("boek_hc_a4_lig")

        assert cost(product("boek_hc_a5_sta"), pages=32, quantity=3) == D("32.07")
        assert cost(spec, pages=40, quantity=2, options={"content_finish": "uv_gloss"}) == D("35.96")

    def test_a_fixed_product_ignores_page_extras_of_its_own_and_of_its_options(self) -> None:
        spec = make_fixed_spec(
            cost={"base": "4.50", "per_extra_page": "0.50"}, options=[make_option(default="none")]
        )

        for pages in (0, 1, 40):
            assert cost(spec, pages=pages) == D("4.50")
            assert cost(spec, pages=pages, options={"finish": "gloss"}) == D("6.48")

    def test_a_fixed_seed_product_costs_its_base(self) -> None:
        assert cost(product("kalender_a4_sta_13p"), pages=13) == D("9.95")

    def test_express_adds_the_default_quarter(self) -> None:
        # 10.69 × 1.25 = 13.3625
        assert cost(product("boek_hc_a5_sta"), pages=32, speed=EXPRESS) == D("13.36")

    def test_express_is_added_to_the_line_and_rounded_once(self) -> None:
        # 3 × 10.69 × 1.25 = 40.0875; rounding each copy first would give 3 × 13.36 = 40.08.
        assert cost(product("boek_hc_a5_sta"), pages=32, quantity=3, speed=EXPRESS) == D("40.09")

    def test_the_default_surcharge_is_the_one_passed_in(self) -> None:
        spec = product("boek_hc_a5_sta")

        assert cost(spec, pages=24, speed=EXPRESS, default_surcharge="0.10") == D("9.56")

    def test_a_product_s_own_surcharge_replaces_the_default(self) -> None:
        spec = make_spec(cost={"base": "10.00", "per_extra_page": "0.25"}, express_surcharge="0.50")

        assert cost(spec, pages=24, speed=EXPRESS, default_surcharge="0.25") == D("15.00")

    def test_a_product_s_own_surcharge_of_zero_is_honoured(self) -> None:
        spec = make_spec(cost={"base": "10.00", "per_extra_page": "0.25"}, express_surcharge="0.00")

        assert cost(spec, pages=24, speed=EXPRESS) == D("10.00")

    def test_a_product_without_express_gets_no_surcharge(self) -> None:
        assert cost(product("poster_a3_sta"), pages=1, speed=EXPRESS) == D("4.50")
        spec = make_fixed_spec(production_times=STANDARD_ONLY, express_surcharge="0.50")
        assert cost(spec, pages=1, speed=EXPRESS) == cost(spec, pages=1)

    @pytest.mark.parametrize(("base", "expected"), [("0.10", "0.13"), ("0.02", "0.03"), ("0.06", "0.08")])
    def test_a_half_cent_of_surcharge_rounds_away_from_zero(self, base: str, expected: str) -> None:
        spec = make_fixed_spec(cost={"base": base, "per_extra_page": "0.00"})

        assert cost(spec, pages=1, speed=EXPRESS) == D(expected)

    def test_the_cost_has_two_decimals(self) -> None:
        assert str(cost(product("boek_hc_a5_sta"), pages=32, speed=EXPRESS)) == "13.36"
        assert str(cost(product("poster_a3_sta"), pages=1, quantity=2)) == "9.00"


_VARIABLE = [spec for spec in seed_products() if spec.has_variable_page_count]


@st.composite
def variable_page_counts(draw: st.DrawFn) -> tuple[ProductSpec, int, int]:
    """A seed product with a variable page count and two valid page counts, the first not above the second."""
    spec = draw(st.sampled_from(_VARIABLE))
    assert spec.min_page_count is not None
    assert spec.max_page_count is not None
    assert spec.page_count_increment is not None
    steps = (spec.max_page_count - spec.min_page_count) // spec.page_count_increment
    low, high = sorted(draw(st.lists(st.integers(0, steps), min_size=2, max_size=2)))
    first = spec.min_page_count + low * spec.page_count_increment
    return spec, first, spec.min_page_count + high * spec.page_count_increment


class TestItemCostProperties:
    @given(variable_page_counts(), st.booleans())
    def test_more_pages_never_cost_less(self, case: tuple[ProductSpec, int, int], express: bool) -> None:
        spec, fewer, more = case
        speed = EXPRESS if express else STANDARD

        assert cost(spec, pages=fewer, speed=speed) <= cost(spec, pages=more, speed=speed)

    @given(variable_page_counts(), st.integers(1, 1000))
    def test_at_standard_speed_n_copies_cost_n_times_one(
        self, case: tuple[ProductSpec, int, int], quantity: int
    ) -> None:
        spec, pages, _ = case

        assert cost(spec, pages=pages, quantity=quantity) == quantity * cost(spec, pages=pages)

    @given(st.sampled_from(seed_products()))
    def test_express_never_costs_less_and_only_costs_more_where_it_is_offered(
        self, spec: ProductSpec
    ) -> None:
        pages = spec.first_page_count
        standard, express = cost(spec, pages=pages), cost(spec, pages=pages, speed=EXPRESS)

        if spec.production_time(EXPRESS) is None:
            assert express == standard
        else:
            assert express == half_away_from_zero(standard * D("1.25"))


REFERENCE = Invoice(
    production=Section(D("10.69"), [tax("0.09", "0.96", "10.69")]),
    shipping=Section(D("2.95"), [tax("0.09", "0.27", "2.95")]),
    handling=Section(D("0.87"), [tax("0.09", "0.08", "0.87")]),
    discount=Section(D("0.00"), []),
    total=Section(D("14.51"), [tax("0.09", "1.31", "14.51")]),
)


class TestInvoice:
    def test_the_reference_book_order_of_spec_3_3(self) -> None:
        result = invoice([Line(D("10.69"), D("0.09"))], shipping=D("2.95"), handling=D("0.87"))

        assert result == REFERENCE
        assert str(result.total.cost) == "14.51"
        assert str(result.discount.cost) == "0.00"

    def test_the_mixed_rates_of_appendix_b1(self) -> None:
        lines = [Line(D("15.44"), D("0.09")), Line(D("9.00"), D("0.21"))]

        result = invoice(lines, shipping=D("6.95"), handling=D("1.10"))

        assert result == Invoice(
            production=Section(D("24.44"), [tax("0.09", "1.39", "15.44"), tax("0.21", "1.89", "9.00")]),
            shipping=Section(D("6.95"), [tax("0.21", "1.46", "6.95")]),
            handling=Section(D("1.10"), [tax("0.21", "0.23", "1.10")]),
            discount=Section(D("0.00"), []),
            total=Section(D("32.49"), [tax("0.09", "1.39", "15.44"), tax("0.21", "3.58", "17.05")]),
        )

    def test_taxes_are_listed_by_rate_whatever_the_order_of_the_lines(self) -> None:
        lines = [Line(D("9.00"), D("0.21")), Line(D("15.44"), D("0.09"))]

        result = invoice(lines, shipping=D("6.95"), handling=D("1.10"))

        assert [t.rate for t in result.production.taxes] == [D("0.09"), D("0.21")]
        assert [t.rate for t in result.total.taxes] == [D("0.09"), D("0.21")]

    def test_lines_of_one_rate_are_taxed_together(self) -> None:
        # Apart: 0.45 + 0.45 = 0.90 (each 5.05 × 0.09 = 0.4545); together 10.10 × 0.09 = 0.909 → 0.91.
        lines = [Line(D("5.05"), D("0.09")), Line(D("5.05"), D("0.09"))]

        result = invoice(lines, shipping=D("2.95"), handling=D("0.87"))

        assert result.production.taxes == [tax("0.09", "0.91", "10.10")]

    def test_shipping_and_handling_take_the_highest_item_rate(self) -> None:
        lines = [Line(D("15.44"), D("0.09")), Line(D("1.00"), D("0.21")), Line(D("3.00"), D("0.06"))]

        result = invoice(lines, shipping=D("2.95"), handling=D("0.87"))

        assert result.shipping.taxes == [tax("0.21", "0.62", "2.95")]
        assert result.handling.taxes == [tax("0.21", "0.18", "0.87")]

    def test_the_total_s_taxes_are_worked_out_on_the_total_not_summed(self) -> None:
        # Each section's tax rounds to 0.00 (0.05 × 0.09 = 0.0045); the total's is 0.15 × 0.09 = 0.0135.
        result = invoice([Line(D("0.05"), D("0.09"))], shipping=D("0.05"), handling=D("0.05"))

        section_taxes = [
            t.amount for s in (result.production, result.shipping, result.handling) for t in s.taxes
        ]
        assert section_taxes == [D("0.00")] * 3
        assert result.total.taxes == [tax("0.09", "0.01", "0.15")]

    @pytest.mark.parametrize(
        ("over", "rate", "amount"),
        [
            ("2.95", "0.09", "0.27"),  # 0.2655
            ("0.50", "0.09", "0.05"),  # 0.045: half-even would give 0.04
            ("0.50", "0.21", "0.11"),  # 0.105: half-even would give 0.10
            ("1.50", "0.21", "0.32"),  # 0.315
            ("10.69", "0.09", "0.96"),  # 0.9621
            ("14.51", "0.09", "1.31"),  # 1.3059
        ],
    )
    def test_tax_is_rounded_half_away_from_zero(self, over: str, rate: str, amount: str) -> None:
        result = invoice([Line(D(over), D(rate))], shipping=D("0.00"), handling=D("0.00"))

        assert result.production.taxes == [tax(rate, amount, over)]

    def test_a_discount_is_taxed_at_the_shipping_rate_and_lowers_the_total(self) -> None:
        result = invoice(
            [Line(D("10.00"), D("0.21"))], shipping=D("2.95"), handling=D("0.40"), discount=D("1.00")
        )

        assert result.discount == Section(D("1.00"), [tax("0.21", "0.21", "1.00")])
        # 10.00 + 2.95 + 0.40 − 1.00 = 12.35; 12.35 × 0.21 = 2.5935
        assert result.total == Section(D("12.35"), [tax("0.21", "2.59", "12.35")])

    def test_free_shipping_has_no_taxes(self) -> None:
        result = invoice([Line(D("10.69"), D("0.09"))], shipping=D("0.00"), handling=D("0.00"))

        assert result.shipping == Section(D("0.00"), [])
        assert result.handling == Section(D("0.00"), [])
        assert result.total == Section(D("10.69"), [tax("0.09", "0.96", "10.69")])

    def test_an_invoice_needs_a_line(self) -> None:
        with pytest.raises(ValueError, match="at least one line"):
            invoice([], shipping=D("2.95"), handling=D("0.87"))


money = st.decimals(
    min_value=D("0.00"), max_value=D("5000.00"), places=2, allow_nan=False, allow_infinity=False
)
rates = st.sampled_from([D("0.00"), D("0.06"), D("0.09"), D("0.21")])
lines = st.lists(st.builds(Line, cost=money, tax_rate=rates), min_size=1, max_size=6)


class TestInvoiceProperties:
    @given(lines, money, money, money)
    def test_the_total_is_production_plus_shipping_plus_handling_minus_discount(
        self, items: list[Line], shipping: Decimal, handling: Decimal, discount: Decimal
    ) -> None:
        result = invoice(items, shipping=shipping, handling=handling, discount=discount)

        assert result.production.cost == sum((line.cost for line in items), D(0))
        assert result.total.cost == result.production.cost + shipping + handling - discount

    @given(lines, money, money, money)
    def test_every_tax_is_its_base_times_its_rate_rounded_half_away_from_zero(
        self, items: list[Line], shipping: Decimal, handling: Decimal, discount: Decimal
    ) -> None:
        result = invoice(items, shipping=shipping, handling=handling, discount=discount)

        for section in (result.production, result.shipping, result.handling, result.discount, result.total):
            for t in section.taxes:
                assert t.amount == half_away_from_zero(t.calculated_over * t.rate)
                assert t.amount.as_tuple().exponent == -2

    @given(lines, money, money, money)
    def test_the_taxed_bases_add_up_to_the_section_cost_one_rate_each(
        self, items: list[Line], shipping: Decimal, handling: Decimal, discount: Decimal
    ) -> None:
        result = invoice(items, shipping=shipping, handling=handling, discount=discount)

        for section in (result.production, result.total):
            assert sum((t.calculated_over for t in section.taxes), D(0)) == section.cost
            taxed_rates = [t.rate for t in section.taxes]
            assert taxed_rates == sorted(set(taxed_rates))
            assert all(t.calculated_over != 0 for t in section.taxes)

    @given(lines, money, money)
    def test_shipping_and_handling_are_taxed_at_the_highest_item_rate(
        self, items: list[Line], shipping: Decimal, handling: Decimal
    ) -> None:
        result = invoice(items, shipping=shipping, handling=handling)
        highest = max(line.tax_rate for line in items)

        for section, amount in ((result.shipping, shipping), (result.handling, handling)):
            assert [t.rate for t in section.taxes] == ([highest] if amount else [])
