"""Accounts (shops and operators), their API clients per environment, and issued tokens."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, false
from sqlalchemy.orm import Mapped, mapped_column

from printapi.kit.db import Cents, UTCDateTime
from printapi.models.base import Base


class Account(Base):
    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    # argon2id; only people sign in with passwords (the dashboard), machines use API clients.
    password_hash: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))  # owner | operator
    # Where failure mails go (webhooks, downloads); the sign-in e-mail when not set.
    notification_email: Mapped[str | None] = mapped_column(String(254))
    # The payment screen: end customers pay the shop's consumer prices on our hosted page.
    payment_screen: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Consumer shipping price: "method" (the method's consumer price), "flat" or "free".
    consumer_shipping: Mapped[str] = mapped_column(String(8), default="method", server_default="method")
    consumer_shipping_flat: Mapped[Decimal | None] = mapped_column(Cents())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ApiClient(Base):
    __tablename__ = "api_clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    environment: Mapped[str] = mapped_column(String(4))  # test | live
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    # HMAC-SHA256(secret key, client secret): the secret itself is shown once and never stored.
    secret_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class AccessToken(Base):
    __tablename__ = "access_tokens"

    # HMAC-SHA256(secret key, token): a database leak does not leak usable tokens.
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    client_pk: Mapped[int] = mapped_column(ForeignKey("api_clients.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    environment: Mapped[str] = mapped_column(String(4))
    scopes: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_access_tokens_expires_at", "expires_at"),)
