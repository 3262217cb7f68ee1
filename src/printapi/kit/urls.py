"""Absolute URLs built from ``PRINTAPI_PUBLIC_URL`` and the API version of the request."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote


@dataclass(frozen=True)
class Urls:
    public_url: str
    version: str = "v2"

    @property
    def base(self) -> str:
        return f"{self.public_url}/{self.version}"

    def order(self, order_id: str) -> str:
        return f"{self.base}/orders/{quote(order_id, safe='')}"

    def product(self, product_id: str) -> str:
        return f"{self.base}/products/{quote(product_id, safe='')}"

    def upload(self, code: str) -> str:
        return f"{self.base}/files/{code}"

    def checkout(self, code: str) -> str:
        return f"{self.base}/checkout/{code}"

    def payment(self, code: str) -> str:
        return f"{self.base}/payments/{code}/start"

    def payment_page(self, code: str, action: str) -> str:
        """The payment page's other addresses: ``pay``, ``coupon``, ``return``, ``callback``, ``test``."""
        return f"{self.base}/payments/{code}/{action}"
