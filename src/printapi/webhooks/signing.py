"""Standard Webhooks signatures (webhooks.md §1): pure.

``webhook-signature: v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">``, keyed with the
endpoint secret (``whsec_`` + base64 of the key bytes). While a rotated-out secret is still valid,
both signatures are sent, space-separated, so receivers can switch keys without a gap.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

PREFIX = "whsec_"


def new_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def _key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(PREFIX))


def sign(secret: str, *, message_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signature_header(active: list[str], *, message_id: str, timestamp: int, body: bytes) -> str:
    return " ".join(sign(secret, message_id=message_id, timestamp=timestamp, body=body) for secret in active)
