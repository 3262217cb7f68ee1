"""SQL for the consumer prices of the payment screen (the account row itself is auth's)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from printapi.models import CheckoutPrice


async def prices_of(
    session: AsyncSession, *, account_id: int, product_ids: Iterable[str]
) -> list[CheckoutPrice]:
    wanted = sorted(set(product_ids))
    if not wanted:
        return []
    query = select(CheckoutPrice).where(
        CheckoutPrice.account_id == account_id, CheckoutPrice.product_id.in_(wanted)
    )
    return list((await session.execute(query)).scalars())


async def all_prices(session: AsyncSession, *, account_id: int) -> list[CheckoutPrice]:
    query = (
        select(CheckoutPrice)
        .where(CheckoutPrice.account_id == account_id)
        .order_by(CheckoutPrice.product_id, CheckoutPrice.option_id, CheckoutPrice.choice)
    )
    return list((await session.execute(query)).scalars())


async def replace_prices(
    session: AsyncSession, *, account_id: int, product_id: str, prices: list[CheckoutPrice]
) -> None:
    await session.execute(
        delete(CheckoutPrice).where(
            CheckoutPrice.account_id == account_id, CheckoutPrice.product_id == product_id
        )
    )
    session.add_all(prices)
    await session.flush()
