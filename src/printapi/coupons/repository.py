"""SQL for coupons."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from printapi.models import Coupon


async def by_code(session: AsyncSession, code: str) -> Coupon | None:
    return (await session.execute(select(Coupon).where(Coupon.code == code))).scalar_one_or_none()


async def add(session: AsyncSession, coupon: Coupon) -> Coupon:
    session.add(coupon)
    await session.flush()
    return coupon


async def all_coupons(session: AsyncSession) -> list[Coupon]:
    return list((await session.execute(select(Coupon).order_by(Coupon.code))).scalars())


async def use_once(session: AsyncSession, *, coupon_pk: int) -> bool:
    """Count one use if the limit allows it (compare-and-set, so two orders cannot take the last one)."""
    result = await session.execute(
        update(Coupon)
        .where(Coupon.pk == coupon_pk, (Coupon.usage_limit.is_(None)) | (Coupon.used < Coupon.usage_limit))
        .values(used=Coupon.used + 1)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]  # CursorResult of a DML statement


async def use_if_valid(session: AsyncSession, *, code: str, now: datetime) -> bool:
    """Count one use of the coupon if it exists, has not expired and has uses left, in one
    compare-and-set update (an order stored from a check made a moment before)."""
    result = await session.execute(
        update(Coupon)
        .where(
            Coupon.code == code,
            (Coupon.expires_at.is_(None)) | (Coupon.expires_at > now),
            (Coupon.usage_limit.is_(None)) | (Coupon.used < Coupon.usage_limit),
        )
        .values(used=Coupon.used + 1)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]  # CursorResult of a DML statement


async def give_back_use(session: AsyncSession, *, code: str) -> bool:
    """One use fewer (never below 0): the order that used it was cancelled."""
    result = await session.execute(
        update(Coupon)
        .where(Coupon.code == code, Coupon.used > 0)
        .values(used=Coupon.used - 1)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]  # CursorResult of a DML statement


async def delete(session: AsyncSession, coupon: Coupon) -> None:
    await session.delete(coupon)
    await session.flush()
