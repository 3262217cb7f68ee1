"""HTTP for the payment screen: checkout setup (spec §3.9), the hosted payment page with its
coupon, the way to the provider's checkout and back, the providers' notifications, and the test
clock of test orders."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, Field, StrictStr

from printapi import effects
from printapi.api import Json, ReadSession, RuntimeDep, UrlsDep, WriteSession, require
from printapi.auth.principal import Principal
from printapi.auth.scopes import Scope
from printapi.kit.errors import ApiError, Forbidden, InvalidInput, NotFound, ServiceUnavailable
from printapi.kit.logging import get_logger
from printapi.kit.urls import Urls
from printapi.kit.wire import WireResponse
from printapi.orders.schemas import OrderStatusOut
from printapi.payments import hosted, pages, service
from printapi.payments.provider import ProviderError, TestProvider
from printapi.payments.schemas import CheckoutIn, CheckoutOut
from printapi.runtime import Runtime

router = APIRouter(tags=["payments"])
log = get_logger("printapi.payments")

Placer = Annotated[Principal, Depends(require(Scope.ORDERS_PLACE))]
Tracker = Annotated[Principal, Depends(require(Scope.ORDERS_TRACK))]
Simulator = Annotated[Principal, Depends(require(Scope.ORDERS_SIMULATE))]
PROVIDER_TITLES = {"mollie": "Mollie", "stripe": "Stripe"}
# What the customer's browser gets: pages, errors included.
PAGE_ERRORS: dict[int | str, dict[str, Any]] = {
    403: {"description": "The payment cannot go on", "content": {"text/html": {}}},
    404: {"description": "Unknown payment link", "content": {"text/html": {}}},
}


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


def _error_page(error: ApiError) -> HTMLResponse:
    title = {
        404: "This payment link is not known",
        503: "The payment provider cannot be reached",
    }.get(error.status, "This payment cannot go on")
    page = pages.render("error.html", title=title, message=error.message)
    return HTMLResponse(page, status_code=error.status, headers=pages.HEADERS)


async def _page(
    code: str,
    session: ReadSession,
    runtime: Runtime,
    urls: Urls,
    *,
    problem: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    """The payment page: the order, the amount, a coupon field, and the way to pay."""
    try:
        view = await service.page(session, code=code)
        provider = runtime.payments.for_environment(view.order.environment)
    except ApiError as error:
        return _error_page(error)
    payment, order = view.payment, view.order
    expired = service.expired(payment, runtime.clock.now())
    test = isinstance(provider, TestProvider)
    takes_coupon = not order.coupon and order.checkout_products is not None
    html = pages.render(
        "test_payment.html" if test else "payment.html",
        order_id=order.id,
        amount=service.amount_text(payment.amount),
        lines=view.lines,
        billing_name=payment.billing_name,
        billing_city=payment.billing_city,
        status="Cancelled (the link expired)" if expired else payment.status,
        return_url=payment.return_url,
        action=urls.payment_page(code, "test" if test else "pay"),
        token=provider.token(code) if isinstance(provider, TestProvider) else "",
        provider_title=PROVIDER_TITLES.get(provider.name, provider.name),
        coupon=order.coupon,
        coupon_action=urls.payment_page(code, "coupon") if takes_coupon else None,
        problem=problem,
    )
    return HTMLResponse(html, status_code=status, headers=pages.HEADERS)


@router.get(
    "/payments/{code}/start",
    response_class=HTMLResponse,
    summary="The hosted payment page (HTML) that paymentUrl points to",
    responses=PAGE_ERRORS,
)
async def get_payment_page(
    code: str, session: ReadSession, runtime: RuntimeDep, urls: UrlsDep
) -> HTMLResponse:
    return await _page(code, session, runtime, urls)


@router.post("/payments/{code}/coupon", include_in_schema=False)
async def apply_coupon(
    code: str, request: Request, session: WriteSession, runtime: RuntimeDep, urls: UrlsDep
) -> HTMLResponse:
    """The page's coupon form: the amount changes and the page shows it again (303), or the page
    says why the coupon cannot be used (400) and nothing changes."""
    form = await request.form()
    coupon = str(form.get("coupon", "")).strip()
    try:
        if not coupon or len(coupon) > 64:
            raise InvalidInput.on("coupon", "enter a coupon code of at most 64 characters")
        await service.add_coupon(session, code=code, coupon=coupon, now=runtime.clock.now())
    except InvalidInput as error:  # nothing was written: the coupon is checked before it is used
        problem = error.errors[0].message if error.errors else error.message
        async with runtime.db.read() as reader:
            return await _page(
                code, reader, runtime, urls, problem=problem[:1].upper() + problem[1:] + ".", status=400
            )
    except ApiError as error:
        return _error_page(error)
    return HTMLResponse(status_code=303, headers={"Location": urls.payment(code), **pages.HEADERS})


@router.post("/payments/{code}/pay", include_in_schema=False)
async def go_to_provider(code: str, runtime: RuntimeDep, urls: UrlsDep) -> HTMLResponse:
    """The page's Pay button (a hosted provider): on to the provider's checkout (303)."""
    try:
        async with runtime.db.read() as session:
            payment, _ = await service.by_payment_code(session, code=code)
        provider = runtime.payments.hosted(payment.provider)
        if provider is None:
            raise NotFound(message="This payment is made on its test page.")
        url = await hosted.checkout_url(
            runtime.db,
            provider,
            code=code,
            urls=urls,
            first_poll=runtime.settings.poll_schedule[0],
            now=runtime.clock.now(),
        )
    except ProviderError as exc:  # the customer may simply press Pay again
        log.warning("payment provider not reachable on pay", error=str(exc))
        return _error_page(ServiceUnavailable(message="Please try again in a moment; nothing was paid."))
    except ApiError as error:
        return _error_page(error)
    return HTMLResponse(status_code=303, headers={"Location": url, **pages.HEADERS})


@router.get("/payments/{code}/return", include_in_schema=False)
async def back_from_provider(code: str, runtime: RuntimeDep) -> HTMLResponse:
    """Where the provider sends the customer back: the provider is asked (the return alone settles
    nothing), then on to the shop's returnUrl (303)."""
    try:
        async with runtime.db.read() as session:
            payment, _ = await service.by_payment_code(session, code=code)
        provider = runtime.payments.hosted(payment.provider)
        url = payment.return_url
        if provider is not None:
            url = await hosted.came_back(
                runtime.db, effects.handle, provider, code=code, now=runtime.clock.now()
            )
    except ApiError as error:
        return _error_page(error)
    return HTMLResponse(status_code=303, headers={"Location": url})


async def _confirm_test_page(code: str, request: Request, session: WriteSession, runtime: Runtime) -> str:
    """Apply the test page's verified outcome (idempotent); the URL the customer goes back to."""
    payment, order = await service.by_payment_code(session, code=code)
    provider = runtime.payments.for_environment(order.environment)
    form = {key: value for key, value in (await request.form()).items() if isinstance(value, str)}
    confirmation = provider.confirm(code=code, form=form) if isinstance(provider, TestProvider) else None
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
    return RedirectResponse(await _confirm_test_page(code, request, session, runtime), status_code=303)


async def _notified(provider_name: str, request: Request, runtime: Runtime) -> dict[str, str]:
    provider = runtime.payments.hosted(provider_name)
    if provider is None:
        raise NotFound(message=f"No payment provider '{provider_name}' is configured.")
    notice = provider.notified(body=await request.body(), headers=request.headers)
    if notice is None:
        raise Forbidden(message="This payment notification could not be verified.")
    try:
        await hosted.notified(runtime.db, effects.handle, provider, notice=notice, now=runtime.clock.now())
    except ProviderError as exc:
        # Not known now: the provider sends the notification again (and the poll task asks).
        raise ServiceUnavailable(message="The payment provider could not be asked; try again later.") from exc
    return {"status": "received"}


@router.post(
    "/payments/{code}/callback",
    summary="A payment provider's notification about one payment (verified, idempotent)",
    description="Mollie posts id=tr_… here (its webhookUrl); the test page's form is accepted too.",
)
async def receive_payment_callback(code: str, request: Request, runtime: RuntimeDep) -> dict[str, str]:
    async with runtime.db.read() as session:
        payment, _ = await service.by_payment_code(session, code=code)
    if payment.provider == service.TEST_PROVIDER:
        async with runtime.db.write() as session:
            await _confirm_test_page(code, request, session, runtime)
        return {"status": "received"}
    return await _notified(payment.provider, request, runtime)


@router.post(
    "/payment-notifications/{provider}",
    summary="A payment provider's signed events (Stripe: the account's webhook endpoint)",
)
async def receive_provider_events(provider: str, request: Request, runtime: RuntimeDep) -> dict[str, str]:
    return await _notified(provider, request, runtime)


class TestClockIn(BaseModel):
    """How far to move time for the order: a wait such as 24h, 90m or 30s (at most 720h)."""

    __test__ = False  # not a pytest test class

    advance: Annotated[StrictStr, Field(min_length=2, max_length=16)]


@router.post(
    "/orders/{order_id}/test-clock",
    response_model=OrderStatusOut,
    summary="Move time forward for a test order (extension)",
    description="Test environment only: its payment link and its pending webhook retries fall due as "
    "much sooner, and a link that runs out is cancelled at once (with the order). Live orders answer 403.",
)
async def advance_test_clock(
    order_id: str, body: Json[TestClockIn], principal: Simulator, session: WriteSession, runtime: RuntimeDep
) -> WireResponse:
    sent = body.valid()
    try:
        by = service.clock_step(sent.advance)
    except ValueError as exc:
        raise InvalidInput.on("advance", str(exc)) from exc
    order, events = await service.advance_clock(
        session, principal=principal, order_id=order_id, by=by, now=runtime.clock.now()
    )
    await effects.handle(session, *events)
    return WireResponse(OrderStatusOut.of(order), zone=runtime.zone)
