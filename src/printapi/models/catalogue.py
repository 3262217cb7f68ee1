"""The product catalogue: one row per product, its details as a JSON document.

A product is read whole and never queried by its inner fields, so the details (prices as exact
decimal strings, options, file specs, production times) are one document validated by
``printapi.catalogue.spec.ProductSpec``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from printapi.models.base import Base

# The real service sorts product names ordinally ("(Legacy) ..." first); PostgreSQL's default
# collation would sort by locale, so the name column uses the C collation there.
_NAME = String(200).with_variant(String(200, collation="C"), "postgresql")


class Product(Base):
    __tablename__ = "products"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    name: Mapped[str] = mapped_column(_NAME, index=True)
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)
