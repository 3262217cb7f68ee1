"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL.

Each test starts from a database with no tables at all (``empty_database``). The comparison is
Alembic's autogenerate diff with ``compare_type``: it sees through our TypeDecorators (``Scaled``
is compared as BIGINT, ``UTCDateTime`` as a timezone-aware DATETIME), so a column stored with the
wrong type shows up as a ``modify_type`` difference.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, MetaData, inspect, text
from sqlalchemy.ext.asyncio import create_async_engine

from printapi import migrate
from printapi.models import Base
from tests.conftest import Backend


async def _on_connection(url: str, work: Any) -> Any:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(work)
    finally:
        await engine.dispose()


async def _execute(url: str, *statements: str) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            for statement in statements:
                await conn.execute(text(statement))
    finally:
        await engine.dispose()


def schema_diff(url: str, metadata: MetaData = Base.metadata) -> list[Any]:
    def compare(conn: Connection) -> list[Any]:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))

    result: list[Any] = asyncio.run(_on_connection(url, compare))
    return result


def table_names(url: str) -> set[str]:
    result: set[str] = asyncio.run(_on_connection(url, lambda conn: set(inspect(conn).get_table_names())))
    return result


def current_revision(url: str) -> str | None:
    def revision(conn: Connection) -> str | None:
        return MigrationContext.configure(conn).get_current_revision()

    result: str | None = asyncio.run(_on_connection(url, revision))
    return result


def head_revision(url: str) -> str | None:
    return ScriptDirectory.from_config(migrate.alembic_config(url)).get_current_head()


class TestUpgradeFromEmpty:
    def test_a_fresh_database_upgraded_to_head_has_exactly_the_schema_of_the_models(
        self, empty_database: Backend
    ) -> None:
        migrate.upgrade(empty_database.url)

        assert schema_diff(empty_database.url) == []
        assert current_revision(empty_database.url) == head_revision(empty_database.url)
        assert table_names(empty_database.url) == set(Base.metadata.tables) | {"alembic_version"}

    def test_the_comparison_notices_an_index_the_migrations_lack(self, empty_database: Backend) -> None:
        migrate.upgrade(empty_database.url)
        asyncio.run(_execute(empty_database.url, "DROP INDEX ix_orders_id"))

        diff = schema_diff(empty_database.url)

        assert [(entry[0], entry[1].name) for entry in diff] == [("add_index", "ix_orders_id")]

    @pytest.mark.postgres
    @pytest.mark.parametrize("empty_database", ["postgres"], indirect=True)
    def test_the_comparison_sees_through_our_column_types_to_their_storage_types(
        self, empty_database: Backend
    ) -> None:
        """PostgreSQL only: SQLite cannot change a column's type in place."""
        migrate.upgrade(empty_database.url)
        asyncio.run(
            _execute(
                empty_database.url,
                "ALTER TABLE orders ALTER COLUMN production_cost TYPE integer",
                "ALTER TABLE orders ALTER COLUMN created_at TYPE timestamp without time zone",
            )
        )

        diff = schema_diff(empty_database.url)

        changed = {(change[0], change[2], change[3]) for entry in diff for change in entry}
        assert changed == {
            ("modify_type", "orders", "production_cost"),
            ("modify_type", "orders", "created_at"),
        }


class TestUpgradeIsRepeatable:
    def test_upgrading_an_up_to_date_database_again_changes_nothing(self, empty_database: Backend) -> None:
        migrate.upgrade(empty_database.url)
        asyncio.run(
            _execute(
                empty_database.url,
                "INSERT INTO accounts (email, role, created_at) "
                "VALUES ('kept@example.nl', 'owner', '2025-01-01 00:00:00')",
            )
        )
        before = (current_revision(empty_database.url), table_names(empty_database.url))

        migrate.upgrade(empty_database.url)

        assert (current_revision(empty_database.url), table_names(empty_database.url)) == before
        assert schema_diff(empty_database.url) == []

        async def emails() -> list[str]:
            engine = create_async_engine(empty_database.url)
            try:
                async with engine.connect() as conn:
                    return list((await conn.execute(text("SELECT email FROM accounts"))).scalars())
            finally:
                await engine.dispose()

        assert asyncio.run(emails()) == ["kept@example.nl"]


class TestDowngrade:
    def test_downgrading_to_base_removes_every_table_and_upgrading_again_rebuilds_them(
        self, empty_database: Backend
    ) -> None:
        migrate.upgrade(empty_database.url)

        command.downgrade(migrate.alembic_config(empty_database.url), "base")

        assert table_names(empty_database.url) <= {"alembic_version"}
        assert current_revision(empty_database.url) is None

        migrate.upgrade(empty_database.url)

        assert schema_diff(empty_database.url) == []
        assert current_revision(empty_database.url) == head_revision(empty_database.url)


class TestNotificationsLoseTheirForeignKeysButNoRow:
    def test_rows_and_the_attempts_key_survive_the_rebuild_of_9a3e5c7d1b20(
        self, empty_database: Backend
    ) -> None:
        url = empty_database.url
        command.upgrade(migrate.alembic_config(url), "4f7c2a9d1e36")
        asyncio.run(
            _execute(
                url,
                "INSERT INTO accounts (id, email, role, created_at) "
                "VALUES (1, 'shop@example.nl', 'owner', '2025-01-01 00:00:00')",
                "INSERT INTO webhook_endpoints (pk, id, account_id, environment, url, enabled, secret, "
                "created_at, updated_at) VALUES (1, 'ep_1', 1, 'test', 'https://shop.example.nl/hook', "
                "true, 'whsec_x', '2025-01-01 00:00:00', '2025-01-01 00:00:00')",
                "INSERT INTO webhook_notifications (pk, id, endpoint_pk, account_id, kind, status, attempts, "
                "created_at, changed_at, finished_at) VALUES (1, 'msg_1', 1, 1, 'ping', 'delivered', 1, "
                "'2025-01-01 00:00:00', '2025-01-01 00:00:00', '2025-01-01 00:00:01')",
                "INSERT INTO webhook_attempts (notification_pk, number, started_at, duration_ms, "
                "status_code, url) VALUES (1, 1, '2025-01-01 00:00:00', 5, 200, 'https://shop.example.nl/hook')",
            )
        )

        migrate.upgrade(url)

        def found(conn: Connection) -> tuple[Any, ...]:
            inspector = inspect(conn)
            return (
                conn.execute(text("SELECT id, finished_at IS NOT NULL FROM webhook_notifications")).all(),
                conn.execute(text("SELECT notification_pk, status_code FROM webhook_attempts")).all(),
                [key["referred_table"] for key in inspector.get_foreign_keys("webhook_notifications")],
                [key["referred_table"] for key in inspector.get_foreign_keys("webhook_attempts")],
            )

        notifications, attempts, keys, attempt_keys = asyncio.run(_on_connection(url, found))
        assert [tuple(row) for row in notifications] == [("msg_1", True)]
        assert [tuple(row) for row in attempts] == [(1, 200)]
        assert keys == []
        assert attempt_keys == ["webhook_notifications"]
        assert schema_diff(url) == []
