"""HTTP for the payment screen: checkout setup (spec §3.9) and the hosted payment page."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from printapi import effects
from printapi.api import ReadSession, RuntimeDep, UrlsDep, WriteSession, require
from printapi.auth.principal import Principal
from printapi.auth.scopes import Scope
from printapi.kit.errors import ApiError, Forbidden
from printapi.kit.problems import Json
from printapi.kit.wire import WireResponse
from printapi.payments import pages, service
from printapi.payments.provider import Redirect, Render
from printapi.payments.schemas import CheckoutIn, CheckoutOut
from printapi.payments.states import PaymentStatus
from printapi.runtime import Runtime

router = APIRouter(tags=["payments"])

Placer = Annotated[Principal, Depends(require(Scope.ORDERS_PLACE))]
Tracker = Annotated[Principal, Depends(require(Scope.ORDERS_TRACK))]


@router.post(
    "/checkout/{code}",
    status_code=201,
    response_model=CheckoutOut,
    summary="Set up the payment screen for an order",
    description="Post to the order's checkout.setupUrl; send the customer to the paymentUrl of the answer.",
)
async def set_up_checkout(
    code: str,
    body: Json[CheckoutIn],
    principal: Placer,
    session: WriteSession,
    runtime: RuntimeDep,
    urls: UrlsDep,
) -> WireResponse:
    request = service.checked_setup(body)  # a 400 with every problem comes before the 403s and 404s
    provider = runtime.payments.for_environment(principal.environment)
    _, payment = await service.setup(
        session,
        principal=principal,
        code=code,
        request=request,
        provider=provider.name,
        ttl=timedelta(seconds=runtime.settings.payment_ttl_seconds),
        now=runtime.clock.now(),
    )
    return WireResponse(
        CheckoutOut.of(payment, urls),
        zone=runtime.zone,
        status_code=201,
        headers={"Location": urls.checkout(code)},
    )


@router.get("/checkout/{code}", response_model=CheckoutOut, summary="The checkout and its payment status")
async def get_checkout(
    code: str, principal: Tracker, session: ReadSession, runtime: RuntimeDep, urls: UrlsDep
) -> WireResponse:
    _, payment = await service.checkout(session, principal=principal, code=code)
    return WireResponse(CheckoutOut.of(payment, urls), zone=runtime.zone)


@router.get(
    "/payments/{code}/start",
    response_class=HTMLResponse,
    summary="The hosted payment page (HTML) that paymentUrl points to",
    # The customer's browser gets pages, errors included.
    responses={
        403: {"description": "No payment provider for this order", "content": {"text/html": {}}},
        404: {"description": "Unknown payment link", "content": {"text/html": {}}},
    },
)
async def get_payment_page(
    code: str, session: ReadSession, runtime: RuntimeDep, urls: UrlsDep
) -> HTMLResponse:
    try:
        view = await service.page(session, code=code)
        provider = runtime.payments.for_environment(view.order.environment)
    except ApiError as error:  # the customer's browser: a page, not the API's JSON
        title = "This payment link is not known" if error.status == 404 else "This payment cannot start"
        page = pages.render("error.html", title=title, message=error.message)
        return HTMLResponse(page, status_code=error.status, headers=pages.HEADERS)
    action = provider.start(code=code)
    if isinstance(action, Redirect) and view.payment.status == PaymentStatus.OPEN:
        return HTMLResponse(status_code=303, headers={"Location": action.url})
    html = pages.render(
        "test_payment.html",
        order_id=view.order.id,
        amount=service.amount_text(view.payment.amount),
        lines=view.lines,
        billing_name=view.payment.billing_name,
        billing_city=view.payment.billing_city,
        status="Cancelled (the link expired)"
        if service.expired(view.payment, runtime.clock.now())
        else view.payment.status,
        return_url=view.payment.return_url,
        action=urls.payment(code).removesuffix("/start") + "/test",
        token=action.fields.get("token", "") if isinstance(action, Render) else "",
    )
    return HTMLResponse(html, headers=pages.HEADERS)


async def _confirm(code: str, request: Request, session: WriteSession, runtime: Runtime) -> str:
    """Apply a provider's verified outcome (idempotent); the URL the customer goes back to."""
    payment, order = await service.by_payment_code(session, code=code)
    provider = runtime.payments.for_environment(order.environment)
    form = {key: value for key, value in (await request.form()).items() if isinstance(value, str)}
    confirmation = provider.confirm(code=code, form=form)
    if confirmation is None:
        raise Forbidden(message="This payment confirmation could not be verified.")
    settled = await service.confirm(
        session,
        payment=payment,
        outcome=confirmation.outcome,
        ref=confirmation.reference,
        now=runtime.clock.now(),
    )
    await effects.handle(session, settled)  # None: the outcome was known already, nothing changes
    return payment.return_url


@router.post("/payments/{code}/test", include_in_schema=False)
async def test_outcome(
    code: str, request: Request, session: WriteSession, runtime: RuntimeDep
) -> RedirectResponse:
    """The test page's buttons: the outcome, then back to the shop (a second click changes nothing)."""
    return RedirectResponse(await _confirm(code, request, session, runtime), status_code=303)


@router.post("/payments/{code}/callback", summary="A payment provider's callback (verified, idempotent)")
async def receive_payment_callback(
    code: str, request: Request, session: WriteSession, runtime: RuntimeDep
) -> dict[str, str]:
    await _confirm(code, request, session, runtime)
    return {"status": "received"}
