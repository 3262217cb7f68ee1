"""HTTP for webhook endpoints and their delivery log (extension API, scope ``webhooks:manage``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from printapi.api import Json, PageDep, ReadSession, RuntimeDep, WriteSession, require
from printapi.auth.principal import Principal
from printapi.auth.scopes import Scope
from printapi.kit.errors import InvalidInput
from printapi.kit.wire import WireResponse, parse_local
from printapi.orders import service as orders
from printapi.webhooks import service
from printapi.webhooks.schemas import (
    EndpointIn,
    EndpointListOut,
    EndpointOut,
    EndpointPatch,
    NotificationListOut,
    NotificationOut,
    OrderNotificationsOut,
    RecoveryOut,
)
from printapi.webhooks.service import LogEntry

router = APIRouter(tags=["webhooks"])

Manager = Annotated[Principal, Depends(require(Scope.WEBHOOKS_MANAGE))]


@router.get("/webhooks", response_model=EndpointListOut, summary="Webhook endpoints of this environment")
async def list_webhooks(principal: Manager, session: ReadSession, runtime: RuntimeDep) -> WireResponse:
    endpoints = await service.list_endpoints(
        session, account_id=principal.account_id, environment=principal.environment
    )
    return WireResponse(EndpointListOut(results=[EndpointOut.of(e) for e in endpoints]), zone=runtime.zone)


@router.post(
    "/webhooks",
    status_code=201,
    response_model=EndpointOut,
    summary="Add an endpoint",
    description="The answer carries the endpoint's signing secret; it is shown only here and on rotation.",
)
async def create_webhook(
    body: Json[EndpointIn], principal: Manager, session: WriteSession, runtime: RuntimeDep
) -> WireResponse:
    request = service.checked_endpoint(body, guard=runtime.guard)
    endpoint = await service.create_endpoint(
        session,
        account_id=principal.account_id,
        environment=principal.environment,
        url=request.url,
        description=request.description,
        enabled=request.enabled,
        guard=runtime.guard,
        now=runtime.clock.now(),
    )
    location = f"{runtime.settings.public_url}/v2/webhooks/{endpoint.id}"
    return WireResponse(
        EndpointOut.of(endpoint, with_secret=True),
        zone=runtime.zone,
        status_code=201,
        headers={"Location": location},
    )


@router.get("/webhooks/{endpoint_id}", response_model=EndpointOut, summary="One endpoint")
async def get_webhook(
    endpoint_id: str, principal: Manager, session: ReadSession, runtime: RuntimeDep
) -> WireResponse:
    endpoint = await service.get_endpoint(session, principal=principal, endpoint_id=endpoint_id)
    return WireResponse(EndpointOut.of(endpoint), zone=runtime.zone)


async def _update(
    endpoint_id: str, patch: EndpointPatch, principal: Principal, session: WriteSession, runtime: RuntimeDep
) -> WireResponse:
    endpoint = await service.update_endpoint(
        session,
        principal=principal,
        endpoint_id=endpoint_id,
        url=patch.url,
        description=patch.description,
        enabled=patch.enabled,
        guard=runtime.guard,
        now=runtime.clock.now(),
    )
    return WireResponse(EndpointOut.of(endpoint), zone=runtime.zone)


@router.patch(
    "/webhooks/{endpoint_id}", response_model=EndpointOut, summary="Change url, description or enabled"
)
async def update_webhook(
    endpoint_id: str,
    body: Json[EndpointPatch],
    principal: Manager,
    session: WriteSession,
    runtime: RuntimeDep,
) -> WireResponse:
    patch = service.checked_endpoint(body, guard=runtime.guard)
    return await _update(endpoint_id, patch, principal, session, runtime)


@router.post("/webhooks/{endpoint_id}/enable", response_model=EndpointOut, summary="Enable an endpoint")
async def enable_webhook(
    endpoint_id: str, principal: Manager, session: WriteSession, runtime: RuntimeDep
) -> WireResponse:
    return await _update(endpoint_id, EndpointPatch(enabled=True), principal, session, runtime)


@router.post("/webhooks/{endpoint_id}/disable", response_model=EndpointOut, summary="Disable an endpoint")
async def disable_webhook(
    endpoint_id: str, principal: Manager, session: WriteSession, runtime: RuntimeDep
) -> WireResponse:
    return await _update(endpoint_id, EndpointPatch(enabled=False), principal, session, runtime)


@router.delete(
    "/webhooks/{endpoint_id}", status_code=204, summary="Delete an endpoint (its pending calls stop)"
)
async def delete_webhook(
    endpoint_id: str, principal: Manager, session: WriteSession, runtime: RuntimeDep
) -> Response:
    endpoint = await service.get_endpoint(session, principal=principal, endpoint_id=endpoint_id)
    await service.delete_endpoint(session, endpoint=endpoint, now=runtime.clock.now())
    return Response(status_code=204)


@router.post(
    "/webhooks/{endpoint_id}/rotate-secret",
    response_model=EndpointOut,
    summary="New signing secret; the old one keeps signing alongside it for a while",
)
async def rotate_webhook_secret(
    endpoint_id: str, principal: Manager, session: WriteSession, runtime: RuntimeDep
) -> WireResponse:
    endpoint = await service.rotate_secret(
        session,
        principal=principal,
        endpoint_id=endpoint_id,
        overlap=timedelta(hours=runtime.settings.webhook_secret_overlap_hours),
        now=runtime.clock.now(),
    )
    return WireResponse(EndpointOut.of(endpoint, with_secret=True), zone=runtime.zone)


@router.post(
    "/webhooks/{endpoint_id}/ping",
    status_code=202,
    response_model=NotificationOut,
    summary="Send a test call (body orderId=ping) through the delivery queue",
)
async def ping_webhook(
    endpoint_id: str, principal: Manager, session: WriteSession, runtime: RuntimeDep
) -> WireResponse:
    notification = await service.ping(
        session, principal=principal, endpoint_id=endpoint_id, now=runtime.clock.now()
    )
    return WireResponse(
        NotificationOut.of(LogEntry(notification, endpoint_id, [])), zone=runtime.zone, status_code=202
    )


@router.post(
    "/webhooks/{endpoint_id}/recover",
    status_code=202,
    response_model=RecoveryOut,
    summary="Queue again every notification that failed since a moment, one per order",
    description=(
        "Every order with a notification to this endpoint that failed (gave up) at or after "
        "`since` gets one new notification, due now (or its pending one is made due now). "
        "Answers how many orders were queued."
    ),
)
async def recover_webhook(
    endpoint_id: str,
    principal: Manager,
    session: WriteSession,
    runtime: RuntimeDep,
    since: Annotated[str, Query(description="Local date/time, e.g. 2025-03-24T13:00:00, or with Z/offset.")],
) -> WireResponse:
    try:
        moment = parse_local(since, runtime.zone)
    except ValueError as exc:
        raise InvalidInput.on("since", str(exc)) from exc
    queued = await service.recover(
        session, principal=principal, endpoint_id=endpoint_id, since=moment, now=runtime.clock.now()
    )
    return WireResponse(RecoveryOut(since=moment, queued=queued), zone=runtime.zone, status_code=202)


@router.get(
    "/webhooks/{endpoint_id}/notifications",
    response_model=NotificationListOut,
    summary="The delivery log of an endpoint, newest first, with every attempt",
)
async def list_webhook_notifications(
    endpoint_id: str, principal: Manager, session: ReadSession, runtime: RuntimeDep, page: PageDep
) -> WireResponse:
    count, entries = await service.log_of_endpoint(
        session, principal=principal, endpoint_id=endpoint_id, offset=page.offset, limit=page.limit
    )
    results = [NotificationOut.of(e) for e in entries]
    body = NotificationListOut(count=count, offset=page.offset, limit=page.limit, results=results)
    return WireResponse(body, zone=runtime.zone)


@router.post(
    "/webhooks/notifications/{notification_id}/resend",
    status_code=202,
    response_model=NotificationOut,
    summary="Send a notification again",
)
async def resend_notification(
    notification_id: str, principal: Manager, session: WriteSession, runtime: RuntimeDep
) -> WireResponse:
    notification = await service.resend(
        session, principal=principal, notification_id=notification_id, now=runtime.clock.now()
    )
    entries = await service.log_entries(session, [notification])
    return WireResponse(NotificationOut.of(entries[0]), zone=runtime.zone, status_code=202)


@router.get(
    "/orders/{order_id}/notifications",
    response_model=OrderNotificationsOut,
    summary="Webhook notifications of one order, with every attempt",
)
async def list_order_notifications(
    order_id: str, principal: Manager, session: ReadSession, runtime: RuntimeDep
) -> WireResponse:
    order = await orders.get_order_head(session, principal=principal, order_id=order_id)
    entries = await service.log_of_order(session, order=order)
    return WireResponse(
        OrderNotificationsOut(results=[NotificationOut.of(e) for e in entries]), zone=runtime.zone
    )
