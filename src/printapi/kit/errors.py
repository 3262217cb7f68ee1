"""Errors are types: every expected failure is an ``ApiError`` raised where it happens.

One handler in ``app.py`` renders them in the documented body::

    {"message": "...", "hints": ["..."], "errors": [{"field": "items[0].pageCount", "message": "..."}]}

Hierarchy::

    ApiError (status, code)
    ├── InvalidInput          400  the request is malformed or a value is not allowed
    ├── Unauthenticated       401  no, unknown or expired bearer token
    ├── Forbidden             403  valid request, but the state or the token's scopes forbid it
    │   └── IllegalTransition 403  a status change the state machine does not allow
    ├── NotFound              404  unknown, or belonging to another account
    ├── Conflict              409  a custom id that is already taken
    │   └── ConcurrentChange  409  someone else changed the row between read and write
    ├── PayloadTooLarge       413
    │   └── BodyTooLarge      413  raised by the body limit's ``receive``: the request is aborted
    ├── UnsupportedMediaType  415
    ├── RateLimited           429
    └── ServiceUnavailable    503  what we depend on (a payment provider, the file store) cannot answer now
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


@dataclass
class ApiError(Exception):
    message: str
    hints: list[str] = field(default_factory=list)
    errors: list[FieldError] = field(default_factory=list)

    status = 500
    code = "internal_error"

    def __str__(self) -> str:
        return self.message

    def body(self) -> dict[str, object]:
        return {
            "message": self.message,
            "hints": list(self.hints),
            "errors": [{"field": e.field, "message": e.message} for e in self.errors],
        }


class InvalidInput(ApiError):
    status = 400
    code = "invalid_input"

    @classmethod
    def on(cls, field_name: str, message: str, *, hint: str | None = None) -> InvalidInput:
        """One bad field: the message names it, the errors list points at it."""
        return cls(
            message=f"{field_name}: {message}",
            hints=[hint] if hint else [],
            errors=[FieldError(field_name, message)],
        )

    @classmethod
    def of(cls, errors: list[FieldError], *, hints: list[str] | None = None) -> InvalidInput:
        """Several bad fields at once: the message names the first and counts the rest."""
        if not errors:
            raise ValueError("InvalidInput.of needs at least one error")
        first = errors[0]
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        return cls(message=f"{first.field}: {first.message}{more}", hints=hints or [], errors=list(errors))


class Unauthenticated(ApiError):
    status = 401
    code = "unauthenticated"


class Forbidden(ApiError):
    status = 403
    code = "forbidden"


class IllegalTransition(Forbidden):
    code = "illegal_transition"


class NotFound(ApiError):
    status = 404
    code = "not_found"


class Conflict(ApiError):
    status = 409
    code = "conflict"


class ConcurrentChange(Conflict):
    code = "concurrent_change"


class PayloadTooLarge(ApiError):
    status = 413
    code = "payload_too_large"


class BodyTooLarge(PayloadTooLarge):
    """The body passed the limit while it arrived. The body limit middleware raises it from
    ``receive`` so that whatever reads the body fails, and the request rolls back."""

    @classmethod
    def over(cls, limit: int) -> BodyTooLarge:
        message = f"The request body is larger than the limit of {limit} bytes."
        return cls(message=message, errors=[FieldError("body", message)])


class UnsupportedMediaType(ApiError):
    status = 415
    code = "unsupported_media_type"


class RateLimited(ApiError):
    status = 429
    code = "rate_limited"


class ServiceUnavailable(ApiError):
    status = 503
    code = "service_unavailable"
