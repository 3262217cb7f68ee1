"""Products on the wire (spec §3.7), in the member order of the real B.2 response."""

from __future__ import annotations

from typing import Self

from printapi.catalogue.consumer import ConsumerPrice, ProductPrices
from printapi.catalogue.spec import FileType, Price, ProductionSpeed, ProductOption, ProductSpec
from printapi.kit.schema import Members, Number, PageOut, WireOut
from printapi.kit.urls import Urls


class PriceOut(WireOut):
    base: Number
    per_extra_page: Number


class ChoiceOut(WireOut):
    value: str
    name: str
    cost: PriceOut
    checkout: PriceOut | None = None


class ProductOptionOut(WireOut):
    id: str
    default: str
    label: str
    choices: list[ChoiceOut]


class FileSpecOut(WireOut):
    id: str
    height: Number
    width: Number
    bleed: Number
    accepts: list[FileType]


class ProductionTimeOut(WireOut):
    speed: ProductionSpeed
    days: int
    limit_hour: int


class ProductOut(WireOut):
    """Costs are purchase prices excl. VAT; file sizes are millimetres including bleed. With the
    payment screen on, ``checkout`` holds the consumer prices incl. VAT."""

    id: str
    name: str
    category: str
    tax_rate: Number
    cost: PriceOut
    checkout: PriceOut | None = None
    min_quantity: int
    max_quantity: int
    has_variable_page_count: bool
    fixed_page_count: int | None = None
    min_page_count: int | None = None
    max_page_count: int | None = None
    page_count_increment: int | None = None
    paper_thickness: Number | None = None
    options: list[ProductOptionOut]
    files: list[FileSpecOut]
    production_time_in_days: int
    production_times: list[ProductionTimeOut]

    @classmethod
    def of(cls, spec: ProductSpec, prices: ProductPrices | None = None) -> Self:
        return cls(
            id=spec.id,
            name=spec.name,
            category=spec.category,
            tax_rate=spec.tax_rate,
            cost=_price(spec.cost),
            checkout=_price(prices.product) if prices else None,
            min_quantity=spec.min_quantity,
            max_quantity=spec.max_quantity,
            has_variable_page_count=spec.has_variable_page_count,
            fixed_page_count=spec.fixed_page_count,
            min_page_count=spec.min_page_count,
            max_page_count=spec.max_page_count,
            page_count_increment=spec.page_count_increment,
            paper_thickness=spec.paper_thickness,
            options=[_option(option, prices) for option in spec.options],
            files=[
                {"id": f.id, "height": f.height, "width": f.width, "bleed": f.bleed, "accepts": f.accepts}
                for f in spec.files
            ],
            production_time_in_days=spec.standard_days,
            production_times=[
                {"speed": time.speed, "days": time.days, "limit_hour": time.limit_hour}
                for time in spec.production_times
            ],
        )


def _price(price: Price | ConsumerPrice) -> Members:
    return {"base": price.base, "per_extra_page": price.per_extra_page}


def _option(option: ProductOption, prices: ProductPrices | None) -> Members:
    choices = [
        {
            "value": choice.value,
            "name": choice.name,
            "cost": _price(choice.cost),
            "checkout": _price(prices.option(option.id, choice.value)) if prices else None,
        }
        for choice in option.choices
    ]
    return {"id": option.id, "default": option.default, "label": option.label, "choices": choices}


class ProductEntryOut(WireOut):
    id: str
    name: str
    url: str

    @classmethod
    def of(cls, product_id: str, name: str, urls: Urls) -> Self:
        return cls(id=product_id, name=name, url=urls.product(product_id))


class ProductListOut(PageOut):
    results: list[ProductEntryOut]
