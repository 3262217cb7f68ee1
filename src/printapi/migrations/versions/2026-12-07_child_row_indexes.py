"""indexes for an order's child rows

Revision ID: 3b8d6f1e2a47
Revises: 7c41d2e9a5f3
Create Date: 2026-12-07 03:55:00.000000

Reading an order joins its items by ``order_items.order_pk`` and their files by
``item_files.item_pk``; neither had an index, so every read of an order scanned those tables whole and slowed down as orders grew
(bench/api.py: on PostgreSQL ``GET /v2/orders/{id}`` fell from 959 to 497 req/s between two
passes, the second with about 5,000 orders more).
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "3b8d6f1e2a47"
down_revision: str | None = "7c41d2e9a5f3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    ("ix_order_items_order_pk", "order_items", "order_pk"),
    ("ix_item_files_item_pk", "item_files", "item_pk"),
)


def upgrade() -> None:
    for name, table, column in INDEXES:
        op.create_index(name, table, [column], unique=False)


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
