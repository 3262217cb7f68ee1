"""SQL for dashboard sessions and sign-in attempts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from printapi.models import Account, DashboardSession, SignInAttempt


async def add_session(session: AsyncSession, row: DashboardSession) -> None:
    session.add(row)
    await session.flush()


async def live_session(
    session: AsyncSession, *, id_hash: str, now: datetime
) -> tuple[DashboardSession, Account] | None:
    """The unexpired session with this hash and its account."""
    row = (
        await session.execute(
            select(DashboardSession, Account)
            .join(Account, Account.id == DashboardSession.account_id)
            .where(DashboardSession.id_hash == id_hash, DashboardSession.expires_at > now)
        )
    ).one_or_none()
    return (row[0], row[1]) if row else None


async def delete_session(session: AsyncSession, *, id_hash: str) -> None:
    await session.execute(delete(DashboardSession).where(DashboardSession.id_hash == id_hash))


async def delete_expired_sessions(session: AsyncSession, *, now: datetime) -> None:
    await session.execute(delete(DashboardSession).where(DashboardSession.expires_at <= now))


async def set_flash(session: AsyncSession, *, id_hash: str, flash: str | None) -> None:
    await session.execute(
        update(DashboardSession)
        .where(DashboardSession.id_hash == id_hash)
        .values(flash=flash)
        .execution_options(synchronize_session=False)
    )


async def flash_of(session: AsyncSession, *, id_hash: str) -> str | None:
    query = select(DashboardSession.flash).where(DashboardSession.id_hash == id_hash)
    return (await session.execute(query)).scalar_one_or_none()


async def add_attempt(session: AsyncSession, attempt: SignInAttempt) -> None:
    session.add(attempt)
    await session.flush()


async def attempts_since(
    session: AsyncSession, *, kind: str, email: str | None = None, ip: str | None = None, since: datetime
) -> tuple[int, datetime | None]:
    """How many attempts of ``kind`` from this e-mail (or address) since ``since``, and the oldest."""
    query = select(func.count(), func.min(SignInAttempt.attempted_at)).where(
        SignInAttempt.kind == kind, SignInAttempt.attempted_at > since
    )
    if email is not None:
        query = query.where(SignInAttempt.email == email)
    if ip is not None:
        query = query.where(SignInAttempt.ip == ip)
    count, oldest = (await session.execute(query)).one()
    return int(count), oldest


async def delete_attempts(session: AsyncSession, *, kind: str, email: str) -> None:
    await session.execute(
        delete(SignInAttempt).where(SignInAttempt.kind == kind, SignInAttempt.email == email)
    )


async def delete_attempts_before(session: AsyncSession, *, before: datetime) -> None:
    await session.execute(delete(SignInAttempt).where(SignInAttempt.attempted_at < before))
