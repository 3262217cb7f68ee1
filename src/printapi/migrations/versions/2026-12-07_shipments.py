"""shipments

Revision ID: 7c41d2e9a8b3
Revises: 530dd70110fd
Create Date: 2026-12-07 02:20:00.000000

An order leaves in one or more parcels: ``shipments`` (carrier, tracking code and URL, when it
was shipped) and ``shipment_items`` (how many of which item each one carries).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7c41d2e9a8b3"
down_revision: str | None = "530dd70110fd"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "shipments",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("order_pk", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("carrier", sa.String(length=64), nullable=True),
        sa.Column("tracking_code", sa.String(length=128), nullable=True),
        sa.Column("tracking_url", sa.String(length=512), nullable=True),
        sa.Column("shipped_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_pk"], ["orders.pk"], name=op.f("fk_shipments_order_pk_orders"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_shipments")),
        sa.UniqueConstraint("order_pk", "number", name="uq_shipments_order_number"),
    )
    op.create_table(
        "shipment_items",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("shipment_pk", sa.Integer(), nullable=False),
        sa.Column("item_pk", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.String(length=36), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_pk"],
            ["order_items.pk"],
            name=op.f("fk_shipment_items_item_pk_order_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shipment_pk"],
            ["shipments.pk"],
            name=op.f("fk_shipment_items_shipment_pk_shipments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_shipment_items")),
        sa.UniqueConstraint("shipment_pk", "item_pk", name="uq_shipment_items_shipment_item"),
    )
    with op.batch_alter_table("shipment_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_shipment_items_item_pk"), ["item_pk"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("shipment_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shipment_items_item_pk"))
    op.drop_table("shipment_items")
    op.drop_table("shipments")
