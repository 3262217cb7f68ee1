"""The operator's production console: the queue, an order (files, parcels, ship, cancel), accounts,
coupons, mail."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response

from printapi import effects
from printapi.api import MAX_DB_INT, ReadSession, RuntimeDep, WriteSession, stored_file_response
from printapi.auth.principal import Environment
from printapi.coupons import service as coupons
from printapi.coupons.terms import CouponScope, CouponType
from printapi.dashboard import forms, service, views
from printapi.dashboard.pages import DashboardRoute, render, see_other, segment
from printapi.dashboard.routes.orders import Kind
from printapi.dashboard.security import OperatorAction, OperatorPage, form_of
from printapi.dashboard.service import Flash
from printapi.files import service as files
from printapi.kit.errors import InvalidInput
from printapi.kit.wire import parse_local
from printapi.mail import service as mail
from printapi.orders import service as orders
from printapi.orders.shipments import service as shipments

router = APIRouter(prefix="/dashboard/operator", route_class=DashboardRoute, include_in_schema=False)

QUEUE_LIMIT = 500
AccountId = Annotated[int, Path(ge=1, le=MAX_DB_INT)]


def order_url(account_id: int, environment: str, order_id: str) -> str:
    return f"/dashboard/operator/orders/{account_id}/{environment}/{segment(order_id)}"


@router.get("")
async def queue(request: Request, _: OperatorPage, session: ReadSession, runtime: RuntimeDep) -> HTMLResponse:
    now = runtime.clock.now()
    view = await views.queue(session, zone=runtime.zone, now=now, limit=QUEUE_LIMIT)
    return render(request, "operator/queue.html", queue=view, today=now.astimezone(runtime.zone).date())


@router.get("/find")
async def find(_: OperatorPage, session: ReadSession, order_id: str = "") -> Response:
    """Any order by its id (an ambiguous id is a 409 that says so)."""
    order = await orders.find_for_operator(session, order_id=order_id.strip(), account_id=None)
    return see_other(order_url(order.account_id, order.environment, order.id))


@router.get("/orders/{account_id}/{environment}/{order_id}")
async def order_page(
    account_id: AccountId,
    environment: Environment,
    order_id: str,
    request: Request,
    _: OperatorPage,
    session: ReadSession,
    runtime: RuntimeDep,
) -> HTMLResponse:
    view = await views.operator_order(
        session,
        account_id=account_id,
        environment=environment,
        order_id=order_id,
        zone=runtime.zone,
        now=runtime.clock.now(),
    )
    return render(request, "operator/order.html", view=view)


@router.get("/orders/{account_id}/{environment}/{order_id}/items/{item_id}/files/{kind}")
async def download(
    account_id: AccountId,
    environment: Environment,
    order_id: str,
    item_id: str,
    kind: Kind,
    _: OperatorPage,
    session: ReadSession,
    runtime: RuntimeDep,
) -> Response:
    file = await files.stored(
        session, account_id=account_id, environment=environment, order_id=order_id, item_id=item_id, kind=kind
    )
    return await stored_file_response(runtime, file, name=f"{order_id}-{item_id}-{kind}")


@router.post("/orders/{account_id}/{environment}/{order_id}/status")
async def move(
    account_id: AccountId,
    environment: Environment,
    order_id: str,
    request: Request,
    visitor: OperatorAction,
    session: WriteSession,
    runtime: RuntimeDep,
) -> Response:
    """Start, ship (with a tracking link) or cancel (with a reason) an order; the owner's webhooks follow."""
    form = await form_of(request)
    change = forms.status_change(form)
    changed = await orders.operator_set_status(
        session,
        order_id=order_id,
        account_id=account_id,
        environment=environment,
        change=change,
        now=runtime.clock.now(),
    )
    await effects.handle(session, changed)
    order = changed.order
    await service.flash(
        session, id_hash=visitor.id_hash, messages=[Flash("ok", f"Order {order.id} is {order.status}.")]
    )
    return see_other(order_url(account_id, environment, order.id))


@router.post("/orders/{account_id}/{environment}/{order_id}/shipments")
async def ship(
    account_id: AccountId,
    environment: Environment,
    order_id: str,
    request: Request,
    visitor: OperatorAction,
    session: WriteSession,
    runtime: RuntimeDep,
) -> Response:
    """Record a parcel of an order in production; the last one ships it. The owner's webhooks follow."""
    parcel = forms.shipment(await form_of(request))
    recorded = await shipments.operator_record(
        session,
        order_id=order_id,
        account_id=account_id,
        environment=environment,
        request=parcel,
        now=runtime.clock.now(),
    )
    await effects.handle(session, *recorded.events)
    order = recorded.order
    message = (
        f"Shipment {recorded.shipment.number} of order {order.id} recorded; the order is {order.status}."
    )
    await service.flash(session, id_hash=visitor.id_hash, messages=[Flash("ok", message)])
    return see_other(order_url(account_id, environment, order.id))


@router.get("/accounts")
async def account_list(request: Request, _: OperatorPage, session: ReadSession) -> HTMLResponse:
    return render(request, "operator/accounts.html", rows=await orders.accounts_overview(session))


@router.get("/coupons")
async def coupon_list(
    request: Request, _: OperatorPage, session: ReadSession, runtime: RuntimeDep
) -> HTMLResponse:
    now = runtime.clock.now()
    rows = [(coupon, coupons.state_of(coupon, now)) for coupon in await coupons.all_coupons(session)]
    return render(
        request, "operator/coupons.html", rows=rows, types=list(CouponType), scopes=list(CouponScope)
    )


def _expiry(form: dict[str, str], zone: ZoneInfo) -> datetime | None:
    """A datetime-local field (``2026-12-31T23:59``) in the shop's time zone."""
    value = forms.text(form, "expires")
    if value is None:
        return None
    try:
        return parse_local(value, zone)
    except ValueError as exc:
        raise InvalidInput.on("expires", str(exc)) from exc


@router.post("/coupons")
async def create_coupon(
    request: Request, visitor: OperatorAction, session: WriteSession, runtime: RuntimeDep
) -> Response:
    form = await form_of(request)
    kind = forms.required_choice(form, "type", CouponType)
    percentage = amount = None
    if kind is CouponType.PERCENTAGE:
        percentage = forms.whole(form, "value")
    else:
        amount = forms.euros(form, "value")
    coupon = await coupons.create(
        session,
        code=forms.required(form, "code"),
        type=kind,
        scope=forms.choice(form, "scope", CouponScope, default=CouponScope.PRODUCTS) or CouponScope.PRODUCTS,
        amount=amount,
        percentage=percentage,
        expires_at=_expiry(form, runtime.zone),
        usage_limit=forms.whole(form, "usage_limit"),
        now=runtime.clock.now(),
    )
    await service.flash(
        session, id_hash=visitor.id_hash, messages=[Flash("ok", f"Coupon {coupon.code} created.")]
    )
    return see_other("/dashboard/operator/coupons")


@router.post("/coupons/{code}/delete")
async def delete_coupon(code: str, visitor: OperatorAction, session: WriteSession) -> Response:
    await coupons.remove(session, code=code)
    await service.flash(session, id_hash=visitor.id_hash, messages=[Flash("ok", f"Coupon {code} deleted.")])
    return see_other("/dashboard/operator/coupons")


@router.get("/mail")
async def outbox(request: Request, _: OperatorPage, session: ReadSession) -> HTMLResponse:
    return render(request, "operator/mail.html", messages=await mail.outbox(session, limit=100))
