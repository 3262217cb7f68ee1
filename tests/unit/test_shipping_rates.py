"""Shipping methods, zones, prices and handling (spec §3.8, §5.2)."""

from __future__ import annotations

from decimal import Decimal
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from printapi.catalogue.spec import ShippingClass
from printapi.shipping.rates import (
    METHODS,
    Method,
    Parcel,
    ShippingPreference,
    Zone,
    choose,
    combine,
    zone_of,
)
from printapi.shipping.service import Quote, Shipment, rate_for
from tests.unit.builders import product

AUTO, TRACKED = ShippingPreference.AUTO, ShippingPreference.TRACKED
FLAT, LETTERBOX, PARCEL, OVERSIZE = (
    ShippingClass.FLAT,
    ShippingClass.LETTERBOX,
    ShippingClass.PARCEL,
    ShippingClass.OVERSIZE,
)
D = Decimal
# Near to far: NL, a neighbour, the rest of the EU, Europe outside the EU, the world.
BY_DISTANCE = ("NL", "BE", "FR", "GB", "US")


def quote(*lines: tuple[str, int, int], country: str = "NL", preference: ShippingPreference = AUTO) -> Quote:
    """A quote for ``(productId, pageCount, quantity)`` lines of seed products."""
    shipments = [Shipment(product(product_id), pages, quantity) for product_id, pages, quantity in lines]
    return rate_for(shipments, country=country, preference=preference)


def method(name: str) -> Method:
    return next(m for m in METHODS if m.name == name)


PHOTO_PRINTS = ("fotoprints_15x10", 10, 1)
BOOK = ("boek_hc_a5_sta", 32, 1)


class TestSpecDataPoints:
    def test_ten_photo_prints_go_as_a_letter(self) -> None:
        result = quote(PHOTO_PRINTS)

        assert result.rate.method.name == "Brief (50 g)"
        assert not result.rate.method.is_trackable
        assert (result.rate.shipping, result.rate.handling) == (D("1.38"), D("0.40"))
        assert result.rate.consumer == D("2.15")
        assert result.tax_rate == D("0.21")

    def test_ten_photo_prints_tracked_go_as_a_letterbox_parcel_with_the_same_handling(self) -> None:
        result = quote(PHOTO_PRINTS, preference=TRACKED)

        assert result.rate.method.name == "Brievenbuspakje"
        assert result.rate.method.is_trackable
        assert (result.rate.shipping, result.rate.handling) == (D("2.95"), D("0.40"))
        assert result.rate.consumer == D("4.15")
        assert result.tax_rate == D("0.21")

    def test_one_hardcover_book_goes_as_a_letterbox_parcel(self) -> None:
        result = quote(BOOK)

        assert result.rate.method.name == "Brievenbuspakje"
        assert (result.rate.shipping, result.rate.handling) == (D("2.95"), D("0.87"))
        assert result.tax_rate == D("0.09")

    def test_amounts_have_two_decimals(self) -> None:
        rate = quote(PHOTO_PRINTS).rate

        assert [str(rate.shipping), str(rate.handling), str(rate.consumer)] == ["1.38", "0.40", "2.15"]


class TestZones:
    @pytest.mark.parametrize(
        ("country", "zone"),
        [
            ("NL", Zone.NL),
            ("BE", Zone.EU1),
            ("DE", Zone.EU1),
            ("LU", Zone.EU1),
            ("FR", Zone.EU2),
            ("SE", Zone.EU2),
            ("GB", Zone.EUROPE),
            ("CH", Zone.EUROPE),
            ("US", Zone.WORLD),
            ("JP", Zone.WORLD),
        ],
    )
    def test_countries_fall_in_zones(self, country: str, zone: Zone) -> None:
        assert zone_of(country) is zone

    def test_a_book_costs_more_the_further_it_goes(self) -> None:
        prices = [quote(BOOK, country=country).rate.shipping for country in BY_DISTANCE]

        assert prices == sorted(set(prices))
        assert prices[0] == D("2.95")

    def test_the_neighbours_cost_the_same(self) -> None:
        prices = {quote(BOOK, country=country).rate.shipping for country in ("BE", "DE", "LU")}

        assert prices == {D("7.40")}

    def test_a_letter_abroad_costs_more_than_at_home_and_never_less_further_away(self) -> None:
        prices = [quote(PHOTO_PRINTS, country=country).rate.shipping for country in BY_DISTANCE]

        assert prices == sorted(prices)
        assert prices[0] < prices[1]

    @pytest.mark.parametrize("country", BY_DISTANCE)
    def test_handling_does_not_depend_on_the_destination(self, country: str) -> None:
        assert quote(BOOK, country=country).rate.handling == D("0.87")

    @pytest.mark.parametrize("m", METHODS, ids=lambda m: m.name)
    def test_every_method_costs_more_or_the_same_further_away(self, m: Method) -> None:
        for near, far in pairwise(Zone):
            assert m.prices[near][0] <= m.prices[far][0]
            assert m.prices[near][1] <= m.prices[far][1]
        assert m.prices[Zone.NL][0] < m.prices[Zone.WORLD][0]


class TestMethodChoice:
    def test_a_parcel_goes_as_a_medium_parcel(self) -> None:
        rate = quote(("poster_a3_sta", 1, 1)).rate

        assert rate.method.name == "Pakket (M)"
        assert (rate.shipping, rate.handling) == (D("6.95"), D("1.10"))

    def test_an_oversize_item_goes_as_a_large_parcel(self) -> None:
        rate = quote(("aluminium_120x120", 1, 1)).rate

        assert rate.method.name == "Pakket (L)"
        assert (rate.shipping, rate.handling, rate.consumer) == (D("12.95"), D("1.50"), D("17.95"))

    def test_the_largest_item_decides_the_method_and_the_handling(self) -> None:
        rate = quote(PHOTO_PRINTS, BOOK, ("poster_a3_sta", 1, 1)).rate

        assert rate.method.name == "Pakket (M)"
        assert rate.handling == D("1.10")

    def test_shipping_and_handling_take_the_highest_item_rate(self) -> None:
        assert quote(BOOK, ("poster_a3_sta", 1, 1)).tax_rate == D("0.21")
        assert quote(BOOK, ("boek_hc_a4_lig", 24, 1)).tax_rate == D("0.09")

    def test_a_letter_carries_up_to_50_grams(self) -> None:
        # One 15x10 print weighs 3.60 g (the first is rounded up to 4 g): 13 prints 47.2 g, 14 prints 50.8 g.
        assert quote(("fotoprints_15x10", 13, 1)).rate.method.name == "Brief (50 g)"
        assert quote(("fotoprints_15x10", 14, 1)).rate.method.name == "Brievenbuspakje"

    def test_copies_add_weight(self) -> None:
        assert quote(("fotoprints_15x10", 10, 2)).rate.method.name == "Brievenbuspakje"

    def test_a_parcel_above_the_medium_limit_goes_as_a_large_parcel(self) -> None:
        # 60 mugs of 400 g: 24 kg, too heavy for Pakket (M), which does not split.
        rate = quote(("mok", 1, 60)).rate

        assert rate.method.name == "Pakket (L)"
        assert (rate.shipping, rate.handling) == (D("12.95"), D("1.10"))

    def test_weight_above_the_large_parcel_limit_adds_parcels(self) -> None:
        # An aluminium panel of 120 x 120 cm weighs 5760 g: five fit in 31.5 kg, six do not.
        five, six = quote(("aluminium_120x120", 1, 5)).rate, quote(("aluminium_120x120", 1, 6)).rate

        assert (five.shipping, five.consumer) == (D("12.95"), D("17.95"))
        assert (six.shipping, six.consumer) == (D("25.90"), D("35.90"))
        assert six.handling == D("1.50")

    @pytest.mark.parametrize(("grams", "pieces"), [("31500", 1), ("31500.01", 2), ("63000", 2), ("63001", 3)])
    def test_the_large_parcel_count_is_the_weight_over_31_5_kg_rounded_up(
        self, grams: str, pieces: int
    ) -> None:
        rate = choose(Parcel(OVERSIZE, D(grams)), country="DE", preference=AUTO)

        assert rate.method.name == "Pakket (L)"
        assert rate.shipping == pieces * D("24.95")
        assert rate.consumer == pieces * D("32.95")


class TestMethods:
    @pytest.mark.parametrize(
        ("name", "shipping_class", "grams", "carries"),
        [
            ("Brief (50 g)", FLAT, "50", True),
            ("Brief (50 g)", FLAT, "50.01", False),
            ("Brief (50 g)", LETTERBOX, "10", False),
            ("Brievenbuspakje", LETTERBOX, "2000", True),
            ("Brievenbuspakje", LETTERBOX, "2000.01", False),
            ("Brievenbuspakje", PARCEL, "10", False),
            ("Pakket (M)", PARCEL, "20000", True),
            ("Pakket (M)", PARCEL, "20000.01", False),
            ("Pakket (M)", OVERSIZE, "10", False),
            ("Pakket (L)", OVERSIZE, "100000", True),
            ("Pakket (L)", FLAT, "10", True),
        ],
    )
    def test_what_a_method_carries(
        self, name: str, shipping_class: ShippingClass, grams: str, carries: bool
    ) -> None:
        assert method(name).carries(shipping_class, D(grams)) is carries

    def test_only_the_letter_is_untracked(self) -> None:
        assert [m.name for m in METHODS if not m.is_trackable] == ["Brief (50 g)"]

    def test_combining_keeps_the_largest_class_and_adds_the_weights(self) -> None:
        combined = combine([Parcel(FLAT, D("36.40")), Parcel(PARCEL, D("122")), Parcel(LETTERBOX, D("199"))])

        assert combined == Parcel(PARCEL, D("357.40"))


parcels = st.builds(
    Parcel,
    st.sampled_from(list(ShippingClass)),
    st.decimals(min_value=D("0.01"), max_value=D("200000"), places=2, allow_nan=False, allow_infinity=False),
)
countries = st.sampled_from(["NL", "BE", "DE", "LU", "FR", "IT", "GB", "NO", "US", "JP"])


class TestChoiceProperties:
    @given(parcels, countries)
    def test_tracked_never_picks_an_untracked_method(self, parcel: Parcel, country: str) -> None:
        rate = choose(parcel, country=country, preference=TRACKED)

        assert rate.method.is_trackable
        assert rate.method.carries(parcel.shipping_class, parcel.grams)

    @given(parcels, countries, st.sampled_from(list(ShippingPreference)))
    def test_the_pick_is_the_cheapest_method_that_carries_the_parcel(
        self, parcel: Parcel, country: str, preference: ShippingPreference
    ) -> None:
        rate = choose(parcel, country=country, preference=preference)
        zone = zone_of(country)

        assert rate.method.carries(parcel.shipping_class, parcel.grams)
        for other in METHODS:
            if other.carries(parcel.shipping_class, parcel.grams) and (
                preference is AUTO or other.is_trackable
            ):
                assert rate.shipping <= other.prices[zone][0] * other.pieces(parcel.grams)

    @given(parcels, countries)
    def test_auto_never_costs_more_than_tracked_and_handling_is_the_same(
        self, parcel: Parcel, country: str
    ) -> None:
        auto = choose(parcel, country=country, preference=AUTO)
        tracked = choose(parcel, country=country, preference=TRACKED)

        assert auto.shipping <= tracked.shipping
        assert auto.handling == tracked.handling

    @given(parcels, countries)
    def test_handling_follows_the_size_class(self, parcel: Parcel, country: str) -> None:
        expected = {FLAT: D("0.40"), LETTERBOX: D("0.87"), PARCEL: D("1.10"), OVERSIZE: D("1.50")}

        assert choose(parcel, country=country, preference=AUTO).handling == expected[parcel.shipping_class]
