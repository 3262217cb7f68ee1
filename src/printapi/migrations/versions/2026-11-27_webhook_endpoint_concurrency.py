"""webhook endpoint concurrency limit

Revision ID: 4f7c2a9d1e36
Revises: e8b41d9c27a6
Create Date: 2026-11-27 16:00:00.000000

Each endpoint carries the number of calls it may have in flight now: it starts at 1, each
recorded batch with a success doubles it up to ``PRINTAPI_WEBHOOK_PER_ENDPOINT``, and a batch
with a failure halves it (``webhooks/delivery.py``). An endpoint that never answers therefore
holds one connection, not the full cap: with 100 such endpoints the worker opened, timed out
and recorded 800 calls at a time every 10 s, and a healthy endpoint's p99 rose to over a second.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "4f7c2a9d1e36"
down_revision: str | None = "e8b41d9c27a6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("webhook_endpoints") as batch:
        batch.add_column(sa.Column("concurrency", sa.Integer(), nullable=False, server_default="1"))


def downgrade() -> None:
    with op.batch_alter_table("webhook_endpoints") as batch:
        batch.drop_column("concurrency")
