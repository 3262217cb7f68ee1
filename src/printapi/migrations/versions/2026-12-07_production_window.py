"""production window

Revision ID: 7c41d2e9a5f3
Revises: 5e7f0a1c2b3d
Create Date: 2026-12-07 02:20:00.000000

The production window of an order (issue 15, cancel within a window): the delay in force when it
was placed, and when its production starts (set when it becomes Processing). Orders that are
Processing or Shipped already started production when they became Processing: the delay was 0.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7c41d2e9a5f3"
down_revision: str | None = "5e7f0a1c2b3d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("production_delay_seconds", sa.Integer(), server_default=sa.text("0"), nullable=False)
        )
        batch_op.add_column(sa.Column("production_starts_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE orders SET production_starts_at = status_changed_at WHERE status IN ('Processing', 'Shipped')"
    )


def downgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_column("production_starts_at")
        batch_op.drop_column("production_delay_seconds")
