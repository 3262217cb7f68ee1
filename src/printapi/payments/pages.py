"""Server-rendered pages of the payment screen (Jinja2, autoescaped, no JavaScript needed)."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

_pages = Environment(loader=PackageLoader("printapi.payments", "templates"), autoescape=select_autoescape())


def render(template: str, **context: Any) -> str:
    return _pages.get_template(template).render(**context)
