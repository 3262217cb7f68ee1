"""Server-rendered pages of the payment screen (Jinja2, autoescaped, no JavaScript needed)."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

# The pages may not be framed by another site (a shop's page could overlay the buttons: clickjacking).
# No form-action: the confirmation redirects to the shop's return URL, which form-action would block.
HEADERS = {
    "Content-Security-Policy": "frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}

_pages = Environment(loader=PackageLoader("printapi.payments", "templates"), autoescape=select_autoescape())


def render(template: str, **context: Any) -> str:
    return _pages.get_template(template).render(**context)
