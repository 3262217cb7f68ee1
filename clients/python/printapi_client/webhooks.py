"""Webhook calls from Print API: ``verify_webhook`` checks their Standard Webhooks signature.

A call carries ``webhook-id``, ``webhook-timestamp`` (unix seconds) and ``webhook-signature``:
``v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">``, keyed with the endpoint's secret
(``whsec_`` + base64). Right after a secret rotation two signatures come, space-separated; any
``v1`` one that matches will do. The body is the form ``orderId=<id>``: read the order to learn
what changed (docs/webhooks.md). See https://www.standardwebhooks.com/.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import time
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qs

from printapi_client.errors import WebhookVerificationError

SECRET_PREFIX = "whsec_"  # noqa: S105 - the prefix of every secret, not one
DEFAULT_TOLERANCE_SECONDS = 5 * 60


@dataclass(frozen=True)
class VerifiedWebhook:
    """A call whose signature held: its ``id`` (the same on every retry: drop duplicates by it),
    ``timestamp`` (unix seconds of this attempt) and raw ``body``."""

    id: str
    timestamp: int
    body: bytes

    @property
    def order_id(self) -> str | None:
        """The ``orderId`` of the body (``"ping"`` for a test call), or None without one."""
        values = parse_qs(self.body.decode(errors="replace")).get("orderId")
        return values[0] if values else None


def verify_webhook(
    headers: Mapping[str, str],
    body: bytes | str,
    secret: str,
    *,
    tolerance_seconds: float = DEFAULT_TOLERANCE_SECONDS,
    now: float | None = None,
) -> VerifiedWebhook:
    """The call, once its signature matches and its timestamp is within ``tolerance_seconds`` of
    ``now`` (default: the system clock) either way; ``WebhookVerificationError`` otherwise.

    ``headers`` may be any mapping (Starlette's, Flask's, Django's ``request.headers``, a dict);
    names are matched without regard to case. ``body`` must be the raw body, unparsed.
    """
    message_id = _header(headers, "webhook-id")
    stamp = _header(headers, "webhook-timestamp")
    signatures = _header(headers, "webhook-signature")
    try:
        timestamp = int(stamp)
    except ValueError:
        raise WebhookVerificationError(f"webhook-timestamp {stamp!r} is not unix seconds") from None
    age = (time.time() if now is None else now) - timestamp
    if age > tolerance_seconds:
        raise WebhookVerificationError(f"the call is {age:.0f} s old: a replay?")
    if -age > tolerance_seconds:
        raise WebhookVerificationError(f"the call is from {-age:.0f} s in the future")
    raw = body.encode() if isinstance(body, str) else body
    signed = f"{message_id}.{timestamp}.".encode() + raw
    expected = hmac.new(_key(secret), signed, hashlib.sha256).digest()
    if not any(hmac.compare_digest(expected, candidate) for candidate in _v1_signatures(signatures)):
        raise WebhookVerificationError("no signature matches: a wrong secret, or the call was altered")
    return VerifiedWebhook(message_id, timestamp, raw)


def _header(headers: Mapping[str, str], name: str) -> str:
    value = headers.get(name)
    if value is None:
        value = next((v for k, v in headers.items() if k.lower() == name), None)
    if value is None:
        raise WebhookVerificationError(f"no {name} header")
    return value


def _key(secret: str) -> bytes:
    try:
        return base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)
    except binascii.Error:
        raise WebhookVerificationError("the secret is not whsec_ followed by base64") from None


def _v1_signatures(header: str) -> list[bytes]:
    """The decoded ``v1,`` signatures of the header; others (another version, not base64) are skipped."""
    found = []
    for entry in header.split():
        version, _, value = entry.partition(",")
        if version == "v1":
            try:
                found.append(base64.b64decode(value, validate=True))
            except binascii.Error:
                continue
    return found
