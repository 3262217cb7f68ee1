"""Webhook endpoints, the notifications queued for them, every delivery attempt, owner alerts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from printapi.kit.db import UTCDateTime
from printapi.models.base import Base

PENDING = "pending"


class WebhookEndpoint(Base):
    __tablename__ = "webhook_endpoints"

    pk: Mapped[int] = mapped_column(primary_key=True)
    id: Mapped[str] = mapped_column(String(40), unique=True)  # ep_...
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    environment: Mapped[str] = mapped_column(String(4))
    url: Mapped[str] = mapped_column(String(2048))
    description: Mapped[str | None] = mapped_column(String(200))
    enabled: Mapped[bool]
    # The signing secret must be readable to sign; rotation keeps the previous one valid for a while.
    secret: Mapped[str] = mapped_column(String(100))
    previous_secret: Mapped[str | None] = mapped_column(String(100))
    previous_secret_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The calls this endpoint may have in flight now (slow start, webhooks/delivery.py): 1 at
    # first, doubled by a recorded success up to PRINTAPI_WEBHOOK_PER_ENDPOINT, halved by a
    # failure, so an endpoint that never answers holds one connection rather than the cap.
    concurrency: Mapped[int] = mapped_column(default=1, server_default=text("1"))

    __table_args__ = (Index("ix_webhook_endpoints_account", "account_id", "environment"),)


class WebhookNotification(Base):
    """One "order X changed" message for one endpoint: a row of the delivery queue and of the log.

    While it is ``pending`` a newer change of the same order is folded into it (``changed_at``
    moves) instead of queueing a second one: the receiver re-reads the order anyway.
    """

    __tablename__ = "webhook_notifications"

    pk: Mapped[int] = mapped_column(primary_key=True)
    id: Mapped[str] = mapped_column(String(40), unique=True)  # msg_..., the webhook-id header
    # No foreign keys, by measurement: a change queues a row per endpoint in the order's own
    # transaction, and on PostgreSQL each key check locked the parent row (a MultiXact per row
    # when changes run at once), nearly half the database's cost of the change (migration
    # 9a3e5c7d1b20). Rows are made only from live endpoints, which are deleted softly; orders and
    # accounts are never deleted.
    endpoint_pk: Mapped[int]
    account_id: Mapped[int]
    order_pk: Mapped[int | None]
    order_id: Mapped[str | None] = mapped_column(String(36))  # None for a test ping
    kind: Mapped[str] = mapped_column(String(16))  # status | ping | resend
    status: Mapped[str] = mapped_column(String(16))  # pending | delivered | failed | cancelled
    attempts: Mapped[int]
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    locked_by: Mapped[str | None] = mapped_column(String(64))
    attempt_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(String(300))

    __table_args__ = (
        # Coalescing: at most one pending notification per (endpoint, order).
        Index(
            "uq_webhook_notifications_pending",
            "endpoint_pk",
            "order_pk",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
        # The delivery queue, per endpoint: each claim takes the oldest due rows of every
        # endpoint with room (kit/claim.py), one slice of this index each.
        Index(
            "ix_webhook_notifications_endpoint_due",
            "endpoint_pk",
            "next_attempt_at",
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
        # The calls in flight per endpoint (each claim counts them): a lease is cleared on every
        # outcome, so these are few, however long the backlog and the log.
        Index(
            "ix_webhook_notifications_leased",
            "endpoint_pk",
            sqlite_where=text("locked_until IS NOT NULL"),
            postgresql_where=text("locked_until IS NOT NULL"),
        ),
        Index("ix_webhook_notifications_endpoint", "endpoint_pk", "created_at"),
        Index("ix_webhook_notifications_order", "order_pk"),
        # Retention prunes finished rows only; a pending row has no finished_at.
        Index(
            "ix_webhook_notifications_finished",
            "finished_at",
            sqlite_where=text("finished_at IS NOT NULL"),
            postgresql_where=text("finished_at IS NOT NULL"),
        ),
    )


class WebhookAttempt(Base):
    """One HTTP attempt: when, how long, and what came back (or what went wrong)."""

    __tablename__ = "webhook_attempts"

    pk: Mapped[int] = mapped_column(primary_key=True)
    notification_pk: Mapped[int] = mapped_column(
        ForeignKey("webhook_notifications.pk", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    duration_ms: Mapped[int]
    status_code: Mapped[int | None]
    error_class: Mapped[str | None] = mapped_column(String(32))
    error: Mapped[str | None] = mapped_column(String(300))
    response_snippet: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str] = mapped_column(String(2048))


class OwnerAlert(Base):
    """A failure the account owner must hear about; grouped into one mail per endpoint per hour."""

    __tablename__ = "owner_alerts"

    pk: Mapped[int] = mapped_column(primary_key=True)
    endpoint_pk: Mapped[int] = mapped_column(ForeignKey("webhook_endpoints.pk", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # first_failure | gave_up
    notification_id: Mapped[str] = mapped_column(String(40))
    order_id: Mapped[str | None] = mapped_column(String(36))
    error_class: Mapped[str] = mapped_column(String(32))
    error: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    mailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_owner_alerts_unmailed", "endpoint_pk", "kind", "mailed_at"),)
