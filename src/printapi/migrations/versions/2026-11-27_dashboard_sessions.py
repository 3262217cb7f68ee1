"""dashboard sessions

Revision ID: c21d7e3b82bc
Revises: c116541feddd
Create Date: 2026-11-27 07:51:01.537683
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c21d7e3b82bc"
down_revision: str | None = "c116541feddd"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "dashboard_sign_in_attempts",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=False),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_dashboard_sign_in_attempts")),
    )
    op.create_index(
        op.f("ix_dashboard_sign_in_attempts_attempted_at"),
        "dashboard_sign_in_attempts",
        ["attempted_at"],
    )
    op.create_index(
        "ix_dashboard_sign_in_attempts_email", "dashboard_sign_in_attempts", ["email", "kind", "attempted_at"]
    )
    op.create_index(
        "ix_dashboard_sign_in_attempts_ip", "dashboard_sign_in_attempts", ["ip", "kind", "attempted_at"]
    )
    op.create_table(
        "dashboard_sessions",
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("flash", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_dashboard_sessions_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id_hash", name=op.f("pk_dashboard_sessions")),
    )
    op.create_index(op.f("ix_dashboard_sessions_account_id"), "dashboard_sessions", ["account_id"])
    op.create_index(op.f("ix_dashboard_sessions_expires_at"), "dashboard_sessions", ["expires_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_dashboard_sessions_expires_at"), table_name="dashboard_sessions")
    op.drop_index(op.f("ix_dashboard_sessions_account_id"), table_name="dashboard_sessions")
    op.drop_table("dashboard_sessions")
    op.drop_index("ix_dashboard_sign_in_attempts_ip", table_name="dashboard_sign_in_attempts")
    op.drop_index("ix_dashboard_sign_in_attempts_email", table_name="dashboard_sign_in_attempts")
    op.drop_index(op.f("ix_dashboard_sign_in_attempts_attempted_at"), table_name="dashboard_sign_in_attempts")
    op.drop_table("dashboard_sign_in_attempts")
