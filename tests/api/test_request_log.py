"""Every log line written while a request is handled names the request's id."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import httpx
import pytest
import structlog
from fastapi import FastAPI
from structlog.testing import LogCapture

from printapi import app as app_module
from printapi.app import create_app
from printapi.runtime import Runtime


@pytest.fixture
def app(runtime: Runtime) -> FastAPI:
    app = create_app(runtime=runtime)

    async def logs_something() -> dict[str, str]:
        structlog.get_logger("printapi.test").info("working on it")
        return {}

    async def fails() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/logs", logs_something)
    app.add_api_route("/fails", fails)
    app.middleware_stack = None  # rebuilt with the new routes on the next request
    return app


@pytest.fixture
def captured(app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> Iterator[LogCapture]:
    """Log lines as the configured processors see them, the request's bound values merged in
    (configured after the app, which configures logging when it is made)."""
    capture = LogCapture()
    before = structlog.get_config()
    structlog.configure(
        processors=[structlog.contextvars.merge_contextvars, capture],
        wrapper_class=structlog.make_filtering_bound_logger(logging.INFO),
        cache_logger_on_first_use=False,
    )
    # Loggers assembled (and cached) by earlier tests would not see this configuration.
    monkeypatch.setattr(app_module, "log", structlog.get_logger("printapi.app"))
    yield capture
    structlog.configure(**before)


async def test_a_line_logged_by_the_handler_carries_the_request_id(
    app: FastAPI, captured: LogCapture
) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        response = await http.get("/logs", headers={"X-Request-Id": "req-42"})

    assert response.headers["x-request-id"] == "req-42"
    [line] = [entry for entry in captured.entries if entry["event"] == "working on it"]
    assert line["request_id"] == "req-42"
    [request_line] = [entry for entry in captured.entries if entry["event"] == "request"]
    assert request_line["request_id"] == "req-42"


async def test_an_unexpected_error_is_logged_with_the_request_id(app: FastAPI, captured: LogCapture) -> None:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        response = await http.get("/fails", headers={"X-Request-Id": "req-43"})

    assert response.status_code == 500
    [line] = [entry for entry in captured.entries if entry["event"] == "unhandled error"]
    assert line["request_id"] == "req-43"


async def test_the_request_id_does_not_outlive_its_request(app: FastAPI, captured: LogCapture) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        await http.get("/logs", headers={"X-Request-Id": "req-44"})
    structlog.get_logger("printapi.test").info("after")

    assert "request_id" not in captured.entries[-1]


async def test_an_error_answer_s_line_names_its_stable_code(app: FastAPI, captured: LogCapture) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        response = await http.get("/v2/orders/nope")

    assert response.status_code == 401
    [line] = [entry for entry in captured.entries if entry["event"] == "request"]
    assert line["error_code"] == "unauthenticated"
