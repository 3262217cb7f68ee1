"""print files: storage, preflight findings, download queue

Revision ID: b43fe3b16d67
Revises: 3b014d242a65
Create Date: 2026-11-27 07:05:49.365247
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b43fe3b16d67"
down_revision: str | None = "3b014d242a65"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("item_files", schema=None) as batch_op:
        batch_op.add_column(sa.Column("file_type", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("size_bytes", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("storage_key", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("findings", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("attempts", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("locked_by", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("last_error", sa.String(length=300), nullable=True))
        batch_op.create_index(
            "ix_item_files_downloads_due",
            ["next_attempt_at"],
            unique=False,
            sqlite_where=sa.text(
                "status IN ('DownloadPending', 'DownloadRetryPending', 'DownloadInProgress')"
            ),
            postgresql_where=sa.text(
                "status IN ('DownloadPending', 'DownloadRetryPending', 'DownloadInProgress')"
            ),
        )
    # Downloads queued before the queue existed are due now.
    op.execute("UPDATE item_files SET next_attempt_at = created_at WHERE status = 'DownloadPending'")


def downgrade() -> None:
    with op.batch_alter_table("item_files", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_item_files_downloads_due",
            sqlite_where=sa.text(
                "status IN ('DownloadPending', 'DownloadRetryPending', 'DownloadInProgress')"
            ),
            postgresql_where=sa.text(
                "status IN ('DownloadPending', 'DownloadRetryPending', 'DownloadInProgress')"
            ),
        )
        batch_op.drop_column("last_error")
        batch_op.drop_column("locked_by")
        batch_op.drop_column("locked_until")
        batch_op.drop_column("next_attempt_at")
        batch_op.drop_column("attempts")
        batch_op.drop_column("accepted_at")
        batch_op.drop_column("findings")
        batch_op.drop_column("storage_key")
        batch_op.drop_column("size_bytes")
        batch_op.drop_column("file_type")
