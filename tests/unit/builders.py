"""Small keyword-only builders of the unit tier: seed products by id and made-up product specs."""

from __future__ import annotations

from functools import cache
from typing import Any

from printapi.catalogue.seed_data import catalogue
from printapi.catalogue.spec import ProductSpec


@cache
def _seed() -> dict[str, ProductSpec]:
    return {spec.id: spec for spec in catalogue()}


def product(product_id: str) -> ProductSpec:
    """A product of the seed catalogue (Appendix A), as the server serves it."""
    return _seed()[product_id]


def seed_products() -> list[ProductSpec]:
    return list(_seed().values())


def content_file() -> dict[str, Any]:
    return {"id": "content", "width": "216.00", "height": "303.00", "bleed": "3.00", "accepts": ["PDF"]}


def cover_file() -> dict[str, Any]:
    return {
        "id": "cover",
        "width": "472.00",
        "height": "340.00",
        "bleed": "19.00",
        "accepts": ["PDF"],
        "pages": 1,
    }


def spec_fields(**changes: Any) -> dict[str, Any]:
    """The fields of a valid variable-page book (24–200 pages in steps of 2), with ``changes`` applied."""
    fields: dict[str, Any] = {
        "id": "test_book",
        "name": "Test Book",
        "category": "Tests",
        "tax_rate": "0.09",
        "cost": {"base": "10.00", "per_extra_page": "0.25"},
        "min_quantity": 1,
        "max_quantity": 1000,
        "has_variable_page_count": True,
        "min_page_count": 24,
        "max_page_count": 200,
        "page_count_increment": 2,
        "files": [content_file(), cover_file()],
        "production_times": [
            {"speed": "Standard", "days": 3, "limit_hour": 11},
            {"speed": "Express", "days": 2, "limit_hour": 11},
        ],
        "shipping_class": "letterbox",
        "weight_grams": 100,
    }
    fields.update(changes)
    return fields


FIXED = {
    "has_variable_page_count": False,
    "fixed_page_count": 1,
    "min_page_count": None,
    "max_page_count": None,
    "page_count_increment": None,
}
STANDARD_ONLY = [{"speed": "Standard", "days": 4, "limit_hour": 11}]


def make_spec(**changes: Any) -> ProductSpec:
    """A validated ``ProductSpec``: the test book of ``spec_fields`` with ``changes``."""
    return ProductSpec.model_validate(spec_fields(**changes))


def make_fixed_spec(**changes: Any) -> ProductSpec:
    """A validated fixed-page product (one page, content file only), with ``changes``."""
    return make_spec(**{"id": "test_poster", "files": [content_file()], **FIXED, **changes})


def make_option(
    *,
    option_id: str = "finish",
    default: str = "none",
    choices: tuple[tuple[str, str, str], ...] | None = None,
) -> dict[str, Any]:
    """An option document; ``choices`` are (value, base, perExtraPage)."""
    rows = choices if choices is not None else (("none", "0.00", "0.00"), ("gloss", "1.98", "0.07"))
    return {
        "id": option_id,
        "default": default,
        "label": option_id.title(),
        "choices": [
            {"value": value, "name": value.title(), "cost": {"base": base, "per_extra_page": per_page}}
            for value, base, per_page in rows
        ],
    }
