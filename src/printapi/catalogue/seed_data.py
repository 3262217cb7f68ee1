"""The seed catalogue: a ``ProductSpec`` for every product of Appendix A (``products.txt``).

This module owns the rules that turn a product id into its details: one rule per family (books,
panels, posters, cards, ...), picked by id prefix, plus a small table of one-off gifts. Sizes come
from the id (``a4_lig``, ``30x40`` in cm); prices come from a few anchor points per family.

Values marked [R] or [D] in the spec (``boek_hc_a4_lig`` in B.2, the photo-print quote) are real.
The §5.2 table values are kept exactly. Everything else is a plausible invention at 2025 levels:
purchase prices excl. VAT in EUR, millimetres, grams.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache, partial
from importlib.resources import files
from itertools import pairwise
from typing import Literal, NamedTuple

from printapi.catalogue.spec import (
    Choice,
    FileSpec,
    FileType,
    Price,
    ProductionSpeed,
    ProductionTime,
    ProductOption,
    ProductSpec,
    ShippingClass,
)

_CENT = Decimal("0.01")
_NICKEL = Decimal("0.05")
_ZERO = Decimal("0.00")
_PDF = (FileType.PDF,)
_IMAGE = (FileType.PNG, FileType.JPEG)
_ANY = (FileType.PDF, FileType.PNG, FileType.JPEG)

# (Standard days, Express days or None); the cut-off hour is 11 everywhere.
_BOOK_TIMES = (3, 2)
_QUICK_TIMES = (2, 1)  # photo prints, cards, calendars, small print work
_WALL_TIMES = (4, None)  # wall decor, canvas, posters, enlargements, puzzles
_GIFT_TIMES = (2, None)

_A_SIZES = {"a0": (841, 1189), "a1": (594, 841), "a2": (420, 594), "a3": (297, 420),
            "a4": (210, 297), "a5": (148, 210), "a6": (105, 148)}  # fmt: skip
_A_RE = re.compile(r"(?:^|_)(a[0-6])(?:_(sta|lig))?(?=_|$)")
_SIZE_RE = re.compile(r"(?:^|_)(\d+)x(\d+)(?=_|$)")
_A4 = (210, 297)
_LETTER = (229, 324)  # a C4 envelope
_LETTERBOX = (265, 380)  # a brievenbuspakje
_LETTER_GRAMS = 50
_LETTERBOX_GRAMS = 2000


# -- small helpers -------------------------------------------------------------------------------


def _d(value: str | int | Decimal) -> Decimal:
    """A decimal with exactly two places, as the wire writes it."""
    return Decimal(value).quantize(_CENT, rounding=ROUND_HALF_UP)


def _nice(value: Decimal) -> Decimal:
    """Round a price to the nearest 5 cents (x.x0 or x.x5)."""
    return _d((value / _NICKEL).quantize(Decimal(1), rounding=ROUND_HALF_UP) * _NICKEL)


def _interpolate(x: int, anchors: Sequence[tuple[int, str]]) -> Decimal:
    """Piecewise-linear value through ``(x, value)`` anchors, extended past both ends; exact at anchors."""
    points = [(Decimal(at), Decimal(value)) for at, value in anchors]
    segments = list(pairwise(points))
    (x0, y0), (x1, y1) = next((seg for seg in segments if x <= seg[1][0]), segments[-1])
    return y0 + (Decimal(x) - x0) / (x1 - x0) * (y1 - y0)


def _trim_mm(product_id: str) -> tuple[int, int]:
    """Trim (width, height) in mm from an id: ``a4_sta``/``a4_lig`` or ``WxH`` in cm."""
    if match := _A_RE.search(product_id):
        width, height = _A_SIZES[match[1]]
        return (height, width) if match[2] == "lig" else (width, height)
    if match := _SIZE_RE.search(product_id):
        return int(match[1]) * 10, int(match[2]) * 10
    raise ValueError(f"no size in product id {product_id!r}")


def _format(product_id: str) -> str:
    """The size key of a price table: ``a4`` or ``21x21`` as written in the id."""
    match = _A_RE.search(product_id) or _SIZE_RE.search(product_id)
    if match is None:
        raise ValueError(f"no size in product id {product_id!r}")
    return match[1] if match[1].startswith("a") else f"{match[1]}x{match[2]}"


def _count(text: str, pattern: str) -> int | None:
    match = re.search(pattern, text)
    return int(match[1]) if match else None


def _pack_size(product_id: str, name: str) -> int | None:
    """Pieces in a pack: ``_8st`` in the id or ``(8 st)``/``(3 stuks)`` in the name."""
    return _count(product_id, r"_(\d+)st(?:_|$)") or _count(name, r"\((\d+) st")


def _area_m2(width: int, height: int) -> Decimal:
    return Decimal(width * height) / Decimal(1_000_000)


def _fits(width: int, height: int, box: tuple[int, int]) -> bool:
    return min(width, height) <= box[0] and max(width, height) <= box[1]


def _mail_class(width: int, height: int, grams: Decimal) -> ShippingClass:
    """The smallest class that carries a flat item of this trim size and weight."""
    if grams <= _LETTER_GRAMS and _fits(width, height, _LETTER):
        return ShippingClass.FLAT
    if grams <= _LETTERBOX_GRAMS and _fits(width, height, _LETTERBOX):
        return ShippingClass.LETTERBOX
    return ShippingClass.PARCEL


def _price(base: str | Decimal, per_extra_page: str | Decimal = "0.00") -> Price:
    return Price(base=_d(base), per_extra_page=_d(per_extra_page))


def _set_price(single: Decimal, count: int) -> Decimal:
    """A pack of ``count`` costs three quarters of the singles."""
    return _nice(single * count * Decimal("0.75"))


def _file(
    kind: Literal["content", "cover"],
    width: int | Decimal,
    height: int,
    bleed: int,
    accepts: Sequence[FileType],
    *,
    pages: int | None = None,
) -> FileSpec:
    return FileSpec(
        id=kind, width=_d(width), height=_d(height), bleed=_d(bleed), accepts=list(accepts), pages=pages
    )


def _content(width: int, height: int, bleed: int, accepts: Sequence[FileType]) -> FileSpec:
    """The content file: the trim size plus the bleed on every side."""
    return _file("content", width + 2 * bleed, height + 2 * bleed, bleed, accepts)


def _option(option_id: str, label: str, *choices: tuple[str, str, str, str]) -> ProductOption:
    """An option whose first choice is the default; choices are (value, name, base, perExtraPage)."""
    return ProductOption(
        id=option_id,
        default=choices[0][0],
        label=label,
        choices=[Choice(value=v, name=n, cost=_price(b, p)) for v, n, b, p in choices],
    )


_COVER_FINISH = ("Afwerking omslag", ("laminate_gloss", "Glans laminaat", "0.00", "0.00"))
_HARDCOVER_OPTIONS = (  # B.2 [R], the same for every hardcover format
    _option("cover_finish", *_COVER_FINISH, ("laminate_matte", "Mat laminaat", "2.75", "0.00")),
    _option(
        "content_finish",
        "Afwerking binnenwerk",
        ("standard", "Standaard", "0.00", "0.00"),
        ("uv_gloss", "UV Hoogglans", "1.98", "0.07"),
    ),
)
_SOFTCOVER_OPTIONS = (
    _option("cover_finish", *_COVER_FINISH, ("laminate_matte", "Mat laminaat", "1.50", "0.00")),
)
_HANGING = _option(
    "ophangsysteem",
    "Ophangsysteem",
    ("geen", "Geen", "0.00", "0.00"),
    ("blind", "Blind ophangsysteem", "4.95", "0.00"),
)


@dataclass(frozen=True)
class _Pages:
    """A variable page range: ``low`` is included in the base price."""

    low: int
    high: int
    step: int


def _spec(
    product_id: str,
    name: str,
    *,
    category: str,
    cost: Price,
    pages: int | _Pages,
    files: list[FileSpec],
    times: tuple[int, int | None],
    shipping: ShippingClass,
    grams: Decimal,
    grams_per_page: Decimal = _ZERO,
    paper_thickness: str | None = None,
    options: Sequence[ProductOption] = (),
) -> ProductSpec:
    """Every product passes here: tax rate, quantities and production times are the same rules for all."""
    span = pages if isinstance(pages, _Pages) else None
    return ProductSpec(
        id=product_id,
        name=name,
        category=category,
        tax_rate=_tax_rate(product_id),
        cost=cost,
        min_quantity=1,
        max_quantity=1000,
        has_variable_page_count=span is not None,
        fixed_page_count=pages if isinstance(pages, int) else None,
        min_page_count=span.low if span else None,
        max_page_count=span.high if span else None,
        page_count_increment=span.step if span else None,
        paper_thickness=_d(paper_thickness) if paper_thickness else None,
        options=list(options),
        files=files,
        production_times=_production_times(*times),
        shipping_class=shipping,
        weight_grams=max(1, math.ceil(grams)),
        weight_per_page_grams=_d(grams_per_page),
    )


def _production_times(standard: int, express: int | None) -> list[ProductionTime]:
    speeds = [(ProductionSpeed.STANDARD, standard), (ProductionSpeed.EXPRESS, express)]
    return [
        ProductionTime(speed=speed, days=days, limit_hour=11) for speed, days in speeds if days is not None
    ]


_REDUCED_RATE = ("boek_", "magazine_", "agenda_", "notitieboek_", "collegeblok_")


def _tax_rate(product_id: str) -> Decimal:
    """Books, magazines, agendas and notebooks carry the reduced Dutch VAT; the rest (calendars too) 21 %."""
    return _d("0.09") if product_id.startswith(_REDUCED_RATE) else _d("0.21")


# -- books, magazines, agendas, notebooks -------------------------------------------------------


def _hardcover_cover(width: int, height: int, fixed_pages: int | None) -> FileSpec:
    """Wrap-around: two boards + 52 mm (spine, hinges, turn-in), 43 mm taller (reproduces B.2)."""
    spine = Decimal(max(0, (fixed_pages or 24) - 24) // 2) * Decimal("0.14")  # a fixed book's own spine
    return _file("cover", 2 * width + 52 + spine, height + 43, 19, _PDF, pages=1)


def _softcover_cover(width: int, height: int, _fixed_pages: int | None) -> FileSpec:
    return _file("cover", 2 * width + 6, height + 6, 3, _PDF, pages=1)


def _spiral_cover(width: int, height: int, _fixed_pages: int | None) -> FileSpec:
    """Front and back as two pages of the content size."""
    return _file("cover", width + 6, height + 6, 3, _PDF, pages=2)


@dataclass(frozen=True)
class _Binding:
    category: str
    pages: _Pages | int
    prices: Mapping[str, tuple[str, str]]  # size key -> (base, perExtraPage)
    cover: Callable[[int, int, int | None], FileSpec] | None
    cover_grams_per_m2: int  # boards or cover card, per m² of trim
    page_grams_per_m2: int  # one page is one side of a leaf: half the paper weight
    paper_thickness: str | None = None
    options: tuple[ProductOption, ...] = ()


_STAPLED_PRICES = {"a4": ("3.95", "0.12"), "a5": ("2.95", "0.08"), "21x21": ("3.50", "0.10")}
_BINDINGS = {
    "hardcover": _Binding("Hardcover boeken", _Pages(24, 200, 2), {
        "a4": ("10.88", "0.25"), "a5": ("8.69", "0.25"), "a6": ("6.95", "0.18"), "14x14": ("7.45", "0.18"),
        "148x148": ("7.45", "0.18"), "21x21": ("11.50", "0.27"), "30x30": ("19.95", "0.45"),
        "29x35": ("21.95", "0.49"), "35x29": ("21.95", "0.49")},
        _hardcover_cover, 4000, 100, "0.14", _HARDCOVER_OPTIONS),
    "lay_flat": _Binding("Hardcover boeken", _Pages(20, 100, 2), {
        "a4": ("17.95", "0.55"), "a5": ("13.95", "0.50"), "14x14": ("11.95", "0.40"),
        "148x148": ("11.95", "0.40"), "21x21": ("18.95", "0.60"), "30x30": ("29.95", "0.95"),
        "35x29": ("32.95", "1.05")},
        _hardcover_cover, 4000, 250, "0.14", _HARDCOVER_OPTIONS),
    "softcover": _Binding("Softcover boeken", _Pages(32, 300, 2), {
        "a4": ("6.95", "0.08"), "a5": ("4.95", "0.05"), "a6": ("3.95", "0.04"), "21x21": ("6.50", "0.07"),
        "30x30": ("11.95", "0.14")},
        _softcover_cover, 700, 75, "0.10", _SOFTCOVER_OPTIONS),
    "spiral": _Binding("Spiraal boeken", _Pages(16, 200, 2), {
        "a4": ("7.50", "0.09"), "a5": ("5.50", "0.06"), "a6": ("4.50", "0.05"), "21x21": ("6.95", "0.08")},
        _spiral_cover, 800, 85),
    "stapled": _Binding("Geniete boeken", _Pages(8, 48, 4), _STAPLED_PRICES, None, 0, 65),
    "magazine": _Binding("Magazines", _Pages(8, 64, 4), _STAPLED_PRICES, None, 0, 65),
    "agenda_hc": _Binding("Agenda's", 128, {"a5": ("12.95", "0.00")}, _hardcover_cover, 4000, 45),
    "agenda_wo": _Binding("Agenda's", 128, {"a5": ("9.95", "0.00"), "a6": ("7.95", "0.00"),
                                            "15x15": ("8.95", "0.00")}, _spiral_cover, 800, 45),
    "notebook_hc": _Binding("Notitieboeken", 96, {"a5": ("9.95", "0.00")}, _hardcover_cover, 4000, 45),
    "collegeblok": _Binding("Notitieboeken", 160, {"a4": ("5.95", "0.00")}, _spiral_cover, 800, 40),
}  # fmt: skip


def _book(binding: _Binding, product_id: str, name: str) -> ProductSpec:
    width, height = _trim_mm(product_id)
    if width >= 1000:  # book sizes are cm except boek_hc_148x148, which is in mm
        width, height = width // 10, height // 10
    fixed = binding.pages if isinstance(binding.pages, int) else None
    first = fixed or (binding.pages.low if isinstance(binding.pages, _Pages) else 1)
    base, per_page = binding.prices[_format(product_id)]
    files = [_content(width, height, 3, _PDF)]
    if binding.cover is not None:
        files.append(binding.cover(width, height, fixed))
    area = _area_m2(width, height)
    page_grams = _d(area * binding.page_grams_per_m2)
    return _spec(
        product_id,
        name,
        category=binding.category,
        cost=_price(base, per_page),
        pages=binding.pages,
        files=files,
        times=_BOOK_TIMES,
        shipping=ShippingClass.LETTERBOX if _fits(width, height, _A4) else ShippingClass.PARCEL,
        grams=area * binding.cover_grams_per_m2 + first * page_grams,
        grams_per_page=page_grams if fixed is None else _ZERO,
        paper_thickness=binding.paper_thickness if fixed is None else None,
        options=binding.options,
    )


def _hardcover(product_id: str, name: str) -> ProductSpec:
    binding = "lay_flat" if product_id.endswith("_vl") else "hardcover"
    return _book(_BINDINGS[binding], product_id, name)


# -- photo prints, cards, calendars -------------------------------------------------------------

_PRINT_PRICES = ((0, "0.04"), (15_000, "0.12"))  # per print by mm²; 15x10 is §5.2's 0.12
_PRINT_GRAMS_PER_M2 = 240


def _photo_prints(product_id: str, name: str, *, size: tuple[int, int] | None = None) -> ProductSpec:
    """Variable: pageCount is the number of prints. A pack (``(8 st)``) is a fixed number of prints."""
    width, height = size or _trim_mm(product_id)
    per_print = _d(_interpolate(width * height, _PRINT_PRICES))
    print_grams = _d(_area_m2(width, height) * _PRINT_GRAMS_PER_M2)
    pack = _pack_size(product_id, name)
    pages: int | _Pages = pack or _Pages(1, 500, 1)
    cost = _price(per_print * pack) if pack else _price("0.00", per_print)
    grams = print_grams * (pack or 1)
    return _spec(
        product_id,
        name,
        category="Fotoprints",
        cost=cost,
        pages=pages,
        files=[_content(width, height, 3, _ANY)],
        times=_QUICK_TIMES,
        shipping=_mail_class(width, height, grams),
        grams=grams,
        grams_per_page=_ZERO if pack else print_grams,
    )


def _retroprint_deluxe(product_id: str, name: str) -> ProductSpec:
    """A single print on thick card with a wide white border."""
    width, height = _trim_mm(product_id)
    price = _nice(_interpolate(width * height, ((0, "1.95"), (28_500, "2.95"))))
    grams = _area_m2(width, height) * 350
    return _spec(
        product_id,
        name,
        category="Fotoprints",
        cost=_price(price),
        pages=1,
        files=[_content(width, height, 3, _ANY)],
        times=_QUICK_TIMES,
        shipping=_mail_class(width, height, grams),
        grams=grams,
    )


_CARD_PRICES = {
    True: {"a4": "2.95", "a5": "1.95", "a6": "1.25", "14x14": "1.45", "10x10": "0.95"},  # folded (dubbel)
    False: {"a5": "0.95", "a6": "0.65"},  # single sheet (enkel)
}


def _card(folded: bool, product_id: str, name: str) -> ProductSpec:
    """Two pages (outside + inside spread, or front + back); a pack is copies of one design (§5.2)."""
    width, height = _trim_mm(product_id)
    single = Decimal(_CARD_PRICES[folded][_format(product_id)])
    count = _pack_size(product_id, name) or 1
    price = single if count == 1 else _set_price(single, count)
    if product_id.endswith("_indv"):  # each card in its own cellophane sleeve
        price += Decimal("0.10") * count
    sheet_width = 2 * width if folded else width
    grams = count * (_area_m2(sheet_width, height) * 300 + 5)  # 300 g/m² card + an envelope
    return _spec(
        product_id,
        name,
        category="Kaarten",
        cost=_price(price),
        pages=2,
        files=[_content(sheet_width, height, 3, _PDF)],
        times=_QUICK_TIMES,
        shipping=_mail_class(width, height, grams),
        grams=grams,
    )


_CALENDAR_PRICES = ((0, "2.95"), (13 * 210 * 297, "9.95"))  # by printed mm²; A4 13P is §5.2's 9.95


def _calendar(product_id: str, name: str) -> ProductSpec:
    width, height = _trim_mm(product_id)
    pages = _count(product_id, r"_(\d+)p$") or 13
    grams = pages * _area_m2(width, height) * 250 + 60  # 250 g/m² sheets, wire and back board
    return _spec(
        product_id,
        name,
        category="Kalenders",
        cost=_price(_nice(_interpolate(pages * width * height, _CALENDAR_PRICES))),
        pages=pages,
        files=[_content(width, height, 3, _PDF)],
        times=_QUICK_TIMES,
        shipping=ShippingClass.LETTERBOX if _fits(width, height, _A4) else ShippingClass.PARCEL,
        grams=grams,
    )


# -- wall decor, posters, canvas, puzzles, tiles ------------------------------------------------


@dataclass(frozen=True)
class _Wall:
    category: str
    prices: tuple[tuple[int, str], ...]  # (trim mm², price) anchors
    grams_per_m2: int
    extra_grams: int = 0  # frame, tube, packaging
    bleed: int = 3
    rolled: bool = False  # ships rolled in a tube: a parcel whatever its length
    hanging: bool = False  # offers the ophangsysteem option
    factor: str = "1.00"  # price factor over the anchors


_DECOR = "Wanddecoratie"
_POSTER_PRICES = ((297 * 420, "4.50"), (420 * 594, "6.95"), (594 * 841, "9.95"), (841 * 1189, "14.95"))
_CANVAS_PRICES = ((300 * 400, "17.50"), (400 * 600, "24.95"), (600 * 900, "39.95"))
_WALLS = {
    "aluminium": _Wall(_DECOR, ((0, "9.95"), (400 * 600, "29.95")), 4000, hanging=True),
    "dibond": _Wall(_DECOR, ((0, "10.95"), (600 * 400, "32.95")), 3800, hanging=True),
    "forex_3mm": _Wall(_DECOR, ((0, "4.95"), (300 * 400, "12.95")), 2100, hanging=True),
    "forex_13mm": _Wall(_DECOR, ((0, "7.95"), (300 * 400, "19.95")), 6500, hanging=True),
    "plexiglas": _Wall(_DECOR, ((0, "11.95"), (400 * 600, "34.95")), 6000, hanging=True),
    "berkenplex": _Wall(_DECOR, ((0, "9.95"), (400 * 600, "27.95")), 5500, hanging=True),
    "vurenhout": _Wall(_DECOR, ((0, "11.95"), (400 * 600, "29.95")), 8000, hanging=True),
    "kurk": _Wall(_DECOR, ((0, "6.95"), (400 * 600, "19.95")), 1500, hanging=True),
    "karton": _Wall(_DECOR, ((0, "3.95"), (400 * 600, "11.95")), 1000, hanging=True),
    "canvas": _Wall("Canvas", _CANVAS_PRICES, 1800, 150, bleed=43, hanging=True),
    "canvas_met_lijst": _Wall("Canvas", _CANVAS_PRICES, 1800, 600, bleed=43, hanging=True, factor="1.50"),
    "poster": _Wall("Posters", _POSTER_PRICES, 170, 100, rolled=True),
    "poster_hd": _Wall("Posters", _POSTER_PRICES, 200, 100, rolled=True, factor="1.50"),
    "tuinposter": _Wall("Posters", ((0, "7.95"), (1000 * 1000, "29.95")), 220, 100),
    "textielposter": _Wall("Textiel", ((0, "7.95"), (400 * 600, "19.95")), 250, 50, rolled=True),
    "fotovergrotingen": _Wall(
        "Fotovergrotingen", ((0, "1.95"), (300 * 400, "5.95"), (600 * 900, "19.95")), 240, 100, rolled=True
    ),
    "foto_in_lijst": _Wall("Lijsten", ((0, "9.95"), (300 * 400, "19.95")), 5500, 300),
}


def _wall(kind: _Wall, product_id: str, name: str) -> ProductSpec:
    """One print to hang (``_3bld``: a set of three); the content wraps around canvas frames."""
    width, height = _trim_mm(product_id)
    designs = 3 if product_id.endswith("_3bld") else 1
    single = _nice(_interpolate(width * height, kind.prices) * Decimal(kind.factor))
    oversize = not kind.rolled and max(width, height) > 1000
    return _spec(
        product_id,
        name,
        category=kind.category,
        cost=_price(single if designs == 1 else _set_price(single, designs)),
        pages=designs,
        files=[_content(width, height, kind.bleed, _ANY)],
        times=_WALL_TIMES,
        shipping=ShippingClass.OVERSIZE if oversize else ShippingClass.PARCEL,
        grams=designs * (_area_m2(width, height) * kind.grams_per_m2 + kind.extra_grams),
        options=[_HANGING] if kind.hanging else [],
    )


def _forex(product_id: str, name: str) -> ProductSpec:
    """Forex comes 3 mm thin or 13 mm thick; only the name says which ("Forex 20 x 30 cm - 13 mm")."""
    return _wall(_WALLS["forex_13mm" if "13 mm" in name else "forex_3mm"], product_id, name)


# By number of pieces; None is the heart-shaped puzzle, whose id gives no piece count.
_PUZZLE_PRICES = {24: "14.95", 54: "17.95", 120: "8.95", 252: "10.95", 315: "11.95", 500: "13.95",
                  1000: "17.95", 1500: "22.95", None: "9.95"}  # fmt: skip


def _puzzle(product_id: str, name: str) -> ProductSpec:
    width, height = _trim_mm(product_id)
    grams_per_m2 = 6000 if name.startswith("Houten") else 1500  # plywood or cardboard
    return _spec(
        product_id,
        name,
        category="Puzzels",
        cost=_price(_PUZZLE_PRICES[_count(product_id, r"_(\d+)st$")]),
        pages=1,
        files=[_content(width, height, 3, _ANY)],
        times=_WALL_TIMES,
        shipping=ShippingClass.PARCEL,
        grams=_area_m2(width, height) * grams_per_m2 + 150,
    )


_TILE_EXTRAS = (
    ("_hd", "1.50", 0),
    ("tegelhanger", "1.95", 20),
    ("tegelhouder", "2.95", 150),
    ("baklijst", "7.95", 600),
)  # (id part, price, grams)


def _tile(product_id: str, name: str) -> ProductSpec:
    """Ceramic tiles (15x15 unless the id says otherwise), with optional HD print, hanger, holder or frame."""
    width, height = _trim_mm(product_id) if _SIZE_RE.search(product_id) else (150, 150)
    extras = [(Decimal(price), grams) for part, price, grams in _TILE_EXTRAS if part in product_id]
    price = _nice(_interpolate(width * height, ((0, "1.95"), (150 * 150, "5.95"))))
    return _spec(
        product_id,
        name,
        category="Tegeltjes",
        cost=_price(price + sum((extra for extra, _ in extras), _ZERO)),
        pages=1,
        files=[_content(width, height, 2, _IMAGE)],
        times=_GIFT_TIMES,
        shipping=ShippingClass.PARCEL,
        grams=_area_m2(width, height) * 14_000 + sum(grams for _, grams in extras),
    )


# -- one-offs: gifts and small print work --------------------------------------------------------


class _Item(NamedTuple):
    category: str
    size: tuple[int, int]  # printed area in mm, without bleed
    bleed: int
    price: str
    grams: int
    shipping: ShippingClass
    accepts: tuple[FileType, ...] = _IMAGE
    pages: int = 1  # designs x pages per design
    times: tuple[int, int | None] = _GIFT_TIMES


_GIFT, _PRINT = "Cadeaus", "Drukwerk"
_FLAT, _BOX, _PARCEL = ShippingClass.FLAT, ShippingClass.LETTERBOX, ShippingClass.PARCEL
_ONE_OFFS = {
    "bidon": _Item(_GIFT, (200, 90), 0, "9.95", 150, _PARCEL),
    "bierglas": _Item(_GIFT, (70, 90), 0, "7.95", 400, _PARCEL),
    "boekenleggers_50x210_6st": _Item(_PRINT, (50, 210), 3, "4.95", 25, _FLAT, _PDF, 12, _QUICK_TIMES),
    "broodtrommel": _Item(_GIFT, (180, 120), 0, "9.95", 250, _PARCEL),
    "champagneglas": _Item(_GIFT, (50, 60), 0, "7.95", 250, _PARCEL),
    "flyers_a5_lig_50st": _Item(_PRINT, (210, 148), 3, "9.95", 270, _BOX, _PDF, 2, _QUICK_TIMES),
    "flyers_a5_sta_50st": _Item(_PRINT, (148, 210), 3, "9.95", 270, _BOX, _PDF, 2, _QUICK_TIMES),
    "fotostrips": _Item("Fotoprints", (50, 150), 3, "2.95", 11, _FLAT, _ANY, 6, _QUICK_TIMES),
    "inpakpapier_3st": _Item(_GIFT, (500, 700), 3, "12.95", 250, _PARCEL, _ANY, 3),
    "kerstballen_2st": _Item(_GIFT, (70, 70), 0, "9.95", 120, _PARCEL),
    "kerstballen_wit_keramiek_2x": _Item(_GIFT, (60, 60), 0, "11.95", 200, _PARCEL),
    "klok_30x30_rond": _Item(_GIFT, (300, 300), 3, "19.95", 900, _PARCEL, _ANY),
    "magische_mok": _Item(_GIFT, (206, 86), 0, "9.95", 400, _PARCEL),
    "memory_spel_54x54_30st": _Item("Puzzels", (54, 54), 3, "14.95", 350, _PARCEL, _PDF, 15, _WALL_TIMES),
    "merci_chocolade_250g": _Item(_GIFT, (250, 120), 3, "8.95", 320, _PARCEL, _ANY),
    "mok": _Item(_GIFT, (206, 86), 0, "6.95", 400, _PARCEL),
    "mondkapje": _Item("Textiel", (180, 120), 0, "4.95", 20, _BOX),
    "muismat_25x22_hart": _Item(_GIFT, (250, 220), 3, "7.95", 150, _BOX),
    "muismat_22x22_rond": _Item(_GIFT, (220, 220), 3, "7.45", 140, _BOX),
    "muismat_22x20": _Item(_GIFT, (220, 200), 3, "6.95", 130, _BOX),
    "placemats_a3_10st": _Item(_GIFT, (420, 297), 3, "14.95", 400, _PARCEL, _ANY),
    "sneeuwbol": _Item(_GIFT, (70, 70), 0, "12.95", 450, _PARCEL),
    "straatnaambord_70x15": _Item(_GIFT, (700, 150), 3, "24.95", 1200, _PARCEL, _ANY),
    "theeglas": _Item(_GIFT, (180, 70), 0, "6.95", 250, _PARCEL),
    "theeglazen_4st": _Item(_GIFT, (180, 70), 0, "22.95", 1000, _PARCEL),
    "tony_chocolonely": _Item(_GIFT, (210, 90), 3, "5.95", 200, _BOX, _ANY),
    "visitekaartjes_lig_50st": _Item(_PRINT, (85, 55), 3, "7.95", 85, _BOX, _PDF, 2, _QUICK_TIMES),
    "visitekaartjes_sta_50st": _Item(_PRINT, (55, 85), 3, "7.95", 85, _BOX, _PDF, 2, _QUICK_TIMES),
    "wijnglas": _Item(_GIFT, (60, 60), 0, "7.95", 300, _PARCEL),
    "wijnkist_1_vaks": _Item(_GIFT, (100, 330), 3, "19.95", 1200, _PARCEL, _ANY),
    "wijnkist_2_vaks": _Item(_GIFT, (190, 330), 3, "29.95", 2000, _PARCEL, _ANY),
}


def _one_off(item: _Item, product_id: str, name: str) -> ProductSpec:
    return _spec(
        product_id,
        name,
        category=item.category,
        cost=_price(item.price),
        pages=item.pages,
        files=[_content(*item.size, item.bleed, item.accepts)],
        times=item.times,
        shipping=item.shipping,
        grams=Decimal(item.grams),
    )


# -- the family table and the catalogue ---------------------------------------------------------

Rule = Callable[[str, str], ProductSpec]

# First matching prefix wins, so longer prefixes come before the shorter ones they extend.
_FAMILIES: tuple[tuple[str, Rule], ...] = (
    ("boek_hc_", _hardcover),
    ("boek_sc_", partial(_book, _BINDINGS["softcover"])),
    ("boek_wo_", partial(_book, _BINDINGS["spiral"])),
    ("boek_ge_", partial(_book, _BINDINGS["stapled"])),
    ("magazine_", partial(_book, _BINDINGS["magazine"])),
    ("agenda_hc_", partial(_book, _BINDINGS["agenda_hc"])),
    ("agenda_wo_", partial(_book, _BINDINGS["agenda_wo"])),
    ("notitieboek_hc_", partial(_book, _BINDINGS["notebook_hc"])),
    ("collegeblok_", partial(_book, _BINDINGS["collegeblok"])),
    ("fotoprints_", _photo_prints),
    ("retroprints", partial(_photo_prints, size=(89, 108))),
    ("retroprint_deluxe_", _retroprint_deluxe),
    ("kaart_dubbel_", partial(_card, True)),
    ("kaart_enkel_", partial(_card, False)),
    ("kaarten_dubbel_", partial(_card, True)),
    ("kaarten_enkel_", partial(_card, False)),
    ("kalender_", _calendar),
    ("forex_", _forex),
    ("poster_hd_", partial(_wall, _WALLS["poster_hd"])),
    ("canvas_met_lijst_", partial(_wall, _WALLS["canvas_met_lijst"])),
    ("aluminium_", partial(_wall, _WALLS["aluminium"])),
    ("dibond_", partial(_wall, _WALLS["dibond"])),
    ("plexiglas_", partial(_wall, _WALLS["plexiglas"])),
    ("berkenplex_", partial(_wall, _WALLS["berkenplex"])),
    ("vurenhout_", partial(_wall, _WALLS["vurenhout"])),
    ("kurk_", partial(_wall, _WALLS["kurk"])),
    ("karton_", partial(_wall, _WALLS["karton"])),
    ("canvas_", partial(_wall, _WALLS["canvas"])),
    ("poster_", partial(_wall, _WALLS["poster"])),
    ("tuinposter_", partial(_wall, _WALLS["tuinposter"])),
    ("textielposter_", partial(_wall, _WALLS["textielposter"])),
    ("fotovergrotingen_", partial(_wall, _WALLS["fotovergrotingen"])),
    ("foto_in_lijst_", partial(_wall, _WALLS["foto_in_lijst"])),
    ("puzzel_", _puzzle),
    ("tegeltje", _tile),
)


def _rule(product_id: str) -> Rule:
    if product_id in _ONE_OFFS:
        return partial(_one_off, _ONE_OFFS[product_id])
    rule = next((rule for prefix, rule in _FAMILIES if product_id.startswith(prefix)), None)
    if rule is None:
        raise ValueError(f"no catalogue rule for product {product_id!r}")
    return rule


def _product_lines() -> list[tuple[str, str]]:
    """``(id, name)`` of every line of products.txt, in file (API) order; names kept exactly."""
    text = files("printapi.catalogue").joinpath("products.txt").read_text(encoding="utf-8")
    return [(pid, name) for pid, name in (line.split(" | ", 1) for line in text.splitlines() if line)]


@cache
def _built() -> tuple[ProductSpec, ...]:
    return tuple(_rule(pid)(pid, name) for pid, name in _product_lines())


def catalogue() -> list[ProductSpec]:
    """Every product of products.txt, in file order, built deterministically by the rules above."""
    return list(_built())
