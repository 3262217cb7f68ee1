"""Fixtures and builders of the payment-screen tests (spec §3.3 checkout, §3.9, §3.10, §4.2).

Every test runs through the ASGI app on both databases (``backend``). The builders are small
keyword-only functions that do what a shop does: switch the payment screen on, place an order,
set up its checkout, pay on the hosted page, upload real print files.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import delete, select

from printapi.models import Coupon, OrderStatusChange
from printapi.runtime import Runtime
from tests.conftest import address, bearer, make_credentials, order_body
from tests.files.make_files import make_pdf

# The real webhook receiver, runtime (system clock, fast schedule) and worker of the webhook tests.
from tests.webhooks.conftest import FAST, api, live_runtime, receiver, shop_api, worker  # noqa: F401

PDF = {"Content-Type": "application/pdf"}
# boek_hc_a5_sta with 32 pages: content 154 × 216 mm (32 pages), cover 348.56 × 253 mm (1 page).
CONTENT_MM = (154.0, 216.0)
COVER_MM = (348.56, 253.0)
# What its customer pays by default: 15.20 + 8 extra pages × 0.44 = 18.72 for the book, plus the
# consumer price of a letterbox parcel to NL (4.15).
BOOK_ORDER_AMOUNT = 22.87
RETURN_URL = "https://shop.example.nl/paid?order=1"
LONG_AGO = "2000-01-01T00:00:00"
_TOKEN = re.compile(r'name="token" value="([^"]*)"')


def path_of(url: str) -> str:
    """The path of an absolute URL the server handed out (the tests talk to the ASGI app)."""
    return re.sub(r"^https?://[^/]+", "", url)


@pytest.fixture(scope="session")
def files_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the print files of these tests are stored: one folder for the whole session, so that
    the settings are the same from test to test and so is the app built for them (``app_for``
    builds one per settings, 0.15-0.6 s). Each file's key is its own (a random part), and no test
    here looks at the folder."""
    return tmp_path_factory.mktemp("files")


@pytest.fixture
def settings_overrides(files_dir: Path) -> dict[str, Any]:
    return {"storage_dir": str(files_dir)}


@pytest.fixture
def webhook_settings(files_dir: Path) -> dict[str, Any]:
    """``live_runtime``'s settings here: the webhook tests' fast schedule, no SMTP server."""
    return {**FAST, "storage_dir": str(files_dir)}


@pytest.fixture
async def paying_headers(client: httpx.AsyncClient, auth_headers: dict[str, str]) -> dict[str, str]:
    """The ``shop``'s token, with the payment screen switched on for its account."""
    await switch_payment_screen(client, auth_headers, on=True)
    return auth_headers


@pytest.fixture
async def operator_headers(client: httpx.AsyncClient, runtime: Runtime) -> AsyncIterator[dict[str, str]]:
    """An operator's token; the coupons made in the test are removed afterwards (no account owns them)."""
    yield await bearer(client, await make_credentials(runtime, role="operator"))
    async with runtime.db.write() as session:
        await session.execute(delete(Coupon))


@dataclass(frozen=True)
class PrintFiles:
    content: bytes
    cover: bytes


@pytest.fixture
def print_files(tmp_path: Path) -> PrintFiles:
    """Real PDFs that pass preflight for boek_hc_a5_sta with 32 pages."""
    return PrintFiles(
        content=make_pdf(tmp_path / "content.pdf", size_mm=CONTENT_MM, pages=32).read_bytes(),
        cover=make_pdf(tmp_path / "cover.pdf", size_mm=COVER_MM).read_bytes(),
    )


# -- builders ----------------------------------------------------------------------------------


async def switch_payment_screen(client: httpx.AsyncClient, headers: dict[str, str], *, on: bool) -> None:
    response = await client.patch("/v2/account", json={"paymentScreen": on}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["paymentScreen"] is on


def billing(**overrides: Any) -> dict[str, Any]:
    fields = {"name": "K. Klant", "city": "Amersfoort", "email": "klant@example.nl", **overrides}
    return {"address": address(**fields)}


def checkout_body(*, return_url: str = RETURN_URL, **address_overrides: Any) -> dict[str, Any]:
    return {"returnUrl": return_url, "billing": billing(**address_overrides)}


async def place(client: httpx.AsyncClient, headers: dict[str, str], **overrides: Any) -> dict[str, Any]:
    """Place an order (one 32-page book unless ``items`` says otherwise)."""
    items = overrides.pop("items", None) or []
    response = await client.post("/v2/orders", json=order_body(*items, **overrides), headers=headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def set_up(
    client: httpx.AsyncClient, headers: dict[str, str], order: dict[str, Any], **body: Any
) -> dict[str, Any]:
    """POST the order's setupUrl; the checkout of spec §3.9."""
    response = await client.post(
        path_of(order["checkout"]["setupUrl"]), json=checkout_body(**body), headers=headers
    )
    assert response.status_code == 201, response.text
    checkout: dict[str, Any] = response.json()
    return checkout


async def token_of(client: httpx.AsyncClient, payment_url: str) -> str:
    """The hidden token of the hosted test page's form."""
    page = await client.get(path_of(payment_url))
    assert page.status_code == 200, page.text
    found = _TOKEN.search(page.text)
    assert found is not None, page.text
    return found.group(1)


def outcome_path(payment_url: str) -> str:
    return path_of(payment_url).removesuffix("/start") + "/test"


async def choose(
    client: httpx.AsyncClient, payment_url: str, outcome: str, *, token: str | None = None
) -> httpx.Response:
    """Press one of the test page's buttons (Successful, Failed or Cancelled), as a browser posts it."""
    token = token if token is not None else await token_of(client, payment_url)
    return await client.post(outcome_path(payment_url), data={"token": token, "outcome": outcome})


async def read_order(client: httpx.AsyncClient, headers: dict[str, str], order_id: str) -> dict[str, Any]:
    response = await client.get(f"/v2/orders/{order_id}", headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def statuses(client: httpx.AsyncClient, headers: dict[str, str], order_id: str) -> dict[str, Any]:
    response = await client.get(f"/v2/orders/{order_id}/status", headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def history(client: httpx.AsyncClient, headers: dict[str, str]) -> list[str]:
    """The statuses of the account's ``sync/statuses`` rows, oldest first."""
    response = await client.get("/v2/sync/statuses", params={"since": LONG_AGO}, headers=headers)
    assert response.status_code == 200, response.text
    return [row["status"] for row in response.json()["results"]]


async def upload(
    client: httpx.AsyncClient, headers: dict[str, str], order: dict[str, Any], kind: str, data: bytes
) -> None:
    url = order["items"][0]["files"][kind]["uploadUrl"]
    response = await client.post(path_of(url), content=data, headers={**headers, **PDF})
    assert response.status_code == 200, response.text


async def upload_all(
    client: httpx.AsyncClient, headers: dict[str, str], order: dict[str, Any], files: PrintFiles
) -> None:
    await upload(client, headers, order, "content", files.content)
    await upload(client, headers, order, "cover", files.cover)


async def payment_notes(runtime: Runtime, order_id: str) -> list[str]:
    """The notes of the order's history rows that a payment change wrote ("payment Successful", …)."""
    async with runtime.db.read() as session:
        notes = await session.execute(
            select(OrderStatusChange.note)
            .where(OrderStatusChange.order_id == order_id, OrderStatusChange.note.like("payment %"))
            .order_by(OrderStatusChange.pk)
        )
        return [note for note in notes.scalars() if note is not None]
