"""Driving the dashboard over HTTP as a browser would: cookies, forms and their CSRF tokens."""

from __future__ import annotations

import html
import re
from typing import Any

import httpx

from printapi.auth import service as auth
from printapi.runtime import Runtime
from tests.conftest import app_for

PASSWORD = "correct-horse-battery"
_TOKEN = re.compile(r'name="csrf_token" value="([^"]*)"')


def browser(runtime: Runtime, base_url: str = "http://testserver") -> httpx.AsyncClient:
    """A client with its own cookie jar: one person at one browser."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app_for(runtime)), base_url=base_url)


def token_in(page: str) -> str:
    found = _TOKEN.search(page)
    assert found, "no CSRF token on the page"
    return html.unescape(found.group(1))


async def post_form(
    http: httpx.AsyncClient, path: str, data: dict[str, Any] | None = None, *, from_page: str | None = None
) -> httpx.Response:
    """Submit a form as a browser does from ``from_page`` (default: ``path``): with that page's CSRF
    token, and the page as the Referer (where the dashboard sends you back after a failure)."""
    page = await http.get(from_page or path)
    return await http.post(
        path,
        data={"csrf_token": token_in(page.text), **(data or {})},
        headers={"Referer": str(http.base_url.join(from_page or path))},
    )


async def sign_up(http: httpx.AsyncClient, email: str, password: str = PASSWORD) -> httpx.Response:
    return await post_form(
        http,
        "/dashboard/sign-up",
        {"email": email, "password": password, "password_again": password},
    )


async def sign_in(http: httpx.AsyncClient, email: str, password: str = PASSWORD) -> httpx.Response:
    return await post_form(http, "/dashboard/sign-in", {"email": email, "password": password})


async def make_operator(runtime: Runtime, email: str = "operator@shop.example") -> str:
    async with runtime.db.write() as session:
        await auth.create_account(
            session,
            email=email,
            password_hash=runtime.passwords.hash(PASSWORD),
            role="operator",
            now=runtime.clock.now(),
        )
    return email


def flash_text(page: str) -> str:
    """The text of the flash messages on a page, tags removed."""
    found = re.search(r'<div id="flash">(.*?)</div>\s*(?:<div class|<section|<form|<h1|$)', page, re.S)
    return re.sub(r"<[^>]+>", " ", found.group(1) if found else "")
