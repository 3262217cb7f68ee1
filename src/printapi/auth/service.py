"""Accounts, API clients and OAuth2 client-credentials tokens (spec §1.3, RFC 6749 §4.4).

Tokens are opaque random strings stored as keyed hashes. A verified token is kept for a few
seconds in a per-process cache (``TokenCache``) so that the hot read endpoints do not pay a
database round trip for authentication on every call.
"""

from __future__ import annotations

import re
import secrets
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta

import anyio
from sqlalchemy.ext.asyncio import AsyncSession

from printapi.auth import repository
from printapi.auth.hashing import Passwords, keyed_hash, same_hash
from printapi.auth.principal import Environment, Principal
from printapi.auth.scopes import Scope, format_scopes, parse_scopes, scopes_for_role
from printapi.kit import ids
from printapi.kit.db import Database
from printapi.kit.errors import Conflict, InvalidInput, NotFound, Unauthenticated
from printapi.models import AccessToken, Account, ApiClient

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
ROLES = ("owner", "operator")


class OAuthError(Exception):
    """An RFC 6749 §5.2 error of the token endpoint (its body differs from every other error)."""

    def __init__(self, error: str, description: str, *, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status


@dataclass(frozen=True)
class TokenGrant:
    access_token: str
    expires_in: int
    scope: str


@dataclass(frozen=True)
class NewClient:
    client: ApiClient
    secret: str


def check_email(email: str) -> str:
    email = email.strip()
    if len(email) > 254 or not _EMAIL.match(email):
        raise InvalidInput.on("email", "is not an e-mail address")
    return email


def _check_password(password: str) -> None:
    if len(password) < 8:
        raise InvalidInput.on("password", "must be at least 8 characters")


async def new_password_hash(password: str, *, passwords: Passwords) -> str:
    """The argon2 hash of a new password, made in a worker thread (about 100 ms of CPU would stall
    every other request of the process); call it before the write transaction begins."""
    _check_password(password)
    return await anyio.to_thread.run_sync(passwords.hash, password)


async def create_account(
    session: AsyncSession, *, email: str, password_hash: str | None, role: str = "owner", now: datetime
) -> Account:
    """A new account, with the hash of its password from ``new_password_hash`` (made before the
    transaction begins), or none (it cannot sign in until it has one)."""
    email = check_email(email).lower()
    if role not in ROLES:
        raise InvalidInput.on("role", f"must be one of {', '.join(ROLES)}")
    if await repository.get_account_by_email(session, email):
        raise Conflict(message=f"An account for {email} already exists.")
    account = Account(email=email, password_hash=password_hash, role=role, created_at=now)
    return await repository.add_account(session, account)


async def get_account(session: AsyncSession, *, account_id: int) -> Account:
    account = await repository.get_account(session, account_id)
    if account is None:
        raise NotFound(message=f"No account {account_id}.")
    return account


async def find_account(session: AsyncSession, *, email: str) -> Account:
    account = await repository.get_account_by_email(session, email.strip().lower())
    if account is None:
        raise NotFound(message=f"No account for {email}.")
    return account


async def check_password(
    session: AsyncSession, *, email: str, password: str, passwords: Passwords
) -> Account | None:
    account = await repository.get_account_by_email(session, email.strip().lower())
    if account is None or account.password_hash is None:
        return None
    return account if passwords.verify(account.password_hash, password) else None


async def create_client(
    session: AsyncSession, *, account_email: str, environment: Environment, secret_key: str, now: datetime
) -> NewClient:
    account = await find_account(session, email=account_email)
    secret = ids.client_secret()
    client = ApiClient(
        account_id=account.id,
        environment=environment.value,
        client_id=ids.client_id(environment.value),
        secret_hash=keyed_hash(secret_key, secret),
        created_at=now,
    )
    await repository.add_client(session, client)
    return NewClient(client=client, secret=secret)


async def list_clients(session: AsyncSession, *, account_id: int) -> list[ApiClient]:
    """Every API client of the account, revoked ones included (the dashboard shows when)."""
    return await repository.list_clients(session, account_id)


async def revoke_client(
    session: AsyncSession, *, account_id: int, client_id: str, now: datetime
) -> ApiClient:
    """Revoke one of the account's clients: its tokens stop working at once (``get_live_token``
    checks ``revoked_at``), apart from the few seconds a process may have a token cached."""
    client = await repository.client_of_account(session, account_id=account_id, client_id=client_id)
    if client is None:
        raise NotFound(message=f"No API client {client_id}.")
    if client.revoked_at is None:
        client.revoked_at = now
        await session.flush()
    return client


def _verify(passwords: Passwords, stored: str | None, password: str) -> bool:
    """Always one argon2 verification: against the stored hash, or a stand-in that never matches."""
    matches = passwords.verify(stored or passwords.stand_in, password)
    return matches and stored is not None


async def verify_sign_in(
    session: AsyncSession, *, email: str, password: str, passwords: Passwords
) -> Account | None:
    """``check_password`` for the dashboard: argon2 runs in a worker thread (about 100 ms of CPU
    would stall every other request of the process), and an unknown e-mail costs as much as a
    wrong password, so the answer time does not tell which e-mails have an account."""
    account = await repository.get_account_by_email(session, email.strip().lower())
    stored = account.password_hash if account is not None else None
    return account if await anyio.to_thread.run_sync(_verify, passwords, stored, password) else None


async def client_is_active(session: AsyncSession, *, client_id: str) -> bool:
    return await repository.get_active_client(session, client_id) is not None


async def issue_token(
    session: AsyncSession,
    *,
    client_id: str,
    client_secret: str,
    requested_scope: str | None,
    secret_key: str,
    ttl: timedelta,
    now: datetime,
) -> TokenGrant:
    found = await repository.get_active_client(session, client_id)
    if found is None or not same_hash(found[0].secret_hash, keyed_hash(secret_key, client_secret)):
        raise OAuthError(
            "invalid_client", "Client authentication failed: unknown client or wrong secret.", status=401
        )
    client, account = found
    allowed = scopes_for_role(account.role)
    granted: tuple[Scope, ...] = allowed
    if requested_scope:
        names = requested_scope.split()
        unknown = [name for name in names if name not in {scope.value for scope in allowed}]
        if unknown:
            raise OAuthError("invalid_scope", f"Scope not available to this client: {' '.join(unknown)}.")
        granted = tuple(scope for scope in allowed if scope.value in names)
    token = secrets.token_urlsafe(48)
    await repository.add_token(
        session,
        AccessToken(
            token_hash=keyed_hash(secret_key, token),
            client_pk=client.id,
            account_id=account.id,
            environment=client.environment,
            scopes=format_scopes(granted),
            created_at=now,
            expires_at=now + ttl,
        ),
    )
    # The real service answers 14399 for a four-hour token: the lifetime minus one second.
    return TokenGrant(
        access_token=token, expires_in=int(ttl.total_seconds()) - 1, scope=format_scopes(granted)
    )


class TokenCache:
    """Verified tokens of this process for a few seconds; bounded, oldest evicted first."""

    def __init__(self, *, seconds: float, size: int = 10_000) -> None:
        self._ttl = timedelta(seconds=seconds)
        self._size = size
        self._entries: OrderedDict[str, tuple[Principal, datetime]] = OrderedDict()

    def get(self, token_hash: str, now: datetime) -> Principal | None:
        entry = self._entries.get(token_hash)
        if entry is None:
            return None
        principal, valid_until = entry
        if now >= valid_until:
            del self._entries[token_hash]
            return None
        return principal

    def put(self, token_hash: str, principal: Principal, *, expires_at: datetime, now: datetime) -> None:
        if self._ttl <= timedelta(0):
            return
        self._entries[token_hash] = (principal, min(expires_at, now + self._ttl))
        while len(self._entries) > self._size:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        self._entries.clear()


def bearer_token(header: str | None) -> str:
    """The token of an ``Authorization: Bearer <token>`` header, or ``Unauthenticated``."""
    scheme, _, token = (header or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated(
            message="This endpoint needs an access token: send 'Authorization: Bearer <token>'.",
            hints=["Get a token from POST /v2/oauth with your client id and secret."],
        )
    return token.strip()


async def caller(
    db: Database, cache: TokenCache, *, authorization: str | None, secret_key: str, now: datetime
) -> Principal:
    """The caller of an ``Authorization`` header: from this process's cache, else from the
    database (and then cached); ``Unauthenticated`` without a live token."""
    token = bearer_token(authorization)
    cached = cached_principal(cache, token=token, secret_key=secret_key, now=now)
    if cached is not None:
        return cached
    async with db.read() as session:
        return await authenticate(session, token=token, secret_key=secret_key, now=now, cache=cache)


def cached_principal(cache: TokenCache, *, token: str, secret_key: str, now: datetime) -> Principal | None:
    """The caller from this process's cache, without touching the database."""
    return cache.get(keyed_hash(secret_key, token), now)


async def authenticate(
    session: AsyncSession, *, token: str, secret_key: str, now: datetime, cache: TokenCache
) -> Principal:
    token_hash = keyed_hash(secret_key, token)
    found = await repository.get_live_token(session, token_hash, now)
    if found is None:
        raise Unauthenticated(
            message="The access token is missing, unknown or expired.",
            hints=["Get a new token from POST /v2/oauth with your client id and secret."],
        )
    access, account = found
    principal = Principal(
        account_id=account.id,
        account_email=account.email,
        environment=Environment(access.environment),
        scopes=parse_scopes(access.scopes),
        role=account.role,
        client_pk=access.client_pk,
    )
    cache.put(token_hash, principal, expires_at=access.expires_at, now=now)
    return principal


async def prune_expired_tokens(session: AsyncSession, *, now: datetime) -> int:
    return await repository.delete_expired_tokens(session, now)
