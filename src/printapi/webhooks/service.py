"""Webhook endpoints, and the notifications a change of an order queues for them.

``notify_order_changed`` is called (by ``effects.py``) inside the transaction of every
order-status and payment-status change: the notification rows commit with the change or not at
all. Creating an order notifies nobody. Delivery is the worker's (``delivery.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from printapi.auth.principal import Principal
from printapi.kit import ids
from printapi.kit.errors import InvalidInput, NotFound
from printapi.kit.outbound import BadUrl, BlockedAddress, OutboundGuard
from printapi.kit.problems import Problems, Sent
from printapi.kit.wakeup import announce
from printapi.models import Order, WebhookAttempt, WebhookEndpoint, WebhookNotification
from printapi.webhooks import signing
from printapi.webhooks.repository import delivery_log, endpoints, queue, recovery
from printapi.webhooks.schemas import EndpointIn, EndpointPatch
from printapi.webhooks.states import NotificationKind, NotificationStatus

CHANNEL = "webhooks"
URL_MAX = 2048


def _endpoint_not_found(endpoint_id: str) -> NotFound:
    return NotFound(message=f"Webhook endpoint '{endpoint_id}' does not exist.")


def check_url(url: str, guard: OutboundGuard) -> str:
    """An endpoint URL must be http(s) with a host the worker can call and, when that host is an
    address in any spelling, one we may call. An address is stored in its canonical form."""
    url = url.strip()
    if len(url) > URL_MAX:
        raise InvalidInput.on("url", f"must be at most {URL_MAX} characters")
    try:
        return guard.check_url(url).url
    except BadUrl as exc:
        raise InvalidInput.on("url", str(exc)) from exc
    except BlockedAddress as exc:
        raise InvalidInput.on(
            "url",
            str(exc),
            hint="Webhooks go to public addresses; the print shop can allow private networks.",
        ) from exc


E = TypeVar("E", EndpointIn, EndpointPatch)


def checked_endpoint(request: Sent[E], *, guard: OutboundGuard) -> E:
    """An endpoint request from the API, or one 400 with every problem: the schema's and the URL's."""
    problems = Problems.of(request)
    if request.body is not None and request.body.url is not None:
        problems.check("url", check_url, request.body.url, guard)
    problems.raise_if_any()
    return request.valid()


DESCRIPTION_LENGTH = 200


def check_description(description: str | None) -> str | None:
    """The owner's note on an endpoint (the API's schema checks it too; the dashboard's form does not)."""
    if description is not None and len(description) > DESCRIPTION_LENGTH:
        raise InvalidInput.on("description", f"must be at most {DESCRIPTION_LENGTH} characters")
    return description


def _checked(url: str | None, description: str | None, guard: OutboundGuard) -> str | None:
    """The URL to store (None when none is given), or one 400 with every problem of the two."""
    problems = Problems()
    checked = None if url is None else problems.check("url", check_url, url, guard)
    problems.check("description", check_description, description)
    problems.raise_if_any()
    return checked


async def create_endpoint(
    session: AsyncSession,
    *,
    account_id: int,
    environment: str,
    url: str,
    description: str | None = None,
    enabled: bool = True,
    guard: OutboundGuard,
    now: datetime,
) -> WebhookEndpoint:
    """A new endpoint with its own signing secret (shown to the owner once, at creation)."""
    checked_url = _checked(url, description, guard)
    assert checked_url is not None, "a URL that was given and passed"
    return await endpoints.add_endpoint(
        session,
        WebhookEndpoint(
            id="ep_" + ids.random_code(20),
            account_id=account_id,
            environment=environment,
            url=checked_url,
            description=description,
            enabled=enabled,
            secret=signing.new_secret(),
            created_at=now,
            updated_at=now,
        ),
    )


async def list_endpoints(
    session: AsyncSession, *, account_id: int, environment: str
) -> list[WebhookEndpoint]:
    return await endpoints.endpoints_of(session, account_id=account_id, environment=environment)


async def find_endpoint(session: AsyncSession, *, endpoint_id: str) -> WebhookEndpoint:
    """Any account's endpoint (operators and the CLI)."""
    endpoint = await endpoints.endpoint_of(
        session, endpoint_id=endpoint_id, account_id=None, environment=None
    )
    if endpoint is None:
        raise _endpoint_not_found(endpoint_id)
    return endpoint


async def get_endpoint(session: AsyncSession, *, principal: Principal, endpoint_id: str) -> WebhookEndpoint:
    endpoint = await endpoints.endpoint_of(
        session, endpoint_id=endpoint_id, account_id=principal.account_id, environment=principal.environment
    )
    if endpoint is None:
        raise _endpoint_not_found(endpoint_id)
    return endpoint


async def update_endpoint(
    session: AsyncSession,
    *,
    principal: Principal,
    endpoint_id: str,
    url: str | None,
    description: str | None,
    enabled: bool | None,
    guard: OutboundGuard,
    now: datetime,
) -> WebhookEndpoint:
    endpoint = await get_endpoint(session, principal=principal, endpoint_id=endpoint_id)
    checked = _checked(url, description, guard)
    if checked is not None:
        if checked != endpoint.url:
            endpoint.concurrency = 1  # another server: slow start again
        endpoint.url = checked
    if description is not None:
        endpoint.description = description
    if enabled is not None:
        endpoint.enabled = enabled
    endpoint.updated_at = now
    await session.flush()
    return endpoint


async def delete_endpoint(session: AsyncSession, *, endpoint: WebhookEndpoint, now: datetime) -> None:
    """Soft delete (the delivery log keeps its endpoint); pending notifications are cancelled."""
    endpoint.deleted_at = now
    endpoint.enabled = False
    endpoint.updated_at = now
    await queue.cancel_pending_of_endpoint(session, endpoint_pk=endpoint.pk, now=now)
    await session.flush()


async def rotate_secret(
    session: AsyncSession, *, principal: Principal, endpoint_id: str, overlap: timedelta, now: datetime
) -> WebhookEndpoint:
    """A new secret; the old one keeps signing alongside it for ``overlap``."""
    endpoint = await get_endpoint(session, principal=principal, endpoint_id=endpoint_id)
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_until = now + overlap
    endpoint.secret = signing.new_secret()
    endpoint.updated_at = now
    await session.flush()
    return endpoint


# -- queueing ----------------------------------------------------------------------------------


def _row(
    *, endpoint_pk: int, account_id: int, order: Order | None, kind: NotificationKind, now: datetime
) -> dict[str, object]:
    return {
        "id": queue.new_message_id(now),
        "endpoint_pk": endpoint_pk,
        "account_id": account_id,
        "order_pk": order.pk if order else None,
        "order_id": order.id if order else None,
        "kind": kind,
        "status": NotificationStatus.PENDING,
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
        "changed_at": now,
    }


async def notify_order_changed(session: AsyncSession, *, order: Order, now: datetime) -> int:
    """Queue (or fold into a pending) notification for every enabled endpoint of the order's owner."""
    queued = await queue.queue_for_order(
        session,
        account_id=order.account_id,
        environment=order.environment,
        order_pk=order.pk,
        order_id=order.id,
        now=now,
    )
    if queued:
        await announce(session, CHANNEL)
    return queued


async def ping(
    session: AsyncSession, *, principal: Principal, endpoint_id: str, now: datetime
) -> WebhookNotification:
    """A test call through the same queue (body ``orderId=ping``), also to a disabled endpoint."""
    endpoint = await get_endpoint(session, principal=principal, endpoint_id=endpoint_id)
    row = _row(
        endpoint_pk=endpoint.pk,
        account_id=endpoint.account_id,
        order=None,
        kind=NotificationKind.PING,
        now=now,
    )
    notification = await queue.add_notification(session, WebhookNotification(**row))
    await announce(session, CHANNEL)
    return notification


async def resend(
    session: AsyncSession, *, principal: Principal, notification_id: str, now: datetime
) -> WebhookNotification:
    """Send a notification again: a new one, or the pending one of the same order made due now."""
    found = await delivery_log.notification_for_account(
        session,
        notification_id=notification_id,
        account_id=principal.account_id,
        environment=principal.environment,
    )
    if found is None or found[1].deleted_at is not None:
        raise NotFound(message=f"Notification '{notification_id}' does not exist.")
    original, endpoint = found
    if original.order_pk is not None:
        pending = await queue.pending_for(session, endpoint_pk=endpoint.pk, order_pk=original.order_pk)
        if pending is not None:
            pending.next_attempt_at = min(pending.next_attempt_at or now, now)
            pending.changed_at = now
            await session.flush()
            await announce(session, CHANNEL)
            return pending
    row = _row(
        endpoint_pk=endpoint.pk,
        account_id=endpoint.account_id,
        order=None,
        kind=NotificationKind.RESEND,
        now=now,
    )
    row |= {"order_pk": original.order_pk, "order_id": original.order_id}
    if original.kind == NotificationKind.PING:
        row["kind"] = NotificationKind.PING
    notification = await queue.add_notification(session, WebhookNotification(**row))
    await announce(session, CHANNEL)
    return notification


async def recover(
    session: AsyncSession, *, principal: Principal, endpoint_id: str, since: datetime, now: datetime
) -> int:
    """Every order with a notification to the endpoint that failed (gave up) at or after ``since``
    gets a new one, due now, or its pending one made due now; how many orders. A shop that was
    down catches up (``repository/recovery.py``)."""
    endpoint = await get_endpoint(session, principal=principal, endpoint_id=endpoint_id)
    return await recover_endpoint(session, endpoint=endpoint, since=since, now=now)


async def recover_endpoint(
    session: AsyncSession, *, endpoint: WebhookEndpoint, since: datetime, now: datetime
) -> int:
    """``recover`` for an endpoint already found (the operator's CLI finds it in any account)."""
    queued = await recovery.requeue_failed(session, endpoint_pk=endpoint.pk, since=since, now=now)
    if queued:
        await announce(session, CHANNEL)
    return queued


async def queue_stats(session: AsyncSession, *, now: datetime) -> queue.QueueStats:
    return await queue.queue_stats(session, now=now)


# -- the delivery log --------------------------------------------------------------------------


@dataclass(frozen=True)
class LogEntry:
    notification: WebhookNotification
    endpoint_id: str
    attempts: list[WebhookAttempt]


async def log_entries(session: AsyncSession, notifications: list[WebhookNotification]) -> list[LogEntry]:
    attempts = await delivery_log.attempts_of(session, [n.pk for n in notifications])
    endpoint_ids = await delivery_log.endpoint_ids(session, sorted({n.endpoint_pk for n in notifications}))
    return [LogEntry(n, endpoint_ids[n.endpoint_pk], attempts[n.pk]) for n in notifications]


async def log_of_endpoint(
    session: AsyncSession, *, principal: Principal, endpoint_id: str, offset: int, limit: int
) -> tuple[int, list[LogEntry]]:
    endpoint = await get_endpoint(session, principal=principal, endpoint_id=endpoint_id)
    count, notifications = await delivery_log.notifications_of_endpoint(
        session, endpoint_pk=endpoint.pk, offset=offset, limit=limit
    )
    return count, await log_entries(session, notifications)


async def log_of_order(session: AsyncSession, *, order: Order) -> list[LogEntry]:
    return await log_entries(session, await delivery_log.notifications_of_order(session, order_pk=order.pk))


async def endpoint_of_account(session: AsyncSession, *, account_id: int, endpoint_id: str) -> WebhookEndpoint:
    """One endpoint of the account in either environment (the dashboard shows both)."""
    endpoint = await endpoints.endpoint_of(
        session, endpoint_id=endpoint_id, account_id=account_id, environment=None
    )
    if endpoint is None:
        raise _endpoint_not_found(endpoint_id)
    return endpoint


async def bring_forward(session: AsyncSession, *, order_pk: int, by: timedelta) -> int:
    """The test clock (``POST /v2/orders/{id}/test-clock``): the order's pending notifications,
    and so their retries, fall due ``by`` sooner; the worker wakes. How many."""
    moved = await queue.bring_forward(session, order_pk=order_pk, by=by)
    if moved:
        await announce(session, CHANNEL)
    return moved
