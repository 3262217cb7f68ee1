"""Fixtures of the dashboard tier: signed-in browsers (owners, an operator) and orders placed by API."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from printapi import effects
from printapi.auth import service as auth
from printapi.auth.principal import Environment
from printapi.orders import service as orders
from printapi.orders.schemas import StatusChangeIn
from printapi.orders.states import OrderStatus
from printapi.runtime import Runtime
from tests.conftest import bearer, make_credentials, order_body
from tests.dashboard.helpers import browser, make_operator, sign_in, sign_up


@dataclass
class Person:
    """Someone signed in at their own browser."""

    http: httpx.AsyncClient
    email: str
    account_id: int


async def _account_id(runtime: Runtime, email: str) -> int:
    async with runtime.db.read() as session:
        return (await auth.find_account(session, email=email)).id


@pytest.fixture
async def owner(runtime: Runtime) -> AsyncIterator[Person]:
    async with browser(runtime) as http:
        email = f"owner-{secrets.token_hex(3)}@shop.example"
        response = await sign_up(http, email)
        assert response.status_code == 303, response.text
        yield Person(http, email, await _account_id(runtime, email))


@pytest.fixture
async def other_owner(runtime: Runtime) -> AsyncIterator[Person]:
    async with browser(runtime) as http:
        email = f"other-{secrets.token_hex(3)}@shop.example"
        response = await sign_up(http, email)
        assert response.status_code == 303, response.text
        yield Person(http, email, await _account_id(runtime, email))


@pytest.fixture
async def operator(runtime: Runtime) -> AsyncIterator[Person]:
    email = await make_operator(runtime)
    async with browser(runtime) as http:
        response = await sign_in(http, email)
        assert response.status_code == 303, response.text
        yield Person(http, email, await _account_id(runtime, email))


async def api_headers(
    runtime: Runtime, client: httpx.AsyncClient, email: str, environment: Environment = Environment.TEST
) -> dict[str, str]:
    """A bearer token of new API credentials of the account ``email``."""
    return await bearer(client, await make_credentials(runtime, email=email, environment=environment))


async def place(client: httpx.AsyncClient, headers: dict[str, str], **overrides: Any) -> dict[str, Any]:
    response = await client.post("/v2/orders", json=order_body(**overrides), headers=headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def move(
    runtime: Runtime, *, account_id: int, environment: str, order_id: str, status: OrderStatus
) -> None:
    """The print shop moves an order (as the CLI does), to set up a test."""
    async with runtime.db.write() as session:
        await effects.handle(
            session,
            await orders.operator_set_status(
                session,
                order_id=order_id,
                account_id=account_id,
                environment=environment,
                change=StatusChangeIn(status=status),
                now=runtime.clock.now(),
            ),
        )
