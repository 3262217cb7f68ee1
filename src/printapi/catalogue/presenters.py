"""Products on the wire (spec §3.7, member order of the real B.2 response)."""

from __future__ import annotations

from typing import Any

from printapi.catalogue.consumer import ConsumerPrice, ProductPrices
from printapi.catalogue.spec import Price, ProductSpec
from printapi.kit.urls import Urls

Json = dict[str, Any]


def _price(price: Price) -> Json:
    return {"base": price.base, "perExtraPage": price.per_extra_page}


def _consumer(price: ConsumerPrice | None) -> Json | None:
    return {"base": price.base, "perExtraPage": price.per_extra_page} if price else None


def product(spec: ProductSpec, prices: ProductPrices | None = None) -> Json:
    """The product; with ``prices`` (payment screen on) also the consumer ``checkout`` prices."""
    return {
        "id": spec.id,
        "name": spec.name,
        "category": spec.category,
        "taxRate": spec.tax_rate,
        "cost": _price(spec.cost),
        "checkout": _consumer(prices.product) if prices else None,
        "minQuantity": spec.min_quantity,
        "maxQuantity": spec.max_quantity,
        "hasVariablePageCount": spec.has_variable_page_count,
        "fixedPageCount": spec.fixed_page_count,
        "minPageCount": spec.min_page_count,
        "maxPageCount": spec.max_page_count,
        "pageCountIncrement": spec.page_count_increment,
        "paperThickness": spec.paper_thickness,
        "options": [
            {
                "id": option.id,
                "default": option.default,
                "label": option.label,
                "choices": [
                    {
                        "value": choice.value,
                        "name": choice.name,
                        "cost": _price(choice.cost),
                        "checkout": _consumer(prices.option(option.id, choice.value)) if prices else None,
                    }
                    for choice in option.choices
                ],
            }
            for option in spec.options
        ],
        "files": [
            {"id": f.id, "height": f.height, "width": f.width, "bleed": f.bleed, "accepts": list(f.accepts)}
            for f in spec.files
        ],
        "productionTimeInDays": spec.standard_days,
        "productionTimes": [
            {"speed": time.speed, "days": time.days, "limitHour": time.limit_hour}
            for time in spec.production_times
        ],
    }


def listing_entry(product_id: str, name: str, urls: Urls) -> Json:
    return {"id": product_id, "name": name, "url": urls.product(product_id)}
