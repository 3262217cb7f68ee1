"""OAuth2 scopes: the seven the real service grants, plus our extensions (spec §1.3)."""

from __future__ import annotations

from enum import StrEnum


class Scope(StrEnum):
    PRODUCTS_BROWSE = "products:browse"
    SHIPPING_QUOTE = "shipping:quote"
    COUPONS_QUOTE = "coupons:quote"
    ORDERS_PLACE = "orders:place"
    ORDERS_TRACK = "orders:track"
    FILES_UPLOAD = "files:upload"
    ORDERS_BROWSE = "orders:browse"
    # Extensions: move test orders through statuses (the real portal's simulator, as an API).
    ORDERS_SIMULATE = "orders:simulate"
    # Extension: manage webhook endpoints and read their delivery log.
    WEBHOOKS_MANAGE = "webhooks:manage"
    # Operators: act on every account's orders (production console, CLI).
    OPERATOR = "operator"


# In the order the real token response lists them, then ours.
SHOP_SCOPES: tuple[Scope, ...] = (
    Scope.PRODUCTS_BROWSE,
    Scope.SHIPPING_QUOTE,
    Scope.COUPONS_QUOTE,
    Scope.ORDERS_PLACE,
    Scope.ORDERS_TRACK,
    Scope.FILES_UPLOAD,
    Scope.ORDERS_BROWSE,
    Scope.ORDERS_SIMULATE,
    Scope.WEBHOOKS_MANAGE,
)
OPERATOR_SCOPES: tuple[Scope, ...] = (*SHOP_SCOPES, Scope.OPERATOR)


def scopes_for_role(role: str) -> tuple[Scope, ...]:
    return OPERATOR_SCOPES if role == "operator" else SHOP_SCOPES


def format_scopes(scopes: tuple[Scope, ...] | frozenset[Scope]) -> str:
    ordered = [scope for scope in OPERATOR_SCOPES if scope in scopes]
    return " ".join(ordered)


def parse_scopes(text: str) -> frozenset[Scope]:
    """Parse a stored scope string; unknown names (from an older version) are dropped."""
    known = {scope.value for scope in Scope}
    return frozenset(Scope(name) for name in text.split() if name in known)
