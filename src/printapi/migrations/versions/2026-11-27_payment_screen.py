"""payment screen

Revision ID: c116541feddd
Revises: b43fe3b16d67
Create Date: 2026-11-27 07:32:41.630396
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c116541feddd"
down_revision: str | None = "b43fe3b16d67"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "coupons",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=True),
        sa.Column("percentage", sa.Integer(), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("usage_limit", sa.Integer(), nullable=True),
        sa.Column("used", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_coupons")),
        sa.UniqueConstraint("code", name=op.f("uq_coupons_code")),
    )
    op.create_table(
        "checkout_prices",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.String(length=200), nullable=False),
        sa.Column("option_id", sa.String(length=64), nullable=False),
        sa.Column("choice", sa.String(length=64), nullable=False),
        sa.Column("base", sa.BigInteger(), nullable=False),
        sa.Column("per_extra_page", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_checkout_prices_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_checkout_prices_product_id_products")
        ),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_checkout_prices")),
        sa.UniqueConstraint("account_id", "product_id", "option_id", "choice", name="uq_checkout_prices_key"),
    )
    op.create_table(
        "payments",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("order_pk", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("return_url", sa.String(length=512), nullable=False),
        sa.Column("billing_name", sa.String(length=100), nullable=False),
        sa.Column("billing_company", sa.String(length=100), nullable=True),
        sa.Column("billing_line1", sa.String(length=100), nullable=False),
        sa.Column("billing_line2", sa.String(length=100), nullable=True),
        sa.Column("billing_post_code", sa.String(length=16), nullable=False),
        sa.Column("billing_city", sa.String(length=64), nullable=False),
        sa.Column("billing_state", sa.String(length=3), nullable=True),
        sa.Column("billing_country", sa.String(length=2), nullable=False),
        sa.Column("billing_email", sa.String(length=254), nullable=True),
        sa.Column("provider", sa.String(length=16), nullable=False),
        sa.Column("provider_ref", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("locked_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["order_pk"], ["orders.pk"], name=op.f("fk_payments_order_pk_orders"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_payments")),
        sa.UniqueConstraint("code", name=op.f("uq_payments_code")),
        sa.UniqueConstraint("order_pk", name=op.f("uq_payments_order_pk")),
    )
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_payments_expiry_due",
            ["next_attempt_at"],
            unique=False,
            sqlite_where=sa.text("status = 'Open'"),
            postgresql_where=sa.text("status = 'Open'"),
        )

    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("payment_screen", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("consumer_shipping", sa.String(length=8), server_default="method", nullable=False)
        )
        batch_op.add_column(sa.Column("consumer_shipping_flat", sa.BigInteger(), nullable=True))

    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("checkout_amount", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("checkout_code", sa.String(length=32), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_orders_checkout_code"), ["checkout_code"])


def downgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_orders_checkout_code"), type_="unique")
        batch_op.drop_column("checkout_code")
        batch_op.drop_column("checkout_amount")

    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_column("consumer_shipping_flat")
        batch_op.drop_column("consumer_shipping")
        batch_op.drop_column("payment_screen")

    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_payments_expiry_due",
            sqlite_where=sa.text("status = 'Open'"),
            postgresql_where=sa.text("status = 'Open'"),
        )

    op.drop_table("payments")
    op.drop_table("checkout_prices")
    op.drop_table("coupons")
