"""SQL for coupons."""

from __future__ import annotations

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


async def delete(session: AsyncSession, coupon: Coupon) -> None:
    await session.delete(coupon)
    await session.flush()
