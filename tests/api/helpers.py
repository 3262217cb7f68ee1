"""Small helpers of the API tier: the documented error body, order counts, placing and moving orders."""

from __future__ import annotations

from typing import Any

import httpx

from printapi.auth.scopes import OPERATOR_SCOPES, SHOP_SCOPES
from tests.conftest import order_body

API_JSON = "application/json; charset=utf-8"
OAUTH_JSON = "application/json;charset=UTF-8"
# The seven scopes of the real service, in the order its token response lists them (spec §1.3).
REAL_SCOPES = (
    "products:browse shipping:quote coupons:quote orders:place orders:track files:upload orders:browse"
)
# Our extensions follow them; which ones there are is the scopes module's business.
SHOP_SCOPE = " ".join(SHOP_SCOPES)
OPERATOR_SCOPE = " ".join(OPERATOR_SCOPES)
# Local time (Europe/Amsterdam, CET) of the conftest clock's start, 2025-03-29T20:40:20.004491Z.
START_LOCAL = "2025-03-29T21:40:20.004491"
LONG_AGO = "2000-01-01T00:00:00"


def assert_error(response: httpx.Response, status: int, *, field: str | None = None) -> dict[str, Any]:
    """The documented error body ``{message, hints, errors}``, with ``field`` among the errors."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == API_JSON
    body: dict[str, Any] = response.json()
    assert list(body) == ["message", "hints", "errors"], body
    assert isinstance(body["message"], str)
    assert body["message"]
    assert isinstance(body["hints"], list)
    assert all(isinstance(hint, str) for hint in body["hints"])
    assert isinstance(body["errors"], list)
    for error in body["errors"]:
        assert list(error) == ["field", "message"], error
        assert isinstance(error["field"], str)
        assert isinstance(error["message"], str)
    if field is not None:
        assert field in fields(body), body
    return body


def fields(body: dict[str, Any]) -> list[str]:
    return [error["field"] for error in body["errors"]]


def assert_oauth_error(response: httpx.Response, status: int, error: str) -> dict[str, Any]:
    """An RFC 6749 §5.2 error of the token endpoint."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == OAUTH_JSON
    assert response.headers["cache-control"] == "no-store"
    body: dict[str, Any] = response.json()
    assert list(body) == ["error", "error_description"], body
    assert body["error"] == error
    assert isinstance(body["error_description"], str)
    assert body["error_description"]
    return body


async def order_count(client: httpx.AsyncClient, headers: dict[str, str]) -> int:
    response = await client.get("/v2/orders", headers=headers)
    assert response.status_code == 200, response.text
    count: int = response.json()["count"]
    return count


async def place(
    client: httpx.AsyncClient, headers: dict[str, str], body: dict[str, Any] | None = None
) -> dict[str, Any]:
    response = await client.post("/v2/orders", json=body or order_body(), headers=headers)
    assert response.status_code == 201, response.text
    order: dict[str, Any] = response.json()
    return order


async def move(
    client: httpx.AsyncClient, headers: dict[str, str], order_id: str, status: str, **extra: Any
) -> httpx.Response:
    return await client.post(
        f"/v2/orders/{order_id}/status", json={"status": status, **extra}, headers=headers
    )


async def changes(
    client: httpx.AsyncClient, headers: dict[str, str], since: str = LONG_AGO
) -> list[dict[str, Any]]:
    """The ``sync/statuses`` rows after ``since``."""
    response = await client.get("/v2/sync/statuses", params={"since": since}, headers=headers)
    assert response.status_code == 200, response.text
    results: list[dict[str, Any]] = response.json()["results"]
    return results


async def status_of(client: httpx.AsyncClient, headers: dict[str, str], order_id: str) -> str:
    response = await client.get(f"/v2/orders/{order_id}/status", headers=headers)
    assert response.status_code == 200, response.text
    status: str = response.json()["order"]
    return status


def compact(json_text: str) -> str:
    """JSON text without the whitespace between tokens, number formats untouched."""
    out: list[str] = []
    in_string = escaped = False
    for char in json_text:
        if in_string:
            out.append(char)
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
            out.append(char)
        elif not char.isspace():
            out.append(char)
    return "".join(out)
