"""Every kind of answer the API writes, byte for byte, against a recorded transcript.

One scenario walks the whole API as a shop, its operator and a v1 client would: the catalogue, a
quote, the account and its consumer prices, coupons, orders with every member (a checkout, a
discount, files waiting, downloading, refused and accepted, a tracking URL), the payment setup,
status changes and their sync, shipments in parts, webhook endpoints and their delivery log, the
v1 alias and the error answers. Each answer's status, media type, Location and body are compared with
``golden/wire.txt``; the random parts (codes, endpoint and message ids, secrets, tokens) are named
in order of appearance, so which answers share a value still counts. Both databases must write
the same bytes.

The transcript was recorded before the response models became the presenters; it is the
promise that the wire did not move. Record it again only for a change of the wire that is meant:
``PRINTAPI_WRITE_GOLDEN=1 pytest tests/api/test_wire_golden.py -k sqlite``, then read the diff.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from printapi.kit.clock import FixedClock
from printapi.models import WebhookAttempt, WebhookNotification
from printapi.runtime import Runtime
from tests.conftest import Credentials, address, bearer, book_item, make_credentials
from tests.files.make_files import make_pdf

GOLDEN = Path(__file__).parent / "golden" / "wire.txt"
STEP = timedelta(seconds=1, microseconds=250_300)

# The random parts of answers, each named by its kind and the order it first appeared in.
RANDOM = {
    "upload": re.compile(r"(?<=/files/)[A-Za-z0-9]{20}"),
    "checkout": re.compile(r"(?<=/checkout/)[A-Za-z0-9]{20}"),
    "payment": re.compile(r"(?<=/payments/)[A-Za-z0-9]{20}"),
    "endpoint": re.compile(r"ep_[A-Za-z0-9]{20}"),
    "message": re.compile(r"msg_[0-9a-f]{32}"),
    "secret": re.compile(r"whsec_[A-Za-z0-9+/=]+"),
    "token": re.compile(r'(?<="access_token": ")[A-Za-z0-9_-]+'),
    "email": re.compile(r"shop-[0-9a-f]{8}@example\.nl"),
    "account": re.compile(r"(?<=/accounts/)[0-9]+"),
    # A feed cursor holds PostgreSQL's transaction id (0 on SQLite): "1.<txid>.<pk>", base64url.
    "cursor": re.compile(r"(?<=[\"=])MS4[A-Za-z0-9_-]+"),
}


@pytest.fixture
def settings_overrides(tmp_path: Path) -> dict[str, Any]:
    return {"storage_dir": str(tmp_path / "files")}


@dataclass
class Transcript:
    """The answers of a scenario, written as text with their random parts named."""

    http: httpx.AsyncClient
    clock: FixedClock
    entries: list[str] = field(default_factory=list)
    names: dict[str, dict[str, str]] = field(default_factory=dict)

    async def call(
        self, title: str, method: str, path: str, headers: dict[str, str] | None = None, **request: Any
    ) -> httpx.Response:
        self.clock.advance(STEP)
        response = await self.http.request(method, path, headers=headers, **request)
        location = response.headers.get("location")
        lines = [
            f"### {title}",
            f"{method} {path}",
            f"{response.status_code} {response.headers.get('content-type', '-')}",
            *([f"location: {location}"] if location else []),
            response.text or "(no body)",
        ]
        self.entries.append(self._named("\n".join(lines)))
        return response

    def _named(self, text: str) -> str:
        for kind, pattern in RANDOM.items():
            text = pattern.sub(lambda match, kind=kind: self._name(kind, match[0]), text)
        return text

    def _name(self, kind: str, value: str) -> str:
        seen = self.names.setdefault(kind, {})
        return seen.setdefault(value, f"<{kind}-{len(seen) + 1}>")

    def text(self) -> str:
        return "\n\n".join(self.entries) + "\n"


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


async def catalogue_and_quotes(t: Transcript, shop: dict[str, str]) -> None:
    await t.call("the first products", "GET", "/v2/products?offset=0&limit=3", shop)
    await t.call("a product with options", "GET", "/v2/products/boek_hc_a4_lig", shop)
    await t.call("a fixed-page product", "GET", "/v2/products/poster_a3_sta", shop)
    quote = {"country": "NL", "items": [{"productId": "fotoprints_15x10", "pageCount": 10, "quantity": 1}]}
    await t.call("a shipping quote", "POST", "/v2/shipping/quote", shop, json=quote)
    tracked = {"country": "BE", "preference": "Tracked", "items": [book_item(quantity=3)]}
    await t.call("a tracked shipping quote abroad", "POST", "/v2/shipping/quote", shop, json=tracked)


async def plain_order(t: Transcript, shop: dict[str, str]) -> None:
    """Without the payment screen: no checkout, the zero discount written 0.0."""
    body = {"id": "wire-0", "items": [book_item(id="00001")], "shipping": {"address": address()}}
    await t.call("a plain order", "POST", "/v2/orders", shop, json=body)


async def account_and_prices(t: Transcript, shop: dict[str, str]) -> None:
    await t.call("the account", "GET", "/v2/account", shop)
    settings = {
        "paymentScreen": True,
        "notificationEmail": "orders@shop.example",
        "consumerShipping": {"rule": "flat", "flat": 3.95},
    }
    await t.call("the account with the payment screen on", "PATCH", "/v2/account", shop, json=settings)
    prices = {
        "checkout": {"base": 24.95, "perExtraPage": 0.50},
        "options": [{"id": "cover_finish", "value": "laminate_matte", "checkout": {"base": 3.5}}],
    }
    await t.call("consumer prices", "PUT", "/v2/account/prices/boek_hc_a5_sta", shop, json=prices)
    await t.call("a product with consumer prices", "GET", "/v2/products/boek_hc_a5_sta", shop)
    quote = {"country": "NL", "items": [book_item()]}
    await t.call(
        "a shipping quote with the payment screen on", "POST", "/v2/shipping/quote", shop, json=quote
    )


async def coupons(t: Transcript, shop: dict[str, str], operator: dict[str, str]) -> None:
    percentage = {
        "code": "ZOMER10",
        "type": "Percentage",
        "percentage": 10,
        "expirationDateTime": "2025-06-30T00:00:00",
        "usageLimit": 5,
    }
    await t.call("a percentage coupon", "POST", "/v2/operator/coupons", operator, json=percentage)
    amount = {"code": "VIJF", "type": "Amount", "amount": 5.00, "scope": "Total"}
    await t.call("an amount coupon", "POST", "/v2/operator/coupons", operator, json=amount)
    await t.call("the coupons", "GET", "/v2/operator/coupons", operator)
    worked_out = {"code": "ZOMER10", "productsAmount": 10.00, "shippingAmount": 2.95}
    await t.call("a coupon quote worked out", "POST", "/v2/coupons/quote", shop, json=worked_out)
    await t.call("a coupon quote", "POST", "/v2/coupons/quote", shop, json={"code": "VIJF"})


def full_order() -> dict[str, Any]:
    book = book_item(
        id="00001",
        title="Our holiday",
        metadata='{"sku":"B-A5"}',
        options=[{"id": "cover_finish", "value": "laminate_matte"}],
        files={"content": "https://files.example.nl/b1/content.pdf"},
    )
    poster = {"id": "00002", "productId": "poster_a3_sta", "quantity": 2}
    return {
        "id": "wire-1",
        "email": "klant@example.nl",
        "username": "klant",
        "productionSpeed": "Express",
        "items": [book, poster],
        "shipping": {
            "address": address(company="Webwinkel B.V.", line2="2e verdieping", state="UT"),
            "preference": "Tracked",
        },
        "coupon": "ZOMER10",
        "metadata": '{"order":"A-1"}',
    }


async def orders_and_checkout(t: Transcript, shop: dict[str, str], folder: Path) -> None:
    placed = (
        await t.call("an order with every member", "POST", "/v2/orders", shop, json=full_order())
    ).json()
    await t.call("the order read", "GET", "/v2/orders/wire-1", shop)
    await t.call("its statuses before checkout", "GET", "/v2/orders/wire-1/status", shop)
    setup = path_of(placed["checkout"]["setupUrl"])
    billing = {
        "address": address(name="K. Klant", city="Amersfoort", email="klant@example.nl", company="K&K")
    }
    checkout = {"returnUrl": "https://shop.example.nl/paid?order=wire-1", "billing": billing}
    await t.call("a checkout set up", "POST", setup, shop, json=checkout)
    await t.call("the checkout", "GET", setup, shop)
    await t.call("its statuses with the payment", "GET", "/v2/orders/wire-1/status", shop)
    cover = path_of(placed["items"][0]["files"]["cover"]["uploadUrl"])
    too_small = make_pdf(folder / "small.pdf", size_mm=(100.0, 100.0)).read_bytes()
    pdf = {"Content-Type": "application/pdf"}
    await t.call("a refused upload", "POST", cover, {**shop, **pdf}, content=too_small)
    await t.call("the order with the findings", "GET", "/v2/orders/wire-1", shop)
    good = make_pdf(folder / "cover.pdf", size_mm=(348.56, 253.0)).read_bytes()
    await t.call("an accepted upload", "POST", cover, {**shop, **pdf}, content=good)
    await t.call("the order with the cover", "GET", "/v2/orders/wire-1", shop)


async def statuses(t: Transcript, shop: dict[str, str], operator: dict[str, str], account_id: int) -> None:
    processing = {"status": "Processing"}
    await t.call("a simulated change", "POST", "/v2/orders/wire-0/status", shop, json=processing)
    shipped = {"status": "Shipped", "trackingUrl": "https://track.example/3SABC"}
    operator_path = f"/v2/operator/accounts/{account_id}/orders/wire-0/status"
    await t.call("an operator's change", "POST", operator_path, operator, json=shipped)
    await t.call("a shipped order", "GET", "/v2/orders/wire-0", shop)
    await t.call("the orders", "GET", "/v2/orders?limit=5", shop)
    await t.call("the changes", "GET", "/v2/sync/statuses?since=2025-03-29T21:00:00", shop)
    await t.call(
        "the changes since a UTC moment", "GET", "/v2/sync/statuses?since=2025-03-29T20:40:30Z", shop
    )


async def endpoints(t: Transcript, shop: dict[str, str]) -> str:
    created = await t.call(
        "a webhook endpoint", "POST", "/v2/webhooks", shop, json={"url": "https://shop.example/hook"}
    )
    endpoint = "/v2/webhooks/" + created.json()["id"]
    await t.call("an endpoint changed", "PATCH", endpoint, shop, json={"description": "Main shop"})
    await t.call("an endpoint disabled", "POST", f"{endpoint}/disable", shop)
    await t.call("an endpoint enabled", "POST", f"{endpoint}/enable", shop)
    await t.call("a secret rotated", "POST", f"{endpoint}/rotate-secret", shop)
    await t.call("the endpoint", "GET", endpoint, shop)
    other = await t.call("another endpoint", "POST", "/v2/webhooks", shop, json={"url": "https://b.example/"})
    await t.call("the endpoints", "GET", "/v2/webhooks", shop)
    await t.call("an endpoint deleted", "DELETE", "/v2/webhooks/" + other.json()["id"], shop)
    return endpoint


async def attempts(runtime: Runtime, message_id: str) -> None:
    """Two attempts of a ping, as the worker records them: a 503, then a delivery."""
    now = runtime.clock.now()
    async with runtime.db.write() as session:
        ping = (
            await session.execute(select(WebhookNotification).where(WebhookNotification.id == message_id))
        ).scalar_one()
        ping.status, ping.attempts, ping.finished_at = "delivered", 2, now + timedelta(seconds=31)
        ping.next_attempt_at = None
        for number, (code, error, answer) in enumerate(
            [(503, "HTTP 503", "busy \u2013 try later\u2028\x01\x7f"), (200, None, "thanks")], start=1
        ):
            session.add(
                WebhookAttempt(
                    notification_pk=ping.pk,
                    number=number,
                    started_at=now + timedelta(seconds=30 * (number - 1), microseconds=120),
                    duration_ms=41 * number,
                    status_code=code,
                    error_class="http_status" if error else None,
                    error=error,
                    response_snippet=answer,
                    url="https://shop.example/hook",
                )
            )


async def delivery_log(t: Transcript, runtime: Runtime, shop: dict[str, str], endpoint: str) -> None:
    ping = (await t.call("a ping", "POST", f"{endpoint}/ping", shop)).json()
    await attempts(runtime, ping["id"])
    await t.call("the delivery log", "GET", f"{endpoint}/notifications?limit=10", shop)
    resend = f"/v2/webhooks/notifications/{ping['id']}/resend"
    await t.call("a ping sent again", "POST", resend, shop)
    await t.call("a cancelled order", "POST", "/v2/orders/wire-1/status", shop, json={"status": "Cancelled"})
    await t.call("the notifications of an order", "GET", "/v2/orders/wire-1/notifications", shop)


async def version_one(t: Transcript, shop: dict[str, str]) -> None:
    body = {"id": "wire-v1", "items": [book_item(id="00001")], "shippingAddress": address(line2="achterom")}
    placed = (await t.call("a v1 order", "POST", "/v1/orders", shop, json=body)).json()
    await t.call("a v1 order read", "GET", "/v1/orders/wire-v1", shop)
    await t.call("the v1 orders", "GET", "/v1/orders?limit=2", shop)
    await t.call("v1 statuses", "GET", "/v1/orders/wire-v1/status", shop)
    setup = path_of(placed["checkout"]["setupUrl"])
    checkout = {"returnUrl": "https://shop.example.nl/v1", "billingAddress": address(email="a@b.nl")}
    await t.call("a v1 checkout", "POST", setup, shop, json=checkout)
    await t.call("a v1 product", "GET", "/v1/products/poster_a3_sta", shop)


async def errors(t: Transcript, shop: dict[str, str]) -> None:
    await t.call("no token", "GET", "/v2/orders")
    await t.call("a body with many problems", "POST", "/v2/orders", shop, json={"items": [{"quantity": "1"}]})
    await t.call("an unknown order", "GET", "/v2/orders/nope", shop)
    await t.call("a wrong method", "DELETE", "/v2/orders", shop)
    await t.call("an unknown path", "GET", "/v2/nothing", shop)
    await t.call("a duplicate id", "POST", "/v2/orders", shop, json={**full_order(), "id": "wire-0"})
    await t.call("not an operator", "GET", "/v2/operator/coupons", shop)
    await t.call("an illegal move", "POST", "/v2/orders/wire-0/status", shop, json={"status": "Created"})
    await t.call("a page too long", "GET", "/v2/orders?limit=500", shop)
    text = {**shop, "Content-Type": "text/plain"}
    await t.call("not JSON", "POST", "/v2/shipping/quote", text, content=b"country=NL")
    await t.call("bad credentials", "POST", "/v2/oauth", data={"grant_type": "client_credentials"})


async def shipments(t: Transcript, shop: dict[str, str], operator: dict[str, str], account_id: int) -> None:
    """Extension: an order leaves in two parcels; the operator's answers and the order's member."""
    items = [book_item(id="00001", quantity=2), {"id": "00002", "productId": "poster_a3_sta", "quantity": 1}]
    body = {"id": "wire-s", "items": items, "shipping": {"address": address()}}
    await t.call("an order to ship in parts", "POST", "/v2/orders", shop, json=body)
    await t.call("its production", "POST", "/v2/orders/wire-s/status", shop, json={"status": "Processing"})
    path = f"/v2/operator/accounts/{account_id}/orders/wire-s/shipments"
    first = {
        "carrier": "PostNL",
        "trackingCode": "3SABC1",
        "trackingUrl": "https://track.example/3SABC1",
        "items": [{"itemId": "00001", "quantity": 1}],
    }
    await t.call("a first parcel", "POST", path, operator, json=first)
    too_many = {"items": [{"itemId": "00001", "quantity": 2}, {"itemId": "00003", "quantity": 1}]}
    await t.call("a parcel with more than is left", "POST", path, operator, json=too_many)
    await t.call("the last parcel", "POST", path, operator, json={"carrier": "DHL", "trackingCode": "JVGL2"})
    await t.call("an order shipped in parts", "GET", "/v2/orders/wire-s", shop)


async def event_feed(t: Transcript, shop: dict[str, str], endpoint: str) -> None:
    first = (await t.call("the event feed", "GET", "/v2/events?limit=3", shop)).json()
    await t.call("the event feed read on", "GET", f"/v2/events?limit=2&after={first['cursor']}", shop)
    await t.call("a cursor the feed did not hand out", "GET", "/v2/events?after=nope", shop)
    await t.call("failures recovered", "POST", f"{endpoint}/recover?since=2025-03-29T00:00:00", shop)
    await t.call("a moment that is not one", "POST", f"{endpoint}/recover?since=soon", shop)


async def estimate_and_cancel(t: Transcript, shop: dict[str, str]) -> None:
    """Extensions (issue 15): an order estimated, its problems, a cancellation and its refusal."""
    body = {**full_order(), "id": "wire-3"}
    await t.call("an estimate", "POST", "/v2/orders/estimate", shop, json=body)
    bad = {"items": [{"quantity": "1"}]}
    await t.call("an estimate with many problems", "POST", "/v2/orders/estimate", shop, json=bad)
    await t.call("the estimated order placed", "POST", "/v2/orders", shop, json=body)
    await t.call("an order cancelled", "POST", "/v2/orders/wire-3/cancel", shop)
    await t.call("a shipped order not cancelled", "POST", "/v2/orders/wire-0/cancel", shop)


async def token(t: Transcript, credentials: Credentials) -> None:
    form = {
        "grant_type": "client_credentials",
        "client_id": credentials.client_id,
        "client_secret": credentials.client_secret,
        "scope": "products:browse orders:track",
    }
    await t.call("a token", "POST", "/v2/oauth", data=form)


async def test_every_answer_is_written_as_recorded(
    client: httpx.AsyncClient,
    runtime: Runtime,
    clock: FixedClock,
    shop: Credentials,
    auth_headers: dict[str, str],
    tmp_path: Path,
) -> None:
    t = Transcript(client, clock)
    operator = await bearer(client, await make_credentials(runtime, role="operator"))

    await token(t, shop)
    await catalogue_and_quotes(t, auth_headers)
    await plain_order(t, auth_headers)
    endpoint = await endpoints(t, auth_headers)
    await account_and_prices(t, auth_headers)
    await coupons(t, auth_headers, operator)
    await orders_and_checkout(t, auth_headers, tmp_path)
    await statuses(t, auth_headers, operator, shop.account_id)
    await delivery_log(t, runtime, auth_headers, endpoint)
    await version_one(t, auth_headers)
    await errors(t, auth_headers)
    await shipments(t, auth_headers, operator, shop.account_id)
    await event_feed(t, auth_headers, endpoint)
    await estimate_and_cancel(t, auth_headers)

    if os.environ.get("PRINTAPI_WRITE_GOLDEN") == "1":
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(t.text(), encoding="utf-8")
    recorded = GOLDEN.read_text(encoding="utf-8").split("\n\n")
    for entry, expected in zip(t.entries, recorded, strict=True):
        assert entry == expected.removesuffix("\n")
