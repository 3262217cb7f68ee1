"""Signing people in and out of the dashboard: sessions, the sign-in rate limit, flash messages.

A session is a random token in an HttpOnly cookie; the database keeps only its keyed hash, the
account, a CSRF token and the expiry. Signing in always starts a new session (the old one of that
browser is deleted), so a session id planted before sign-in is worth nothing after it.

Failed sign-ins are rows, counted per e-mail and per client address over a window, so every
process of a deployment sees the same count and a restart forgets nothing. Under concurrent
attempts on PostgreSQL a few more than the limit may get through; the limit is about guessing
at scale, not about the exact count.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
import secrets
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from printapi.auth import service as auth
from printapi.auth.hashing import Passwords, keyed_hash
from printapi.dashboard import repository
from printapi.kit.errors import RateLimited
from printapi.models import Account, DashboardSession, SignInAttempt

SESSION_LIFETIME = timedelta(hours=12)
FAILURE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_EMAIL = 5
MAX_FAILURES_PER_ADDRESS = 20
SIGN_UP_WINDOW = timedelta(hours=1)
MAX_SIGN_UPS_PER_ADDRESS = 10
SIGN_IN, SIGN_UP = "sign_in", "sign_up"
SEAL_MAX = 64  # bytes: one SHA-512 pad


@dataclass(frozen=True)
class Flash:
    """A message for the next page: ``ok``, ``error``, or ``secret`` (a value shown only once)."""

    kind: str
    text: str
    secret: str | None = None
    hints: list[str] = field(default_factory=list)
    sealed: bool = False  # ``secret`` is sealed (``seal``) while it waits in the database


@dataclass(frozen=True)
class Person:
    """Who is signed in: a copy of the account's row, usable after the request's transaction."""

    id: int
    email: str
    role: str

    @classmethod
    def of(cls, account: Account) -> Person:
        return cls(account.id, account.email, account.role)


@dataclass(frozen=True)
class Current:
    """The signed-in person of a request."""

    id_hash: str
    account: Person
    csrf_token: str
    has_flash: bool


@dataclass(frozen=True)
class SignedIn:
    token: str  # for the cookie; never stored
    account: Account


def session_hash(token: str, *, secret_key: str) -> str:
    return keyed_hash(secret_key, "dashboard-session:" + token)


async def current(session: AsyncSession, *, token: str, secret_key: str, now: datetime) -> Current | None:
    found = await repository.live_session(
        session, id_hash=session_hash(token, secret_key=secret_key), now=now
    )
    if found is None:
        return None
    row, account = found
    return Current(row.id_hash, Person.of(account), row.csrf_token, has_flash=bool(row.flash))


async def _start(
    session: AsyncSession, *, account: Account, previous_token: str | None, secret_key: str, now: datetime
) -> SignedIn:
    if previous_token:
        await repository.delete_session(session, id_hash=session_hash(previous_token, secret_key=secret_key))
    await repository.delete_expired_sessions(session, now=now)
    token = secrets.token_urlsafe(32)
    await repository.add_session(
        session,
        DashboardSession(
            id_hash=session_hash(token, secret_key=secret_key),
            account_id=account.id,
            csrf_token=secrets.token_urlsafe(32),
            created_at=now,
            expires_at=now + SESSION_LIFETIME,
        ),
    )
    return SignedIn(token, account)


def _retry_after(oldest: datetime | None, window: timedelta, now: datetime) -> int:
    if oldest is None:
        return 1
    return max(1, math.ceil((oldest + window - now).total_seconds()))


@dataclass
class TooManyAttempts(RateLimited):
    """429 with the seconds until the oldest counted attempt leaves the window (``Retry-After``)."""

    retry_after: int = 60


async def _check_limit(
    session: AsyncSession,
    *,
    kind: str,
    limits: list[tuple[dict[str, str], int]],
    window: timedelta,
    now: datetime,
) -> None:
    for where, limit in limits:
        count, oldest = await repository.attempts_since(session, kind=kind, since=now - window, **where)
        if count >= limit:
            seconds = _retry_after(oldest, window, now)
            raise TooManyAttempts(
                message="Too many attempts. Wait a while and try again.",
                hints=[f"Try again in {math.ceil(seconds / 60)} minutes."],
                retry_after=seconds,
            )


async def check_sign_in(
    session: AsyncSession, *, email: str, password: str, address: str, passwords: Passwords, now: datetime
) -> Account | None:
    """The account of a right password, or None; ``TooManyAttempts`` before any password is tried.

    Reads only: on SQLite the one writer is not held while argon2 runs. ``record_sign_in`` then
    writes the outcome in a short transaction of its own.
    """
    email = email.strip().lower()[:254]
    limits = [({"email": email}, MAX_FAILURES_PER_EMAIL), ({"ip": address}, MAX_FAILURES_PER_ADDRESS)]
    await _check_limit(session, kind=SIGN_IN, limits=limits, window=FAILURE_WINDOW, now=now)
    return await auth.verify_sign_in(session, email=email, password=password, passwords=passwords)


async def record_sign_in(
    session: AsyncSession,
    *,
    account: Account | None,
    email: str,
    address: str,
    previous_token: str | None,
    secret_key: str,
    now: datetime,
) -> SignedIn | None:
    """A new session after a right password; a wrong one is counted (callers return normally, so
    the count is committed) and gives None."""
    email = email.strip().lower()[:254]
    await repository.delete_attempts_before(session, before=now - max(FAILURE_WINDOW, SIGN_UP_WINDOW))
    if account is None:
        await repository.add_attempt(
            session, SignInAttempt(kind=SIGN_IN, email=email, ip=address, attempted_at=now)
        )
        return None
    await repository.delete_attempts(session, kind=SIGN_IN, email=email)
    return await _start(
        session, account=account, previous_token=previous_token, secret_key=secret_key, now=now
    )


async def sign_up(
    session: AsyncSession,
    *,
    email: str,
    password_hash: str,
    address: str,
    previous_token: str | None,
    secret_key: str,
    now: datetime,
) -> SignedIn:
    """A new shop owner's account, signed in at once; at most a few tries per address an hour.

    Every try counts, the refused ones too (an e-mail that already has an account): otherwise
    sign-up would tell, without limit, which addresses have an account. The attempt is written
    before the account, so a caller that answers an error normally still commits the count.
    """
    await _check_limit(
        session,
        kind=SIGN_UP,
        limits=[({"ip": address}, MAX_SIGN_UPS_PER_ADDRESS)],
        window=SIGN_UP_WINDOW,
        now=now,
    )
    await repository.add_attempt(
        session, SignInAttempt(kind=SIGN_UP, email=email.strip().lower()[:254], ip=address, attempted_at=now)
    )
    account = await auth.create_account(
        session, email=email, password_hash=password_hash, role="owner", now=now
    )
    return await _start(
        session, account=account, previous_token=previous_token, secret_key=secret_key, now=now
    )


async def sign_out(session: AsyncSession, *, id_hash: str) -> None:
    await repository.delete_session(session, id_hash=id_hash)


async def flash(session: AsyncSession, *, id_hash: str, messages: list[Flash]) -> None:
    """Messages for the next page, written in the transaction of the action they report."""
    await repository.set_flash(session, id_hash=id_hash, flash=json.dumps([asdict(m) for m in messages]))


async def take_flash(session: AsyncSession, *, id_hash: str, secret_key: str) -> list[Flash]:
    """The waiting messages, removed as they are read (a one-time secret is shown once)."""
    stored = await repository.flash_of(session, id_hash=id_hash)
    if not stored:
        return []
    await repository.set_flash(session, id_hash=id_hash, flash=None)
    return [_unsealed(Flash(**message), secret_key) for message in json.loads(stored)]


def _unsealed(message: Flash, secret_key: str) -> Flash:
    if not (message.sealed and message.secret):
        return message
    return replace(message, secret=unseal(message.secret, secret_key=secret_key), sealed=False)


def _pad(nonce: bytes, secret_key: str) -> bytes:
    return hmac.new(secret_key.encode(), b"dashboard-flash:" + nonce, hashlib.sha512).digest()


def seal(value: str, *, secret_key: str) -> str:
    """A value that must not lie in the database readable, for the one page that shows it: XORed
    with a pad from the server's secret key and a fresh nonce (a PRF one-time pad). An API client
    secret is stored only as a keyed hash, and its flash on the way to the page must not undo that.
    """
    data = value.encode()
    if len(data) > SEAL_MAX:
        raise ValueError("too long to seal")
    nonce = secrets.token_bytes(16)
    sealed = bytes(a ^ b for a, b in zip(data, _pad(nonce, secret_key), strict=False))
    return base64.urlsafe_b64encode(nonce + sealed).decode()


def unseal(value: str, *, secret_key: str) -> str:
    raw = base64.urlsafe_b64decode(value.encode())
    nonce, sealed = raw[:16], raw[16:]
    return bytes(a ^ b for a, b in zip(sealed, _pad(nonce, secret_key), strict=False)).decode()
