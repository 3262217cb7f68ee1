"""Webhook endpoints and the delivery log on the wire."""

from __future__ import annotations

from typing import Any

from printapi.models import WebhookEndpoint
from printapi.webhooks.service import LogEntry
from printapi.webhooks.states import NotificationStatus

Json = dict[str, Any]


def endpoint(endpoint: WebhookEndpoint, *, with_secret: bool = False) -> Json:
    return {
        "id": endpoint.id,
        "url": endpoint.url,
        "description": endpoint.description,
        "enabled": endpoint.enabled,
        "createdAt": endpoint.created_at,
        "updatedAt": endpoint.updated_at,
        "secret": endpoint.secret if with_secret else None,
        "previousSecretExpiresAt": endpoint.previous_secret_until if with_secret else None,
    }


def notification(entry: LogEntry) -> Json:
    n = entry.notification
    return {
        "id": n.id,
        "endpointId": entry.endpoint_id,
        "orderId": n.order_id,
        "kind": n.kind,
        "status": n.status,
        "attempts": n.attempts,
        "createdAt": n.created_at,
        "changedAt": n.changed_at,
        "nextAttemptAt": n.next_attempt_at if n.status == NotificationStatus.PENDING else None,
        "finishedAt": n.finished_at,
        "lastError": n.last_error,
        "attemptLog": [
            {
                "number": a.number,
                "startedAt": a.started_at,
                "durationMs": a.duration_ms,
                "statusCode": a.status_code,
                "errorClass": a.error_class,
                "error": a.error,
                "response": a.response_snippet,
            }
            for a in entry.attempts
        ],
    }
