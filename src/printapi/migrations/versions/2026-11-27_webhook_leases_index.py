"""webhook leases index

Revision ID: d5a0c3f1e7b2
Revises: c21d7e3b82bc
Create Date: 2026-11-27 10:00:00.000000

Each claim counts the leased notifications per endpoint (``kit/claim.py``: the endpoints at their
cap, and the calls in flight per endpoint). A lease is cleared on every outcome, so the rows with
``locked_until`` set are the few in flight; indexing only those keeps the count independent of
the backlog and of the delivery log's size. Measured on PostgreSQL with 150,000 delivered,
50,000 pending and 900 leased rows: the count of leased rows per endpoint took 12.9 ms (a scan of
the due index filtering out 49,100 rows), 0.4 ms with this index. SQLite cannot match
``status = 'pending'`` against a bound parameter, so its index has only the lease condition.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d5a0c3f1e7b2"
down_revision: str | None = "c21d7e3b82bc"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_webhook_notifications_leased",
        "webhook_notifications",
        ["endpoint_pk"],
        sqlite_where=sa.text("locked_until IS NOT NULL"),
        postgresql_where=sa.text("status = 'pending' AND locked_until IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_webhook_notifications_leased", table_name="webhook_notifications")
