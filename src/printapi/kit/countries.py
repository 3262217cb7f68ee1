"""ISO 3166 countries and subdivisions, built once (pycountry's first lookup takes ~120 ms)."""

from __future__ import annotations

from functools import cache

import pycountry


@cache
def _countries() -> frozenset[str]:
    codes = {country.alpha_2 for country in pycountry.countries}
    codes.add("XK")  # Kosovo: user-assigned code in wide use, missing from pycountry
    return frozenset(codes)


@cache
def _subdivisions(country: str) -> frozenset[str]:
    found = pycountry.subdivisions.get(country_code=country) or []  # type: ignore[no-untyped-call]  # pycountry is untyped
    # "US-CA" -> "CA": the API takes the part after the country.
    return frozenset(sub.code.split("-", 1)[1] for sub in found)


def is_country(code: str) -> bool:
    return code in _countries()


def is_subdivision(country: str, code: str) -> bool:
    return code in _subdivisions(country)


def warm() -> None:
    """Load the tables now rather than inside the first request."""
    _countries()
    _subdivisions("US")
