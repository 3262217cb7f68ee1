"""Shipping methods, zones, prices and handling (spec §3.8, §5.2). Pure data and rules.

A shipment is described by its heaviest shipping class and its weight. ``Auto`` picks the
cheapest method that carries it, ``Tracked`` the cheapest trackable one. Figures marked [R]/[D]
are the real service's; the rest are plausible choices of ours (PostNL-like, 2025 level).

    method            trackable  carries                      up to      NL price  consumer (incl. VAT)
    Brief (50 g)      no         flat                         50 g       1.38 [D]  2.15 [D]
    Brievenbuspakje   yes        flat, letterbox              2 kg       2.95 [R]  4.15 [R]
    Pakket (M)        yes        flat, letterbox, parcel      20 kg      6.95      9.95
    Pakket (L)        yes        everything                   31.5 kg    12.95     17.95
                                                              (one more parcel per 31.5 kg started)

Handling follows the size of the order, whatever the method: 0.40 [D][R] when everything is flat
(ten photo prints, also when sent Tracked), 0.87 [R] up to letterbox size (one hardcover book),
1.10 for a parcel, 1.50 for an oversize parcel.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from printapi.catalogue.spec import ShippingClass


class ShippingPreference(StrEnum):
    AUTO = "Auto"
    TRACKED = "Tracked"


class Zone(StrEnum):
    NL = "NL"
    EU1 = "EU1"  # neighbours: BE, LU, DE
    EU2 = "EU2"  # the rest of the EU
    EUROPE = "EUROPE"  # Europe outside the EU
    WORLD = "WORLD"


_EU1 = frozenset({"BE", "LU", "DE"})
_EU2 = frozenset(
    "AT BG HR CY CZ DK EE FI FR GR HU IE IT LV LT MT PL PT RO SK SI ES SE".split()  # noqa: SIM905 - a table
)
_EUROPE = frozenset(
    "GB CH NO IS LI MC SM VA AD AL BA ME MK RS UA MD GI FO GG JE IM XK".split()  # noqa: SIM905 - a table
)

HANDLING = {
    ShippingClass.FLAT: Decimal("0.40"),
    ShippingClass.LETTERBOX: Decimal("0.87"),
    ShippingClass.PARCEL: Decimal("1.10"),
    ShippingClass.OVERSIZE: Decimal("1.50"),
}

_CLASS_RANK = {
    ShippingClass.FLAT: 0,
    ShippingClass.LETTERBOX: 1,
    ShippingClass.PARCEL: 2,
    ShippingClass.OVERSIZE: 3,
}


def zone_of(country: str) -> Zone:
    if country == "NL":
        return Zone.NL
    if country in _EU1:
        return Zone.EU1
    if country in _EU2:
        return Zone.EU2
    if country in _EUROPE:
        return Zone.EUROPE
    return Zone.WORLD


@dataclass(frozen=True)
class Method:
    name: str
    is_trackable: bool
    largest_class: ShippingClass
    max_grams: int
    # Purchase price excl. VAT and consumer price incl. VAT (shipping + handling) per zone.
    prices: dict[Zone, tuple[Decimal, Decimal]]
    # Heavier shipments go as several parcels; letters and letterbox parcels cannot.
    splits: bool = False

    def carries(self, shipping_class: ShippingClass, grams: Decimal) -> bool:
        if _CLASS_RANK[shipping_class] > _CLASS_RANK[self.largest_class]:
            return False
        return self.splits or grams <= self.max_grams

    def pieces(self, grams: Decimal) -> int:
        return max(1, math.ceil(grams / self.max_grams)) if self.splits else 1


def _prices(*rows: tuple[str, str]) -> dict[Zone, tuple[Decimal, Decimal]]:
    return {
        zone: (Decimal(cost), Decimal(consumer)) for zone, (cost, consumer) in zip(Zone, rows, strict=True)
    }


# fmt: off
# Per zone (NL, EU1, EU2, EUROPE, WORLD): purchase price excl. VAT, consumer price incl. VAT.
METHODS: tuple[Method, ...] = (
    Method("Brief (50 g)", False, ShippingClass.FLAT, 50, _prices(
        ("1.38", "2.15"), ("2.10", "3.05"), ("2.10", "3.05"), ("2.10", "3.05"), ("2.10", "3.05"))),
    Method("Brievenbuspakje", True, ShippingClass.LETTERBOX, 2000, _prices(
        ("2.95", "4.15"), ("7.40", "9.95"), ("8.85", "11.95"), ("10.35", "13.95"), ("14.75", "18.95"))),
    Method("Pakket (M)", True, ShippingClass.PARCEL, 20000, _prices(
        ("6.95", "9.95"), ("12.95", "17.95"), ("17.50", "22.95"), ("24.50", "31.95"), ("34.75", "44.95"))),
    Method("Pakket (L)", True, ShippingClass.OVERSIZE, 31500, _prices(
        ("12.95", "17.95"), ("24.95", "32.95"), ("32.50", "41.95"), ("45.00", "57.95"), ("64.75", "81.95")),
        splits=True),
)
# fmt: on


@dataclass(frozen=True)
class Parcel:
    """What is being shipped: the heaviest class among the items and the total weight in grams."""

    shipping_class: ShippingClass
    grams: Decimal


def combine(parts: list[Parcel]) -> Parcel:
    heaviest = max((part.shipping_class for part in parts), key=_CLASS_RANK.__getitem__)
    return Parcel(heaviest, sum((part.grams for part in parts), Decimal(0)))


@dataclass(frozen=True)
class Rate:
    method: Method
    shipping: Decimal
    handling: Decimal
    consumer: Decimal


def choose(parcel: Parcel, *, country: str, preference: ShippingPreference) -> Rate:
    """The cheapest method that carries ``parcel`` (and is trackable when asked)."""
    zone = zone_of(country)
    candidates = [
        method
        for method in METHODS
        if method.carries(parcel.shipping_class, parcel.grams)
        and (preference is ShippingPreference.AUTO or method.is_trackable)
    ]
    # The large parcel splits, so there is always a candidate.
    rates = [_rate(method, zone, parcel) for method in candidates]
    return min(rates, key=lambda rate: (rate.shipping + rate.handling, rate.method.max_grams))


def _rate(method: Method, zone: Zone, parcel: Parcel) -> Rate:
    cost, consumer = method.prices[zone]
    pieces = method.pieces(parcel.grams)
    return Rate(
        method=method,
        shipping=cost * pieces,
        handling=HANDLING[parcel.shipping_class],
        consumer=consumer * pieces,
    )
