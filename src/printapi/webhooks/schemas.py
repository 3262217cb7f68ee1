"""Webhook endpoints and their delivery log on the wire: the requests, and the answers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Self

from pydantic import Field, StrictBool, StrictStr

from printapi.kit.schema import LocalDateTime, Members, PageOut, WireModel, WireOut
from printapi.models import WebhookAttempt, WebhookEndpoint
from printapi.webhooks.states import NotificationStatus

if TYPE_CHECKING:  # the service reads this module's requests
    from printapi.webhooks.service import LogEntry


URL = Field(min_length=1, max_length=2048, pattern=r"^[Hh][Tt][Tt][Pp][Ss]?://[^/?#\s]+")


class EndpointIn(WireModel):
    url: Annotated[StrictStr, URL]
    description: Annotated[StrictStr, Field(max_length=200)] | None = None
    enabled: StrictBool = True


class EndpointPatch(WireModel):
    url: Annotated[StrictStr, URL] | None = None
    description: Annotated[StrictStr, Field(max_length=200)] | None = None
    enabled: StrictBool | None = None


class EndpointOut(WireOut):
    id: str
    url: str
    description: str | None = None
    enabled: bool
    created_at: LocalDateTime
    updated_at: LocalDateTime
    # Only when the endpoint is made and when its secret is rotated.
    secret: str | None = None
    previous_secret_expires_at: LocalDateTime | None = None

    @classmethod
    def of(cls, endpoint: WebhookEndpoint, *, with_secret: bool = False) -> Self:
        return cls(
            id=endpoint.id,
            url=endpoint.url,
            description=endpoint.description,
            enabled=endpoint.enabled,
            created_at=endpoint.created_at,
            updated_at=endpoint.updated_at,
            secret=endpoint.secret if with_secret else None,
            previous_secret_expires_at=endpoint.previous_secret_until if with_secret else None,
        )


class EndpointListOut(WireOut):
    results: list[EndpointOut]


class AttemptOut(WireOut):
    number: int
    started_at: LocalDateTime
    duration_ms: int
    status_code: int | None = None
    error_class: str | None = None
    error: str | None = None
    response: str | None = None


class NotificationOut(WireOut):
    id: str
    endpoint_id: str
    order_id: str | None = None
    kind: str
    status: str
    attempts: int
    created_at: LocalDateTime
    changed_at: LocalDateTime
    next_attempt_at: LocalDateTime | None = None
    finished_at: LocalDateTime | None = None
    last_error: str | None = None
    attempt_log: list[AttemptOut]

    @classmethod
    def of(cls, entry: LogEntry) -> Self:
        n = entry.notification
        return cls(
            id=n.id,
            endpoint_id=entry.endpoint_id,
            order_id=n.order_id,
            kind=n.kind,
            status=n.status,
            attempts=n.attempts,
            created_at=n.created_at,
            changed_at=n.changed_at,
            next_attempt_at=n.next_attempt_at if n.status == NotificationStatus.PENDING else None,
            finished_at=n.finished_at,
            last_error=n.last_error,
            attempt_log=[_attempt(attempt) for attempt in entry.attempts],
        )


def _attempt(attempt: WebhookAttempt) -> Members:
    return {
        "number": attempt.number,
        "started_at": attempt.started_at,
        "duration_ms": attempt.duration_ms,
        "status_code": attempt.status_code,
        "error_class": attempt.error_class,
        "error": attempt.error,
        "response": attempt.response_snippet,
    }


class NotificationListOut(PageOut):
    results: list[NotificationOut]


class OrderNotificationsOut(WireOut):
    results: list[NotificationOut]


class RecoveryOut(WireOut):
    """What ``POST /v2/webhooks/{id}/recover`` queued: one notification per order."""

    since: LocalDateTime
    queued: int
