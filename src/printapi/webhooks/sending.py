"""One webhook attempt: the request of webhooks.md §1, what came back, and the rows recording it.

Pure but for ``send`` (one HTTP call): the dispatcher (``delivery.py``) decides when to call and
records what ``send`` returns, a batch at a time.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import aiohttp

from printapi import __version__
from printapi.kit import metrics
from printapi.kit.outbound import Failure, OutboundGuard, classify, read_capped
from printapi.webhooks import signing
from printapi.webhooks.repository.attempts import Claimed
from printapi.webhooks.states import AlertKind, NotificationKind

USER_AGENT = f"printapi-webhooks/{__version__}"


@dataclass(frozen=True)
class Outcome:
    claimed: Claimed
    started_at: datetime
    duration_ms: int
    status_code: int | None
    failure: Failure | None
    snippet: str | None

    @property
    def succeeded(self) -> bool:
        return self.failure is None


def request_body(claimed: Claimed) -> bytes:
    order_id = "ping" if claimed.kind == NotificationKind.PING else (claimed.order_id or "")
    return urlencode({"orderId": order_id}).encode()


def request_headers(claimed: Claimed, body: bytes, *, timestamp: int) -> dict[str, str]:
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "webhook-id": claimed.id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signing.signature_header(
            claimed.secrets, message_id=claimed.id, timestamp=timestamp, body=body
        ),
    }


async def send(
    http: aiohttp.ClientSession, guard: OutboundGuard, claimed: Claimed, *, now: datetime, response_cap: int
) -> Outcome:
    """One attempt. Success is any 2xx; everything else (3xx included) is a failure."""
    body = request_body(claimed)
    started = time.perf_counter()
    status: int | None = None
    snippet: str | None = None
    failure: Failure | None = None
    try:
        guard.check_url(claimed.url)
        headers = request_headers(claimed, body, timestamp=int(now.timestamp()))
        async with http.post(claimed.url, data=body, headers=headers, allow_redirects=False) as response:
            status = response.status
            data, _complete = await read_capped(response, response_cap)
            snippet = data.decode("utf-8", "replace") or None
            if not 200 <= status < 300:
                failure = Failure("http_status", f"HTTP {status}")
    except (aiohttp.ClientError, OSError, TimeoutError, ValueError) as exc:
        failure = classify(exc)
    duration = time.perf_counter() - started
    metrics.WEBHOOK_ATTEMPT_SECONDS.observe(duration)
    return Outcome(claimed, now, round(duration * 1000), status, failure, snippet)


def attempt_row(outcome: Outcome) -> dict[str, Any]:
    """A ``WebhookAttempt`` row (inserted in bulk, without ORM objects)."""
    failure = outcome.failure
    return {
        "notification_pk": outcome.claimed.pk,
        "number": outcome.claimed.attempts,
        "started_at": outcome.started_at,
        "duration_ms": outcome.duration_ms,
        "status_code": outcome.status_code,
        "error_class": failure.error_class if failure else None,
        "error": failure.message[:300] if failure else None,
        "response_snippet": outcome.snippet,
        "url": outcome.claimed.url,
    }


def alert_row(claimed: Claimed, kind: AlertKind, failure: Failure, now: datetime) -> dict[str, Any]:
    """An ``OwnerAlert`` row (inserted in bulk, without ORM objects)."""
    return {
        "endpoint_pk": claimed.endpoint_pk,
        "kind": kind,
        "notification_id": claimed.id,
        "order_id": claimed.order_id,
        "error_class": failure.error_class,
        "error": failure.message[:300],
        "created_at": now,
    }
