"""live payments

Revision ID: 530dd70110fd
Revises: 9a3e5c7d1b20
Create Date: 2026-12-07 00:46:04.351762

Payments through Mollie and Stripe: the provider's payment, its checkout URL and the method on
the payment, its refund, and the queue of provider calls that must happen (``payment_tasks``);
on the order, what its customer amount was made of, for coupons entered on the payment page.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "530dd70110fd"
down_revision: str | None = "9a3e5c7d1b20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "payment_tasks",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("payment_pk", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("provider_ref", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("locked_by", sa.String(length=64), nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["payment_pk"],
            ["payments.pk"],
            name=op.f("fk_payment_tasks_payment_pk_payments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_payment_tasks")),
    )
    with op.batch_alter_table("payment_tasks", schema=None) as batch_op:
        batch_op.create_index(
            "ix_payment_tasks_due",
            ["next_attempt_at"],
            unique=False,
            sqlite_where=sa.text("status = 'pending'"),
            postgresql_where=sa.text("status = 'pending'"),
        )
        batch_op.create_index(batch_op.f("ix_payment_tasks_payment_pk"), ["payment_pk"], unique=False)

    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("checkout_products", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("checkout_shipping", sa.BigInteger(), nullable=True))

    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("checkout_url", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("method", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("refund_status", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("refund_amount", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("refund_ref", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("refund_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_column("refund_at")
        batch_op.drop_column("refund_ref")
        batch_op.drop_column("refund_amount")
        batch_op.drop_column("refund_status")
        batch_op.drop_column("method")
        batch_op.drop_column("checkout_url")

    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_column("checkout_shipping")
        batch_op.drop_column("checkout_products")

    with op.batch_alter_table("payment_tasks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payment_tasks_payment_pk"))
        batch_op.drop_index(
            "ix_payment_tasks_due",
            sqlite_where=sa.text("status = 'pending'"),
            postgresql_where=sa.text("status = 'pending'"),
        )

    op.drop_table("payment_tasks")
