"""SQL for accounts, API clients and access tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from printapi.models import AccessToken, Account, ApiClient


async def get_account_by_email(session: AsyncSession, email: str) -> Account | None:
    return (await session.execute(select(Account).where(Account.email == email))).scalar_one_or_none()


async def get_account(session: AsyncSession, account_id: int) -> Account | None:
    return (await session.execute(_ACCOUNT, {"account_id": account_id})).scalar_one_or_none()


# Built once: ``session.get`` made its cache key anew per call (76 of the 4,428 Python calls
# of an order's placement, bench/hot_path.py).
_ACCOUNT = select(Account).where(Account.id == bindparam("account_id"))


async def add_account(session: AsyncSession, account: Account) -> Account:
    session.add(account)
    await session.flush()
    return account


async def add_client(session: AsyncSession, client: ApiClient) -> ApiClient:
    session.add(client)
    await session.flush()
    return client


async def get_active_client(session: AsyncSession, client_id: str) -> tuple[ApiClient, Account] | None:
    row = (
        await session.execute(
            select(ApiClient, Account)
            .join(Account, Account.id == ApiClient.account_id)
            .where(ApiClient.client_id == client_id, ApiClient.revoked_at.is_(None))
        )
    ).one_or_none()
    return (row[0], row[1]) if row else None


async def list_clients(session: AsyncSession, account_id: int) -> list[ApiClient]:
    result = await session.execute(
        select(ApiClient).where(ApiClient.account_id == account_id).order_by(ApiClient.id)
    )
    return list(result.scalars())


async def client_of_account(session: AsyncSession, *, account_id: int, client_id: str) -> ApiClient | None:
    """One API client, only if it belongs to ``account_id`` (revoked or not)."""
    query = select(ApiClient).where(ApiClient.account_id == account_id, ApiClient.client_id == client_id)
    return (await session.execute(query)).scalar_one_or_none()


async def add_token(session: AsyncSession, token: AccessToken) -> None:
    session.add(token)
    await session.flush()


async def get_live_token(
    session: AsyncSession, token_hash: str, now: datetime
) -> tuple[AccessToken, Account] | None:
    """The token with this hash if it has not expired and its client is not revoked."""
    row = (
        await session.execute(
            select(AccessToken, Account)
            .join(ApiClient, ApiClient.id == AccessToken.client_pk)
            .join(Account, Account.id == AccessToken.account_id)
            .where(
                AccessToken.token_hash == token_hash,
                AccessToken.expires_at > now,
                ApiClient.revoked_at.is_(None),
            )
        )
    ).one_or_none()
    return (row[0], row[1]) if row else None


async def delete_expired_tokens(session: AsyncSession, now: datetime) -> int:
    result = await session.execute(delete(AccessToken).where(AccessToken.expires_at <= now))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]  # CursorResult of a DML statement
