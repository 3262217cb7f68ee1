"""SQL for account settings and the consumer prices of the payment screen."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from printapi.models import Account, CheckoutPrice, Order


async def get(session: AsyncSession, account_id: int) -> Account | None:
    return await session.get(Account, account_id)


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


async def overview(session: AsyncSession) -> list[tuple[Account, int, int, int]]:
    """Every account with its number of live orders, test orders and live orders in production."""
    live = Order.environment == "live"
    query = (
        select(
            Account,
            func.count(Order.pk).filter(live),
            func.count(Order.pk).filter(Order.environment == "test"),
            func.count(Order.pk).filter(live, Order.status == "Processing"),
        )
        .outerjoin(Order, Order.account_id == Account.id)
        .group_by(Account.id)
        .order_by(Account.email)
    )
    return [(row[0], int(row[1]), int(row[2]), int(row[3])) for row in await session.execute(query)]
