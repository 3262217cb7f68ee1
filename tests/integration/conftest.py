"""Fixtures of the integration tier: empty databases for the migration checks, and small builders
that call the services the way the routes do (a principal, an order request).

The shared ``backend`` databases of ``tests/conftest.py`` are already migrated and seeded; tests
that need a database with nothing in it (migrations) get their own here and drop it afterwards.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import tempfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from printapi.auth.principal import Environment, Principal
from printapi.auth.scopes import scopes_for_role
from printapi.orders import service as orders
from printapi.orders.schemas import OrderIn
from printapi.runtime import Runtime
from tests.conftest import Backend, Credentials, _asyncpg_dsn, _postgres_server, _skipped_postgres


async def _admin(server: str, sql: str) -> None:
    conn = await asyncpg.connect(_asyncpg_dsn(server, "postgres"))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def postgres_server_or_skip() -> str:
    server = _postgres_server()
    if server is None:
        pytest.skip(_skipped_postgres[-1] if _skipped_postgres else "PostgreSQL tests are off")
    return server


def fresh_postgres_database(server: str) -> tuple[str, str]:
    """Create an empty PostgreSQL database; returns (its name, its SQLAlchemy URL)."""
    name = f"printapi_empty_{os.getpid()}_{secrets.token_hex(4)}"
    asyncio.run(_admin(server, f'CREATE DATABASE "{name}"'))
    return name, f"{server}/{name}"


def drop_postgres_database(server: str, name: str) -> None:
    asyncio.run(_admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_database(request: pytest.FixtureRequest) -> Iterator[Backend]:
    """A database with no tables at all, on each backend; removed after the test."""
    if request.param == "sqlite":
        with tempfile.TemporaryDirectory(prefix="printapi-empty-") as folder:
            yield Backend("sqlite", f"sqlite+aiosqlite:///{Path(folder) / 'empty.db'}")
        return
    server = postgres_server_or_skip()
    name, url = fresh_postgres_database(server)
    try:
        yield Backend("postgres", url)
    finally:
        drop_postgres_database(server, name)


def make_principal(credentials: Credentials, *, environment: Environment = Environment.TEST) -> Principal:
    """The caller a shop's token resolves to: its account, environment and every shop scope."""
    return Principal(
        account_id=credentials.account_id,
        account_email=credentials.email,
        environment=environment,
        scopes=frozenset(scopes_for_role("owner")),
    )


def make_order_request(body: dict[str, Any]) -> OrderIn:
    """An order request as the route receives it: the camelCase wire body, validated."""
    return OrderIn.model_validate(body)


async def place(runtime: Runtime, principal: Principal, body: dict[str, Any]) -> str:
    """Place an order in its own committed transaction; returns the order id."""
    async with runtime.db.write() as session:
        order = await orders.place_order(
            session,
            principal=principal,
            request=make_order_request(body),
            express_surcharge=Decimal(runtime.settings.express_surcharge),
            now=runtime.clock.now(),
        )
        return order.id
