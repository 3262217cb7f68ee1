"""Orders, their items and print files, and the status history that feeds ``sync/statuses``."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from printapi.kit.db import Cents, Scaled, UTCDateTime
from printapi.models.base import Base

if TYPE_CHECKING:
    from printapi.models.payments import Payment
    from printapi.models.shipments import Shipment


class Order(Base):
    __tablename__ = "orders"

    pk: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    environment: Mapped[str] = mapped_column(String(4))
    id: Mapped[str] = mapped_column(String(36))
    status: Mapped[str] = mapped_column(String(16))
    email: Mapped[str | None] = mapped_column(String(254))
    username: Mapped[str | None] = mapped_column(String(64))
    production_speed: Mapped[str] = mapped_column(String(16))
    meta: Mapped[str | None] = mapped_column("metadata", Text)
    coupon: Mapped[str | None] = mapped_column(String(64))

    ship_name: Mapped[str] = mapped_column(String(100))
    ship_company: Mapped[str | None] = mapped_column(String(100))
    ship_line1: Mapped[str] = mapped_column(String(100))
    ship_line2: Mapped[str | None] = mapped_column(String(100))
    ship_post_code: Mapped[str] = mapped_column(String(16))
    ship_city: Mapped[str] = mapped_column(String(64))
    ship_state: Mapped[str | None] = mapped_column(String(3))
    ship_country: Mapped[str] = mapped_column(String(2))
    shipping_preference: Mapped[str] = mapped_column(String(16))
    shipping_method: Mapped[str] = mapped_column(String(64))
    shipping_trackable: Mapped[bool]

    # Purchase prices excluding VAT, fixed when the order is placed.
    production_cost: Mapped[Decimal] = mapped_column(Cents())
    shipping_cost: Mapped[Decimal] = mapped_column(Cents())
    handling_cost: Mapped[Decimal] = mapped_column(Cents())
    discount: Mapped[Decimal] = mapped_column(Cents())
    # VAT rate of shipping and handling: the highest rate among the items (spec §3.3).
    shipping_tax_rate: Mapped[Decimal] = mapped_column(Scaled(2))
    invoicing_state: Mapped[str] = mapped_column(String(16))
    # With the payment screen: what the end customer pays (incl. VAT, after the coupon) and the
    # code of the setupUrl. Without it: None.
    checkout_amount: Mapped[Decimal | None] = mapped_column(Cents())
    checkout_code: Mapped[str | None] = mapped_column(String(32), unique=True)
    # What that amount was made of (incl. VAT): the products and the consumer shipping, so that a
    # coupon entered on the payment page is worked out on the prices the order was placed at.
    checkout_products: Mapped[Decimal | None] = mapped_column(Cents())
    checkout_shipping: Mapped[Decimal | None] = mapped_column(Cents())

    tracking_url: Mapped[str | None] = mapped_column(String(512))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The production window (extension): the delay (PRINTAPI_PRODUCTION_DELAY) in force when the
    # order was placed, and the moment production starts, set when the order becomes Processing
    # (that moment plus the delay). Until then the shop may still cancel it. None on an order that
    # never was Processing.
    production_delay_seconds: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    production_starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    items: Mapped[list[OrderItem]] = relationship(
        back_populates="order", lazy="raise", order_by="OrderItem.position", cascade="all, delete-orphan"
    )
    # The payment of the payment screen, once the checkout is set up (read-only from here).
    payment: Mapped[Payment | None] = relationship(lazy="raise", uselist=False, viewonly=True)
    # The parcels it left in, in the order they were recorded (written by orders/shipments/).
    shipments: Mapped[list[Shipment]] = relationship(lazy="raise", order_by="Shipment.number", viewonly=True)

    __table_args__ = (
        UniqueConstraint("account_id", "environment", "id", name="uq_orders_account_environment_id"),
        Index("ix_orders_account_listing", "account_id", "environment", "created_at"),
        Index("ix_orders_id", "id"),
    )


class OrderItem(Base):
    __tablename__ = "order_items"

    pk: Mapped[int] = mapped_column(primary_key=True)
    order_pk: Mapped[int] = mapped_column(ForeignKey("orders.pk", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    id: Mapped[str] = mapped_column(String(36))
    product_id: Mapped[str] = mapped_column(ForeignKey("products.id"))
    title: Mapped[str | None] = mapped_column(String(64))
    page_count: Mapped[int]
    quantity: Mapped[int]
    meta: Mapped[str | None] = mapped_column("metadata", Text)
    # [{"id": "cover_finish", "value": "laminate_matte", "name": "Mat laminaat"}]: a snapshot of
    # the choices as they were when the order was placed.
    options: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    retail: Mapped[Decimal | None] = mapped_column(Cents())
    production_cost: Mapped[Decimal] = mapped_column(Cents())
    tax_rate: Mapped[Decimal] = mapped_column(Scaled(2))

    order: Mapped[Order] = relationship(back_populates="items", lazy="raise")
    files: Mapped[list[ItemFile]] = relationship(
        back_populates="item", lazy="raise", order_by="ItemFile.kind", cascade="all, delete-orphan"
    )

    __table_args__ = (UniqueConstraint("order_pk", "id", name="uq_order_items_order_id"),)


_DOWNLOADING = "status IN ('DownloadPending', 'DownloadRetryPending', 'DownloadInProgress')"


class ItemFile(Base):
    """One print file of an item: ``content``, and ``cover`` for products that have one."""

    __tablename__ = "item_files"

    pk: Mapped[int] = mapped_column(primary_key=True)
    item_pk: Mapped[int] = mapped_column(ForeignKey("order_items.pk", ondelete="CASCADE"), index=True)
    order_pk: Mapped[int] = mapped_column(ForeignKey("orders.pk", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # content | cover
    status: Mapped[str] = mapped_column(String(24))
    download_url: Mapped[str | None] = mapped_column(String(2048))
    upload_code: Mapped[str | None] = mapped_column(String(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The stored file, once accepted (or kept for inspection when preflight refused it).
    file_type: Mapped[str | None] = mapped_column(String(8))  # PDF | PNG | JPEG
    size_bytes: Mapped[int | None] = mapped_column(BigInteger)
    storage_key: Mapped[str | None] = mapped_column(String(300))
    # Preflight findings of the last check: [{"severity", "code", "message", "page", ...}].
    findings: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The download queue (kit/claim.py).
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    locked_by: Mapped[str | None] = mapped_column(String(64))
    last_error: Mapped[str | None] = mapped_column(String(300))

    item: Mapped[OrderItem] = relationship(back_populates="files", lazy="raise")
    # Lets a new file name its order before the order has a key (order_pk is denormalised
    # so that the worker queues of the files issue can find an order's files directly).
    order: Mapped[Order] = relationship(lazy="raise")

    __table_args__ = (
        UniqueConstraint("item_pk", "kind", name="uq_item_files_item_kind"),
        Index(
            "ix_item_files_downloads_due",
            "next_attempt_at",
            sqlite_where=text(_DOWNLOADING),
            postgresql_where=text(_DOWNLOADING),
        ),
    )


class OrderStatusChange(Base):
    """One row per status change (creation included), oldest first in ``sync/statuses``."""

    __tablename__ = "order_status_history"

    pk: Mapped[int] = mapped_column(primary_key=True)
    order_pk: Mapped[int] = mapped_column(ForeignKey("orders.pk", ondelete="CASCADE"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    environment: Mapped[str] = mapped_column(String(4))
    order_id: Mapped[str] = mapped_column(String(36))
    status: Mapped[str] = mapped_column(String(16))
    previous_status: Mapped[str | None] = mapped_column(String(16))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Who moved it (api, operator, system, cli) and why (tracking URL, cancel reason).
    source: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(String(512))

    __table_args__ = (Index("ix_order_status_history_sync", "account_id", "environment", "changed_at"),)
