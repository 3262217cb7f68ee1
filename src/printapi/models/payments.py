"""The payment screen: consumer prices per account, checkouts with their payment, and coupons."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from printapi.kit.db import Cents, UTCDateTime
from printapi.models.base import Base


class CheckoutPrice(Base):
    """What the end customer pays (incl. VAT) for a product, or for one choice of one of its options."""

    __tablename__ = "checkout_prices"

    pk: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    product_id: Mapped[str] = mapped_column(ForeignKey("products.id"))
    # Empty for the product itself; an option id and choice value for an option's price.
    option_id: Mapped[str] = mapped_column(String(64), default="")
    choice: Mapped[str] = mapped_column(String(64), default="")
    base: Mapped[Decimal] = mapped_column(Cents())
    per_extra_page: Mapped[Decimal] = mapped_column(Cents())

    __table_args__ = (
        UniqueConstraint("account_id", "product_id", "option_id", "choice", name="uq_checkout_prices_key"),
    )


class Payment(Base):
    """The checkout of one order: set up by the shop, paid (or not) by its customer.

    It is also a row of the expiry queue: ``next_attempt_at`` is when an unpaid checkout expires.
    """

    __tablename__ = "payments"

    pk: Mapped[int] = mapped_column(primary_key=True)
    order_pk: Mapped[int] = mapped_column(ForeignKey("orders.pk", ondelete="CASCADE"), unique=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)  # in paymentUrl
    status: Mapped[str] = mapped_column(String(16))  # Open | Successful | Failed | Cancelled
    amount: Mapped[Decimal] = mapped_column(Cents())
    return_url: Mapped[str] = mapped_column(String(512))
    billing_name: Mapped[str] = mapped_column(String(100))
    billing_company: Mapped[str | None] = mapped_column(String(100))
    billing_line1: Mapped[str] = mapped_column(String(100))
    billing_line2: Mapped[str | None] = mapped_column(String(100))
    billing_post_code: Mapped[str] = mapped_column(String(16))
    billing_city: Mapped[str] = mapped_column(String(64))
    billing_state: Mapped[str | None] = mapped_column(String(3))
    billing_country: Mapped[str] = mapped_column(String(2))
    billing_email: Mapped[str | None] = mapped_column(String(254))
    provider: Mapped[str] = mapped_column(String(16))
    # The provider's payment (Mollie tr_…, Stripe cs_…), its hosted checkout, and the method the
    # customer paid with (ideal, creditcard, card, …) once the provider says.
    provider_ref: Mapped[str | None] = mapped_column(String(100))
    checkout_url: Mapped[str | None] = mapped_column(Text)
    method: Mapped[str | None] = mapped_column(String(32))
    # A paid payment of a cancelled order is refunded: Pending, then Refunded or Failed.
    refund_status: Mapped[str | None] = mapped_column(String(16))
    refund_amount: Mapped[Decimal | None] = mapped_column(Cents())
    refund_ref: Mapped[str | None] = mapped_column(String(100))
    refund_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The expiry queue (kit/claim.py): due when the unpaid checkout expires.
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    locked_by: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (
        Index(
            "ix_payments_expiry_due",
            "next_attempt_at",
            sqlite_where=text("status = 'Open'"),
            postgresql_where=text("status = 'Open'"),
        ),
    )


class PaymentTask(Base):
    """A call to a payment's provider that must happen, retried until it has (``payments/tasks.py``):
    ``poll`` asks about an open provider payment whose notification may be lost, ``cancel`` ends a
    provider payment we no longer want (and refunds it if it was paid after all), ``refund`` pays
    back a paid payment of a cancelled order. A row of a claimed queue (``kit/claim.py``).
    """

    __tablename__ = "payment_tasks"

    pk: Mapped[int] = mapped_column(primary_key=True)
    payment_pk: Mapped[int] = mapped_column(ForeignKey("payments.pk", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # poll | cancel | refund
    provider_ref: Mapped[str] = mapped_column(String(100))  # the provider payment it is about
    status: Mapped[str] = mapped_column(String(8))  # pending | done
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    locked_by: Mapped[str | None] = mapped_column(String(64))
    last_error: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        Index(
            "ix_payment_tasks_due",
            "next_attempt_at",
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
    )


class Coupon(Base):
    __tablename__ = "coupons"

    pk: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    type: Mapped[str] = mapped_column(String(16))  # Amount | Percentage
    scope: Mapped[str] = mapped_column(String(16))  # Products | Total
    amount: Mapped[Decimal | None] = mapped_column(Cents())
    percentage: Mapped[int | None]
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    usage_limit: Mapped[int | None]
    used: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
