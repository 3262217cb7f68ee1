"""The errors the SDK raises, beside httpx's own transport errors (``httpx.TransportError``: a
connection that failed on every attempt the retry policy allowed).

    PrintApiError
    ├── ApiError                    the server answered with an error status
    │   └── AuthenticationError     the token endpoint refused the credentials (RFC 6749 error)
    └── WebhookVerificationError    a webhook call whose signature or timestamp does not hold
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


class PrintApiError(Exception):
    """Every error of this SDK."""


@dataclass(frozen=True)
class FieldError:
    """One problem of a request, as the server lists it in ``errors``: ``items[0].pageCount``."""

    field: str
    message: str


class ApiError(PrintApiError):
    """An error answer: ``status`` and the documented body (``message``, ``hints``, ``errors``).

    An answer that is not the documented body (a proxy's 502 page) keeps its text in ``message``.
    """

    def __init__(
        self,
        status: int,
        message: str,
        *,
        errors: tuple[FieldError, ...] = (),
        hints: tuple[str, ...] = (),
        body: bytes = b"",
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message
        self.errors = errors
        self.hints = hints
        self.body = body
        self.headers: Mapping[str, str] = dict(headers or {})

    @classmethod
    def from_answer(cls, status: int, body: bytes, headers: Mapping[str, str]) -> ApiError:
        document = _json_object(body)
        if document is None or not isinstance(document.get("message"), str):
            text = body.decode(errors="replace").strip()
            return cls(status, text[:500] or "(no body)", body=body, headers=headers)
        errors = tuple(
            FieldError(str(entry.get("field", "")), str(entry.get("message", "")))
            for entry in document.get("errors") or []
            if isinstance(entry, dict)
        )
        hints = tuple(str(hint) for hint in document.get("hints") or [])
        return cls(status, document["message"], errors=errors, hints=hints, body=body, headers=headers)


class AuthenticationError(ApiError):
    """``POST /v2/oauth`` refused: ``error`` is the RFC 6749 code (``invalid_client`` for an unknown
    client, a wrong or revoked secret)."""

    def __init__(
        self, status: int, error: str, description: str, *, body: bytes, headers: Mapping[str, str]
    ) -> None:
        super().__init__(status, f"{error}: {description}", body=body, headers=headers)
        self.error = error
        self.description = description

    @classmethod
    def from_token_answer(cls, status: int, body: bytes, headers: Mapping[str, str]) -> AuthenticationError:
        document = _json_object(body) or {}
        error = str(document.get("error") or "unexpected_answer")
        description = str(document.get("error_description") or body.decode(errors="replace")[:500])
        return cls(status, error, description, body=body, headers=headers)


class WebhookVerificationError(PrintApiError):
    """A webhook call that must not be trusted: a signature that does not match, a timestamp outside
    the tolerance (a replay), a missing header, or a secret that is not ``whsec_`` + base64."""


def _json_object(body: bytes) -> dict[str, Any] | None:
    try:
        document = json.loads(body)
    except ValueError:
        return None
    return document if isinstance(document, dict) else None
