"""webhook claim per endpoint

Revision ID: e8b41d9c27a6
Revises: d5a0c3f1e7b2
Create Date: 2026-11-27 13:00:00.000000

A claim now takes, for each endpoint below its cap, that endpoint's oldest due notifications
(``kit/claim.py``), so the queue is indexed by ``(endpoint_pk, next_attempt_at)`` instead of by
``next_attempt_at`` alone. With the old index a claim walked the queue's head in time order and
skipped every row of the endpoints at their cap: with 45,000 rows due behind 100 endpoints that
time out and 450 of a healthy one, one claim took 30 ms on PostgreSQL, and the worker claims on
every commit.

The count of leased rows per endpoint now asks only ``locked_until >= now`` (every outcome clears
the lease), so the leased index has the same predicate on both databases: with the status in the
query, SQLite, lacking statistics, counted through the per-endpoint index and read the backlog.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e8b41d9c27a6"
down_revision: str | None = "d5a0c3f1e7b2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PENDING = sa.text("status = 'pending'")
LEASED = sa.text("locked_until IS NOT NULL")


def upgrade() -> None:
    op.drop_index("ix_webhook_notifications_due", table_name="webhook_notifications")
    op.create_index(
        "ix_webhook_notifications_endpoint_due",
        "webhook_notifications",
        ["endpoint_pk", "next_attempt_at"],
        sqlite_where=PENDING,
        postgresql_where=PENDING,
    )
    if op.get_bind().dialect.name == "postgresql":
        _leased_index(LEASED)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _leased_index(sa.text("status = 'pending' AND locked_until IS NOT NULL"))
    op.drop_index("ix_webhook_notifications_endpoint_due", table_name="webhook_notifications")
    op.create_index(
        "ix_webhook_notifications_due",
        "webhook_notifications",
        ["next_attempt_at"],
        sqlite_where=PENDING,
        postgresql_where=PENDING,
    )


def _leased_index(where: sa.TextClause) -> None:
    op.drop_index("ix_webhook_notifications_leased", table_name="webhook_notifications")
    op.create_index(
        "ix_webhook_notifications_leased", "webhook_notifications", ["endpoint_pk"], postgresql_where=where
    )
