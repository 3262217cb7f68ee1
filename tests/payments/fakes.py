"""Loopback fakes of the few Mollie and Stripe endpoints printapi uses, for the providers' official
SDKs to talk to (by their base-URL settings). Small and honest: the fields, statuses and error
bodies follow the providers' published API references (Mollie v2 Payments and Refunds; Stripe
Checkout Sessions, Refunds, webhook signatures), so a change in how we call the SDKs shows here.

Each fake also serves the tiny hosted checkout page its ``checkout`` URL points to, with buttons
that end the payment, notify (``deliver``: over HTTP by default, or straight into the ASGI app
in the API tests) and send the browser back, as the real checkouts do. Switches let a test take
the provider down (``down``: 503 answers), slow (``stall`` seconds), or lose its notifications
(``notify = False``).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl, urlencode

import aiohttp
from aiohttp import web

from tests.webhooks.conftest import loopback_site

Deliver = Callable[[str, bytes, dict[str, str]], Awaitable[int]]
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


async def deliver_over_http(url: str, body: bytes, headers: dict[str, str]) -> int:
    async with aiohttp.ClientSession() as http, http.post(url, data=body, headers=headers) as response:
        return response.status


def _page(title: str, amount: str, actions: list[tuple[str, str]]) -> str:
    buttons = "".join(
        f'<form method="post" action="{action}"><button type="submit">{label}</button></form>'
        for label, action in actions
    )
    return (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{title}</title></head>"
        f"<body><main><h1>{title}</h1><p data-testid='provider-amount'>{amount}</p>{buttons}</main>"
        "</body></html>"
    )


@dataclass
class Notification:
    url: str
    body: bytes
    headers: dict[str, str]


@dataclass
class Fake:
    base: str = ""
    down: bool = False  # every API call answers 503
    stall: float = 0.0  # every API call answers this much later
    notify: bool = True  # the checkout page's buttons notify (False: the notification is lost)
    deliver: Deliver = deliver_over_http
    calls: list[str] = field(default_factory=list)  # "POST /v2/payments", …
    notifications: list[Notification] = field(default_factory=list)
    idempotent: dict[str, Any] = field(default_factory=dict)

    async def _send(self, url: str, body: bytes, headers: dict[str, str]) -> None:
        self.notifications.append(Notification(url, body, headers))
        if self.notify:
            await self.deliver(url, body, headers)

    async def resend_last(self) -> int:
        """The provider's retry of its last notification."""
        last = self.notifications[-1]
        return await self.deliver(last.url, last.body, last.headers)


# -- Mollie (docs.mollie.com/reference: Payments API, Refunds API, "Handling errors") -------------


def _mollie_error(status: int, title: str, detail: str, field_name: str | None = None) -> web.Response:
    body: dict[str, Any] = {
        "status": status,
        "title": title,
        "detail": detail,
        "_links": {
            "documentation": {"href": "https://docs.mollie.com/overview/handling-errors", "type": "text/html"}
        },
    }
    if field_name:
        body["field"] = field_name
    return web.json_response(body, status=status, content_type="application/hal+json")


@dataclass
class FakeMollie(Fake):
    api_key: str = "test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM"
    payments: dict[str, dict[str, Any]] = field(default_factory=dict)
    refunds: dict[str, dict[str, Any]] = field(default_factory=dict)

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._api])
        app.router.add_post("/v2/payments", self._create)
        app.router.add_get("/v2/payments/{id}", self._get)
        app.router.add_delete("/v2/payments/{id}", self._cancel)
        app.router.add_post("/v2/payments/{id}/refunds", self._refund)
        app.router.add_get("/checkout/{id}", self._checkout)
        app.router.add_post("/checkout/{id}/{outcome}", self._choose)
        return app

    @web.middleware
    async def _api(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if not request.path.startswith("/v2/"):
            return await handler(request)
        self.calls.append(f"{request.method} {request.path}")
        if self.stall:
            await asyncio.sleep(self.stall)
        if self.down:
            return _mollie_error(503, "Service Unavailable", "The service is temporarily unavailable.")
        if request.headers.get("Authorization") != f"Bearer {self.api_key}":
            return _mollie_error(
                401, "Unauthorized Request", "Missing authentication, or failed to authenticate"
            )
        return await handler(request)

    def _payment_body(self, payment: dict[str, Any]) -> dict[str, Any]:
        body = {key: value for key, value in payment.items() if not key.startswith("_private")}
        body["isCancelable"] = payment["status"] == "open"
        links: dict[str, Any] = {
            "self": {"href": f"{self.base}/v2/payments/{payment['id']}", "type": "application/hal+json"},
            "dashboard": {
                "href": f"https://my.mollie.com/dashboard/payments/{payment['id']}",
                "type": "text/html",
            },
        }
        if payment["status"] == "open":
            links["checkout"] = {"href": f"{self.base}/checkout/{payment['id']}", "type": "text/html"}
        body["_links"] = links
        return body

    async def _create(self, request: web.Request) -> web.Response:
        key = request.headers.get("Idempotency-Key", "")
        if key and key in self.idempotent:
            return web.json_response(self._payment_body(self.payments[self.idempotent[key]]), status=201)
        data = await request.json()
        amount = data.get("amount") or {}
        if not isinstance(amount, dict) or amount.get("currency") != "EUR" or "value" not in amount:
            return _mollie_error(422, "Unprocessable Entity", "The amount is required for payments", "amount")
        if not data.get("description"):
            return _mollie_error(422, "Unprocessable Entity", "The description is invalid", "description")
        if not data.get("redirectUrl"):
            return _mollie_error(422, "Unprocessable Entity", "The redirect URL is invalid", "redirectUrl")
        payment_id = "tr_" + secrets.token_hex(5)
        self.payments[payment_id] = {
            "resource": "payment",
            "id": payment_id,
            "mode": "test",
            "createdAt": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime()),
            "amount": amount,
            "description": data["description"],
            "method": None,
            "metadata": data.get("metadata"),
            "status": "open",
            "expiresAt": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(time.time() + 900)),
            "profileId": "pfl_QkEhN94Ba",
            "sequenceType": "oneoff",
            "redirectUrl": data["redirectUrl"],
            "webhookUrl": data.get("webhookUrl"),
        }
        if key:
            self.idempotent[key] = payment_id
        return web.json_response(self._payment_body(self.payments[payment_id]), status=201)

    def _find(self, request: web.Request) -> dict[str, Any] | None:
        return self.payments.get(request.match_info["id"])

    async def _get(self, request: web.Request) -> web.Response:
        payment = self._find(request)
        if payment is None:
            return _mollie_error(
                404, "Not Found", f"No payment exists with token {request.match_info['id']}."
            )
        return web.json_response(self._payment_body(payment))

    async def _cancel(self, request: web.Request) -> web.Response:
        payment = self._find(request)
        if payment is None:
            return _mollie_error(
                404, "Not Found", f"No payment exists with token {request.match_info['id']}."
            )
        if payment["status"] != "open":
            return _mollie_error(422, "Unprocessable Entity", "The payment cannot be canceled")
        self.end(payment["id"], "canceled")
        return web.json_response(self._payment_body(payment))

    async def _refund(self, request: web.Request) -> web.Response:
        payment = self._find(request)
        if payment is None:
            return _mollie_error(
                404, "Not Found", f"No payment exists with token {request.match_info['id']}."
            )
        key = request.headers.get("Idempotency-Key", "")
        if key and key in self.idempotent:
            return web.json_response(self.refunds[self.idempotent[key]], status=201)
        data = await request.json()
        if payment["status"] != "paid":
            return _mollie_error(422, "Unprocessable Entity", "The payment cannot be refunded", "amount")
        refund_id = "re_" + secrets.token_hex(5)
        self.refunds[refund_id] = {
            "resource": "refund",
            "id": refund_id,
            "amount": data["amount"],
            "status": "pending",
            "createdAt": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime()),
            "description": data.get("description", ""),
            "paymentId": payment["id"],
        }
        if key:
            self.idempotent[key] = refund_id
        return web.json_response(self.refunds[refund_id], status=201)

    def end(self, payment_id: str, status: str, *, method: str = "ideal") -> None:
        """The provider's side of an outcome: paid, failed, canceled or expired."""
        payment = self.payments[payment_id]
        payment["status"] = status
        payment["method"] = method if status in ("paid", "failed") else payment["method"]
        payment.pop("expiresAt", None)
        payment[
            {"paid": "paidAt", "failed": "failedAt", "canceled": "canceledAt", "expired": "expiredAt"}[status]
        ] = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime())
        if status == "paid":
            payment["amountRefunded"] = {"currency": "EUR", "value": "0.00"}
            payment["amountRemaining"] = dict(payment["amount"])

    def complete_refunds(self) -> None:
        """The bank has paid the refunds back: each is ``refunded``, and its payment says so."""
        for refund in self.refunds.values():
            refund["status"] = "refunded"
            payment = self.payments[refund["paymentId"]]
            refunded = Decimal(payment["amountRefunded"]["value"]) + Decimal(refund["amount"]["value"])
            payment["amountRefunded"] = {"currency": "EUR", "value": f"{refunded:.2f}"}

    async def notify_about(self, payment_id: str) -> None:
        """Mollie's webhook call: a form post of the id alone (nothing else, nothing signed)."""
        payment = self.payments[payment_id]
        if payment.get("webhookUrl"):
            await self._send(payment["webhookUrl"], urlencode({"id": payment_id}).encode(), dict(FORM))

    async def _checkout(self, request: web.Request) -> web.Response:
        payment = self._find(request)
        if payment is None:
            raise web.HTTPNotFound
        amount = f"€ {payment['amount']['value']}"
        base = f"/checkout/{payment['id']}"
        actions = [("Pay", f"{base}/paid"), ("Fail", f"{base}/failed"), ("Cancel", f"{base}/canceled")]
        return web.Response(text=_page("Mollie test checkout", amount, actions), content_type="text/html")

    async def _choose(self, request: web.Request) -> web.Response:
        payment = self._find(request)
        outcome = request.match_info["outcome"]
        if payment is None or outcome not in ("paid", "failed", "canceled"):
            raise web.HTTPNotFound
        if payment["status"] == "open":
            self.end(payment["id"], outcome)
            await self.notify_about(payment["id"])
        raise web.HTTPSeeOther(payment["redirectUrl"])


# -- Stripe (docs.stripe.com/api: Checkout Sessions, Refunds, Errors; webhooks#verify-manually) --


def _stripe_error(
    status: int, message: str, *, kind: str = "invalid_request_error", code: str | None = None
) -> web.Response:
    error: dict[str, Any] = {"type": kind, "message": message}
    if code:
        error["code"] = code
    return web.json_response({"error": error}, status=status)


def _form(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Stripe's form encoding (``line_items[0][price_data][unit_amount]=2287``) as nested dicts."""
    root: dict[str, Any] = {}
    for key, value in pairs:
        parts = key.replace("]", "").split("[")
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return root


def sign(payload: str, secret: str, timestamp: int | None = None) -> str:
    """The ``Stripe-Signature`` header: ``t=<unix time>,v1=<HMAC-SHA256 of "t.payload" with the secret>``."""
    at = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{at}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={at},v1={mac}"


@dataclass
class FakeStripe(Fake):
    secret_key: str = "sk_test_51Hx" + "a" * 20
    webhook_secret: str = "whsec_" + "b" * 32
    webhook_url: str = ""  # the account's webhook endpoint, as set in Stripe's dashboard
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    intents: dict[str, dict[str, Any]] = field(default_factory=dict)
    refunds: dict[str, dict[str, Any]] = field(default_factory=dict)
    refund_status: str = "pending"  # what a new refund says (cards are often succeeded at once)

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._api])
        app.router.add_post("/v1/checkout/sessions", self._create)
        app.router.add_get("/v1/checkout/sessions/{id}", self._get)
        app.router.add_post("/v1/checkout/sessions/{id}/expire", self._expire)
        app.router.add_post("/v1/refunds", self._refund)
        app.router.add_get("/pay/{id}", self._checkout)
        app.router.add_post("/pay/{id}/{outcome}", self._choose)
        return app

    @web.middleware
    async def _api(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if not request.path.startswith("/v1/"):
            return await handler(request)
        self.calls.append(f"{request.method} {request.path}")
        if self.stall:
            await asyncio.sleep(self.stall)
        if self.down:
            return _stripe_error(500, "An unknown error occurred", kind="api_error")
        if request.headers.get("Authorization") != f"Bearer {self.secret_key}":
            return _stripe_error(401, "Invalid API Key provided: sk_test_****")
        key = request.headers.get("Idempotency-Key", "")
        if request.method == "POST" and key in self.idempotent:
            return web.json_response(self.idempotent[key])
        response = await handler(request)
        if request.method == "POST" and key and isinstance(response, web.Response) and response.status == 200:
            assert response.body is not None
            self.idempotent[key] = json.loads(bytes(response.body))  # type: ignore[arg-type]
        return response

    def _session_body(self, session: dict[str, Any], expand: list[str]) -> dict[str, Any]:
        body = dict(session)
        intent_id = session.get("payment_intent")
        if intent_id and any(name.startswith("payment_intent") for name in expand):
            intent = dict(self.intents[intent_id])
            if "payment_intent.payment_method" not in expand and intent.get("payment_method"):
                intent["payment_method"] = intent["payment_method"]["id"]
            if "payment_intent.latest_charge" not in expand and intent.get("latest_charge"):
                intent["latest_charge"] = intent["latest_charge"]["id"]
            body["payment_intent"] = intent
        return body

    async def _create(self, request: web.Request) -> web.Response:
        params = _form(parse_qsl(await request.text()))
        line = (params.get("line_items") or {}).get("0") or {}
        price = line.get("price_data") or {}
        if params.get("mode") != "payment":
            return _stripe_error(400, "Missing required param: mode.", code="parameter_missing")
        if not price.get("unit_amount") or price.get("currency") != "eur":
            return _stripe_error(400, "Missing required param: line_items[0][price_data][unit_amount].")
        if not params.get("success_url"):
            return _stripe_error(400, "Missing required param: success_url.", code="parameter_missing")
        session_id = "cs_test_" + secrets.token_hex(12)
        self.sessions[session_id] = {
            "id": session_id,
            "object": "checkout.session",
            "amount_total": int(price["unit_amount"]) * int(line.get("quantity", "1")),
            "currency": "eur",
            "client_reference_id": params.get("client_reference_id"),
            "customer_email": params.get("customer_email"),
            "expires_at": int(params.get("expires_at") or time.time() + 86400),
            "livemode": False,
            "metadata": params.get("metadata") or {},
            "mode": "payment",
            "payment_intent": None,
            "payment_status": "unpaid",
            "status": "open",
            "success_url": params["success_url"],
            "cancel_url": params.get("cancel_url"),
            "url": f"{self.base}/pay/{session_id}",
        }
        return web.json_response(self.sessions[session_id])

    async def _get(self, request: web.Request) -> web.Response:
        session = self.sessions.get(request.match_info["id"])
        if session is None:
            return _stripe_error(
                404, f"No such checkout.session: '{request.match_info['id']}'", code="resource_missing"
            )
        expand = [value for key, value in request.query.items() if key.startswith("expand")]
        return web.json_response(self._session_body(session, expand))

    async def _expire(self, request: web.Request) -> web.Response:
        session = self.sessions.get(request.match_info["id"])
        if session is None:
            return _stripe_error(
                404, f"No such checkout.session: '{request.match_info['id']}'", code="resource_missing"
            )
        if session["status"] != "open":
            return _stripe_error(
                400,
                'Only Checkout Sessions with a status in ["open"] can be expired. '
                f"This one is {session['status']}.",
            )
        await self.end(session["id"], "expired", send=False)
        return web.json_response(session)

    async def _refund(self, request: web.Request) -> web.Response:
        params = _form(parse_qsl(await request.text()))
        intent = self.intents.get(params.get("payment_intent", ""))
        if intent is None:
            return _stripe_error(
                404, f"No such payment_intent: '{params.get('payment_intent')}'", code="resource_missing"
            )
        if intent["status"] != "succeeded":
            return _stripe_error(
                400,
                "This PaymentIntent does not have a successful charge to refund.",
                code="charge_not_refundable",
            )
        refund_id = "re_" + secrets.token_hex(12)
        self.refunds[refund_id] = {
            "id": refund_id,
            "object": "refund",
            "amount": int(params.get("amount") or intent["amount"]),
            "currency": "eur",
            "payment_intent": intent["id"],
            "charge": intent["latest_charge"]["id"],
            "metadata": params.get("metadata") or {},
            "status": self.refund_status,
        }
        if self.refund_status == "succeeded":
            intent["latest_charge"]["refunded"] = True
            intent["latest_charge"]["amount_refunded"] = self.refunds[refund_id]["amount"]
        return web.json_response(self.refunds[refund_id])

    async def end(self, session_id: str, outcome: str, *, send: bool = True) -> None:
        """The provider's side: ``paid`` (a card), ``failed`` (an asynchronous method that failed
        later), or ``expired``; then the signed event to the account's webhook endpoint."""
        session = self.sessions[session_id]
        if outcome == "expired":
            session["status"] = "expired"
            kind = "checkout.session.expired"
        else:
            intent_id = "pi_" + secrets.token_hex(12)
            method = "card" if outcome == "paid" else "sepa_debit"
            self.intents[intent_id] = {
                "id": intent_id,
                "object": "payment_intent",
                "amount": session["amount_total"],
                "currency": "eur",
                "status": "succeeded" if outcome == "paid" else "requires_payment_method",
                "payment_method": {
                    "id": "pm_" + secrets.token_hex(8),
                    "object": "payment_method",
                    "type": method,
                },
                "latest_charge": {
                    "id": "ch_" + secrets.token_hex(8),
                    "object": "charge",
                    "refunded": False,
                    "amount_refunded": 0,
                },
            }
            session["status"] = "complete"
            session["payment_intent"] = intent_id
            session["payment_status"] = "paid" if outcome == "paid" else "unpaid"
            kind = (
                "checkout.session.completed" if outcome == "paid" else "checkout.session.async_payment_failed"
            )
        if send:
            await self.send_event(kind, session)

    async def send_event(
        self, kind: str, thing: dict[str, Any], *, secret: str | None = None, at: int | None = None
    ) -> None:
        event = {
            "id": "evt_" + secrets.token_hex(12),
            "object": "event",
            "api_version": "2026-10-28.clover",
            "created": int(time.time()),
            "livemode": False,
            "type": kind,
            "data": {"object": thing},
        }
        payload = json.dumps(event)
        headers = {
            "Content-Type": "application/json",
            "Stripe-Signature": sign(payload, secret or self.webhook_secret, at),
        }
        await self._send(self.webhook_url, payload.encode(), headers)

    async def _checkout(self, request: web.Request) -> web.Response:
        session = self.sessions.get(request.match_info["id"])
        if session is None:
            raise web.HTTPNotFound
        amount = f"€ {session['amount_total'] / 100:.2f}"
        base = f"/pay/{session['id']}"
        actions = [("Pay", f"{base}/paid"), ("Fail", f"{base}/failed"), ("Back", f"{base}/back")]
        return web.Response(text=_page("Stripe test checkout", amount, actions), content_type="text/html")

    async def _choose(self, request: web.Request) -> web.Response:
        session = self.sessions.get(request.match_info["id"])
        outcome = request.match_info["outcome"]
        if session is None or outcome not in ("paid", "failed", "back"):
            raise web.HTTPNotFound
        if outcome == "back":  # Stripe's back link: the session stays open
            raise web.HTTPSeeOther(session["cancel_url"])
        if session["status"] == "open":
            await self.end(session["id"], outcome)
        raise web.HTTPSeeOther(session["success_url"])


@asynccontextmanager
async def serve(fake: FakeMollie | FakeStripe) -> AsyncIterator[FakeMollie | FakeStripe]:
    async with loopback_site(fake.app()) as base:
        fake.base = base
        yield fake
