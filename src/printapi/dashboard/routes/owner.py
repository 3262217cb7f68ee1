"""The owner's home, API credentials and settings (payment screen, consumer prices, mails)."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from printapi.accounts import service as accounts
from printapi.api import ReadSession, RuntimeDep, WriteSession
from printapi.auth import service as auth
from printapi.auth.principal import Environment
from printapi.catalogue import service as catalogue
from printapi.catalogue.consumer import ConsumerPrice
from printapi.dashboard import forms, service, views
from printapi.dashboard.pages import DashboardRoute, render, see_other
from printapi.dashboard.security import AnyPage, OwnerAction, OwnerPage, form_of
from printapi.dashboard.service import Flash
from printapi.kit.errors import InvalidInput

router = APIRouter(prefix="/dashboard", route_class=DashboardRoute, include_in_schema=False)

ZERO = Decimal("0.00")


@router.get("")
async def home(request: Request, visitor: AnyPage, session: ReadSession) -> Response:
    if visitor.is_operator:
        return see_other("/dashboard/operator")
    return render(request, "owner/home.html", home=await views.home(session, account=visitor.account))


@router.get("/credentials")
async def credentials(request: Request, visitor: OwnerPage, session: ReadSession) -> HTMLResponse:
    clients = await views.credentials(session, account=visitor.account)
    return render(request, "owner/credentials.html", clients=clients)


@router.post("/credentials")
async def create_credentials(
    request: Request, visitor: OwnerAction, session: WriteSession, runtime: RuntimeDep
) -> Response:
    environment = forms.choice(await form_of(request), "environment", Environment, default=Environment.TEST)
    assert environment is not None
    new = await auth.create_client(
        session,
        account_email=visitor.account.email,
        environment=environment,
        secret_key=runtime.settings.secret_key,
        now=runtime.clock.now(),
    )
    message = Flash(
        "secret",
        f"New {environment} credentials: client id {new.client.client_id}. "
        "Copy the client secret now: it is shown only this once.",
        secret=service.seal(new.secret, secret_key=runtime.settings.secret_key, now=runtime.clock.now()),
        sealed=True,
    )
    await service.flash(session, id_hash=visitor.id_hash, messages=[message])
    return see_other("/dashboard/credentials")


@router.post("/credentials/{client_id}/revoke")
async def revoke_credentials(
    client_id: str, visitor: OwnerAction, session: WriteSession, runtime: RuntimeDep
) -> Response:
    await auth.revoke_client(
        session, account_id=visitor.account.id, client_id=client_id, now=runtime.clock.now()
    )
    runtime.token_cache.clear()  # this process forgets at once; others within PRINTAPI_TOKEN_CACHE_SECONDS
    message = Flash("ok", f"Client {client_id} is revoked: its tokens no longer work.")
    await service.flash(session, id_hash=visitor.id_hash, messages=[message])
    return see_other("/dashboard/credentials")


@router.get("/settings")
async def settings(
    request: Request, visitor: OwnerPage, session: ReadSession, runtime: RuntimeDep
) -> HTMLResponse:
    view = await views.settings(session, account=visitor.account)
    # Which provider takes live payments: its name only, never a key.
    return render(request, "owner/settings.html", view=view, live_provider=runtime.payments.live_name)


@router.post("/settings")
async def save_settings(request: Request, visitor: OwnerAction, session: WriteSession) -> Response:
    form = await form_of(request)
    await accounts.update(
        session,
        account_id=visitor.account.id,
        payment_screen=forms.switch(form, "payment_screen"),
        notification_email=forms.text(form, "notification_email") or "",
        consumer_shipping=forms.required(form, "consumer_shipping"),
        consumer_shipping_flat=forms.euros(form, "consumer_shipping_flat"),
    )
    await service.flash(session, id_hash=visitor.id_hash, messages=[Flash("ok", "Settings saved.")])
    return see_other("/dashboard/settings")


@router.get("/settings/prices")
async def prices(
    request: Request, visitor: OwnerPage, session: ReadSession, product: str | None = None
) -> Response:
    if not product:
        return see_other("/dashboard/settings#prices")
    view = await views.price_view(session, account=visitor.account, product_id=product.strip())
    return render(request, "owner/prices.html", view=view)


def _price(form: dict[str, str], prefix: str) -> ConsumerPrice | None:
    base = forms.euros(form, f"{prefix}base")
    if base is None:
        return None
    return ConsumerPrice(base, forms.euros(form, f"{prefix}per_extra_page") or ZERO)


@router.post("/settings/prices/{product_id}")
async def save_prices(
    product_id: str, request: Request, visitor: OwnerAction, session: WriteSession
) -> Response:
    """The product's price and those of its option choices; a choice left empty keeps its default."""
    form = await form_of(request)
    spec = await catalogue.get_product(session, product_id=product_id)
    product = _price(form, "")
    if product is None:
        raise InvalidInput.on("base", "is required")
    options = [
        accounts.OptionPrice(option.id, choice.value, price)
        for option in spec.options
        for choice in option.choices
        if (price := _price(form, f"option:{option.id}:{choice.value}:")) is not None
    ]
    await accounts.set_prices(
        session, account_id=visitor.account.id, spec=spec, product=product, options=options
    )
    message = Flash("ok", f"Your customers' prices of {spec.name.strip()} are saved.")
    await service.flash(session, id_hash=visitor.id_hash, messages=[message])
    return see_other("/dashboard/settings/prices?" + urlencode({"product": product_id}))
