"""webhook notifications without foreign keys; finished index partial; coarse statistics

Revision ID: 9a3e5c7d1b20
Revises: 4f7c2a9d1e36
Create Date: 2026-11-27 23:00:00.000000

An order change queues one notification per endpoint of the account, in the order's own
transaction. On PostgreSQL each inserted row ran three foreign-key checks, each a
``SELECT ... FOR KEY SHARE`` of the parent row: every concurrent change locked the same account
row and the same endpoint rows, so each lock became a new MultiXact. With 101 endpoints and 8
changes at a time (pgbench, the statement ``queue_for_order`` runs), the database queued 357
changes/s with the keys and 647 without. The rows are made only by ``INSERT ... SELECT`` from
live endpoints (or, for a ping or a resend, from one read in the same transaction); endpoints are
deleted softly and orders and accounts never, so the keys guarded against nothing that can
happen, at nearly half the database's cost of an order change.

``finished_at`` is NULL while a notification is pending; only finished rows are pruned by it, so
its index now holds only those.

On PostgreSQL the worker analyses the columns the claim filters on whenever the queue has grown
by a fifth (``kit/statistics.py``); during an outage of many endpoints that is every few seconds,
and each ``ANALYZE`` sampled 30,000 rows: 87 ms on an idle server at 300,000 rows, 200–340 ms
on the busy one of the webhook benchmark. The claim's plan needs only coarse figures (how many
rows are pending, leased, due), so these columns are sampled at a tenth of the default target:
11–16 ms.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "9a3e5c7d1b20"
down_revision: str | None = "4f7c2a9d1e36"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "webhook_notifications"
KEYS = (
    ("fk_webhook_notifications_account_id_accounts", "accounts", "account_id", "id"),
    ("fk_webhook_notifications_endpoint_pk_webhook_endpoints", "webhook_endpoints", "endpoint_pk", "pk"),
    ("fk_webhook_notifications_order_pk_orders", "orders", "order_pk", "pk"),
)
FINISHED = sa.text("finished_at IS NOT NULL")
# The columns kit/statistics.py analyses (worker.QUEUE_TABLES), and their sampling target.
ANALYSED = ("endpoint_pk", "status", "next_attempt_at", "locked_until")
STATISTICS_TARGET = 10


def upgrade() -> None:
    with op.batch_alter_table(TABLE) as batch:
        for name, *_ in KEYS:
            batch.drop_constraint(name, type_="foreignkey")
        batch.drop_index("ix_webhook_notifications_finished")
        batch.create_index(
            "ix_webhook_notifications_finished",
            ["finished_at"],
            sqlite_where=FINISHED,
            postgresql_where=FINISHED,
        )
    _statistics(STATISTICS_TARGET)


def downgrade() -> None:
    _statistics(-1)  # the server's default_statistics_target
    with op.batch_alter_table(TABLE) as batch:
        batch.drop_index("ix_webhook_notifications_finished")
        batch.create_index("ix_webhook_notifications_finished", ["finished_at"])
        for name, parent, column, key in KEYS:
            batch.create_foreign_key(name, parent, [column], [key], ondelete="CASCADE")


def _statistics(target: int) -> None:
    if op.get_bind().dialect.name == "postgresql":
        columns = ", ".join(f"ALTER COLUMN {name} SET STATISTICS {target}" for name in ANALYSED)
        op.execute(f"ALTER TABLE {TABLE} {columns}")
