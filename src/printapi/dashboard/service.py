"""Signing people in and out of the dashboard: sessions, the sign-in rate limit, flash messages.

A session is a random token in an HttpOnly cookie; the database keeps only its keyed hash, the
account, a CSRF token and the expiry. Signing in always starts a new session (the old one of that
browser is deleted), so a session id planted before sign-in is worth nothing after it.

Failed sign-ins are rows, counted per e-mail and per client address over a window, so every
process of a deployment sees the same count and a restart forgets nothing. Under concurrent
attempts on PostgreSQL a few more than the limit may get through; the limit is about guessing
at scale, not about the exact count.

A flash message is stored in the session row until the next page shows it; one that carries a
new client secret carries it sealed (``seal``: Fernet, under a key derived from the secret key).
"""

from __future__ import annotations

import base64
import json
import math
import secrets
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
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
# A new client secret waits, sealed, for the page after the redirect: seconds, unless the
# browser never follows it. Past this it is not shown (the credentials can be revoked).
SEAL_TTL = timedelta(minutes=10)
SEAL_INFO = b"printapi dashboard flash"
UNSEALABLE = (
    "A new client secret could not be shown: it waited too long, or the server's key changed. "
    "Revoke the newest credentials and create others."
)


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


async def take_flash(session: AsyncSession, *, id_hash: str, secret_key: str, now: datetime) -> list[Flash]:
    """The waiting messages, removed as they are read (a one-time secret is shown once)."""
    stored = await repository.flash_of(session, id_hash=id_hash)
    if not stored:
        return []
    await repository.set_flash(session, id_hash=id_hash, flash=None)
    return [_unsealed(Flash(**message), secret_key, now) for message in json.loads(stored)]


def _unsealed(message: Flash, secret_key: str, now: datetime) -> Flash:
    if not (message.sealed and message.secret):
        return message
    try:
        return replace(message, secret=unseal(message.secret, secret_key=secret_key, now=now), sealed=False)
    except Unsealable:
        return Flash("error", UNSEALABLE)


class Unsealable(Exception):
    """A sealed value that was changed, sealed under another key, or waited too long."""


@lru_cache(maxsize=4)
def _sealer(secret_key: str) -> Fernet:
    """Fernet under a key of its own, derived from the server's secret key (HKDF-SHA256, 32 bytes:
    Fernet's signing and encryption keys), so no other use of the secret key shares it."""
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=SEAL_INFO).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def seal(value: str, *, secret_key: str, now: datetime) -> str:
    """A value that must not lie in the database readable, for the one page that shows it:
    encrypted and authenticated (Fernet: AES-128-CBC with HMAC-SHA256). An API client secret is
    stored only as a keyed hash, and its flash on the way to the page must not undo that."""
    return _sealer(secret_key).encrypt_at_time(value.encode(), int(now.timestamp())).decode()


def unseal(value: str, *, secret_key: str, now: datetime) -> str:
    """The sealed value; ``Unsealable`` when it was changed, was sealed under another key, or
    was sealed longer than ``SEAL_TTL`` ago."""
    try:
        plain = _sealer(secret_key).decrypt_at_time(
            value.encode(), ttl=int(SEAL_TTL.total_seconds()), current_time=int(now.timestamp())
        )
    except InvalidToken as exc:
        raise Unsealable from exc
    return plain.decode()
