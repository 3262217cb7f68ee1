"""event feed

Revision ID: 5e7f0a1c2b3d
Revises: 7c1e4d2a9b36
Create Date: 2026-12-07 02:20:00

The event feed (``GET /v2/events``): one row per order or payment change, placed by the writing
transaction's id on PostgreSQL (``feed/repository.py``).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5e7f0a1c2b3d"
down_revision: str | None = "7c1e4d2a9b36"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "feed_events",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("txid", sa.BigInteger(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("environment", sa.String(length=4), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("order_pk", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("previous_status", sa.String(length=16), nullable=True),
        sa.Column("payment_status", sa.String(length=16), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_feed_events")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("feed_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_feed_events_cursor", ["account_id", "environment", "txid", "pk"], unique=False
        )
        batch_op.create_index("ix_feed_events_occurred_at", ["occurred_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("feed_events", schema=None) as batch_op:
        batch_op.drop_index("ix_feed_events_occurred_at")
        batch_op.drop_index("ix_feed_events_cursor")
    op.drop_table("feed_events")
