"""Sign-in, sign-up and sign-out, and the way in: ``/`` and ``/dashboard`` send people where they belong."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from printapi.api import ReadSession, RuntimeDep, WriteSession
from printapi.auth import service as auth
from printapi.dashboard import forms, service
from printapi.dashboard.pages import DashboardRoute, render, see_other
from printapi.dashboard.security import (
    ANON_COOKIE,
    SESSION_COOKIE,
    AnyAction,
    anonymous_token,
    anonymous_token_valid,
    check_anonymous_form,
    clear_cookie,
    client_address,
    form_of,
    secure_cookies,
    set_cookie,
)
from printapi.dashboard.service import SignedIn, TooManyAttempts
from printapi.kit.errors import ApiError, InvalidInput
from printapi.runtime import Runtime

router = APIRouter(route_class=DashboardRoute, include_in_schema=False)

WRONG = "The e-mail address or the password is not right."


def safe_next(value: str | None) -> str:
    """Only a path of the dashboard itself: never another site after signing in."""
    if value and value.startswith("/dashboard") and "//" not in value and "\\" not in value:
        return value
    return "/dashboard"


def _anonymous_page(
    request: Request,
    runtime: Runtime,
    template: str,
    *,
    status: int = 200,
    headers: dict[str, str] | None = None,
    **context: object,
) -> HTMLResponse:
    """A page with a sign-in or sign-up form, and the signed token its form must send back."""
    token = request.cookies.get(ANON_COOKIE)
    if not anonymous_token_valid(token, runtime.settings.secret_key):
        token = anonymous_token(runtime.settings.secret_key)
    assert token is not None
    response = render(request, template, status=status, headers=headers, anon_token=token, **context)
    set_cookie(response, ANON_COOKIE, token, secure=secure_cookies(runtime))
    return response


def _signed_in(signed: SignedIn, target: str, runtime: Runtime) -> Response:
    response = see_other(target)
    set_cookie(response, SESSION_COOKIE, signed.token, secure=secure_cookies(runtime))
    return response


@router.get("/")
async def root() -> RedirectResponse:
    return see_other("/dashboard")


@router.get("/dashboard/sign-in")
async def sign_in_page(
    request: Request, runtime: RuntimeDep, next: str | None = None, signed_out: bool = False
) -> HTMLResponse:
    notice = "You are signed out." if signed_out else None
    return _anonymous_page(
        request, runtime, "sign_in.html", next=safe_next(next), email="", error=None, notice=notice
    )


@router.post("/dashboard/sign-in")
async def sign_in(request: Request, session: ReadSession, runtime: RuntimeDep) -> Response:
    form = await form_of(request)
    check_anonymous_form(request, form, runtime)
    email, target = forms.text(form, "email") or "", safe_next(form.get("next"))
    address, now = client_address(request), runtime.clock.now()
    try:
        # Read first (argon2 runs without the writer held), then write the outcome briefly.
        account = await service.check_sign_in(
            session,
            email=email,
            password=form.get("password", ""),
            address=address,
            passwords=runtime.passwords,
            now=now,
        )
    except TooManyAttempts as error:
        headers = {"Retry-After": str(error.retry_after)}
        return _anonymous_page(
            request,
            runtime,
            "sign_in.html",
            status=429,
            headers=headers,
            error=error,
            next=target,
            email=email,
        )
    async with runtime.db.write() as write:
        signed = await service.record_sign_in(
            write,
            account=account,
            email=email,
            address=address,
            previous_token=request.cookies.get(SESSION_COOKIE),
            secret_key=runtime.settings.secret_key,
            now=now,
        )
    if signed is None:
        wrong = InvalidInput(message=WRONG)
        return _anonymous_page(
            request, runtime, "sign_in.html", status=401, error=wrong, next=target, email=email
        )
    return _signed_in(signed, target, runtime)


@router.get("/dashboard/sign-up")
async def sign_up_page(request: Request, runtime: RuntimeDep) -> HTMLResponse:
    return _anonymous_page(request, runtime, "sign_up.html", email="", error=None)


@router.post("/dashboard/sign-up")
async def sign_up(request: Request, session: WriteSession, runtime: RuntimeDep) -> Response:
    form = await form_of(request)
    check_anonymous_form(request, form, runtime)
    email, password = form.get("email", "").strip(), form.get("password", "")
    try:
        forms.text(form, "email")  # text only: no NUL for the database
        if password != form.get("password_again", ""):
            raise InvalidInput.on("password_again", "is not the same password")
        # Hashed before the transaction begins (argon2 is slow on purpose).
        password_hash = await auth.new_password_hash(password, passwords=runtime.passwords)
        signed = await service.sign_up(
            session,
            email=email,
            password_hash=password_hash,
            address=client_address(request),
            previous_token=request.cookies.get(SESSION_COOKIE),
            secret_key=runtime.settings.secret_key,
            now=runtime.clock.now(),
        )
    except ApiError as error:  # nothing but the counted attempt was written: it is committed
        headers = {"Retry-After": str(error.retry_after)} if isinstance(error, TooManyAttempts) else None
        return _anonymous_page(
            request, runtime, "sign_up.html", status=error.status, email=email, error=error, headers=headers
        )
    return _signed_in(signed, "/dashboard", runtime)


@router.post("/dashboard/sign-out")
async def sign_out(visitor: AnyAction, session: WriteSession, runtime: RuntimeDep) -> Response:
    await service.sign_out(session, id_hash=visitor.id_hash)
    response = see_other("/dashboard/sign-in?signed_out=true")
    clear_cookie(response, SESSION_COOKIE, secure=secure_cookies(runtime))
    return response
