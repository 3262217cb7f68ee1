"""The event feed: one row per order or payment change, read with a cursor (``feed/``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from printapi.kit.db import UTCDateTime
from printapi.models.base import Base


class FeedEvent(Base):
    """One change of an order or its payment, as ``GET /v2/events`` lists it.

    A row's place in the feed is ``(txid, pk)``: on PostgreSQL ``txid`` is the writing
    transaction's id (``pg_current_xact_id()``), and a reader returns only rows of transactions
    older than every transaction still running, so no row can later appear before a cursor it
    handed out (``feed/repository.py``). On SQLite writers are serial and ``txid`` is 0.

    No foreign keys, as for webhook notifications: each row is written in the change's
    transaction, and a key check would lock the account's row ``FOR KEY SHARE`` for every change.
    """

    __tablename__ = "feed_events"

    pk: Mapped[int] = mapped_column(primary_key=True)
    txid: Mapped[int] = mapped_column(BigInteger)
    account_id: Mapped[int]
    environment: Mapped[str] = mapped_column(String(4))
    type: Mapped[str] = mapped_column(String(32))  # order.created | order.status_changed | ...
    order_pk: Mapped[int]
    order_id: Mapped[str] = mapped_column(String(36))
    status: Mapped[str] = mapped_column(String(16))  # the order's status after the change
    previous_status: Mapped[str | None] = mapped_column(String(16))
    payment_status: Mapped[str | None] = mapped_column(String(16))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        Index("ix_feed_events_cursor", "account_id", "environment", "txid", "pk"),
        Index("ix_feed_events_occurred_at", "occurred_at"),
        # Never reuse a pk (SQLite would hand out the largest + 1 again after pruning all rows).
        {"sqlite_autoincrement": True},
    )
