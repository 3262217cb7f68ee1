"""SQL for the product catalogue."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Text, bindparam, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from printapi.models import Product


async def get(session: AsyncSession, product_id: str) -> Product | None:
    return await session.get(Product, product_id)


async def documents(session: AsyncSession, product_ids: Iterable[str]) -> list[str]:
    """The stored spec documents (JSON text, as stored) of the known products among ``product_ids``."""
    wanted = sorted(set(product_ids))
    if not wanted:
        return []
    return list((await session.execute(_DOCUMENTS, {"ids": wanted})).scalars())


# Built once (every order reads its products): an expanding IN takes the ids at execution.
_DOCUMENTS = select(cast(Product.spec, Text)).where(Product.id.in_(bindparam("ids", expanding=True)))


async def count(session: AsyncSession) -> int:
    return int((await session.execute(select(func.count()).select_from(Product))).scalar_one())


async def page_by_name(session: AsyncSession, *, offset: int, limit: int) -> list[tuple[str, str]]:
    """``(id, name)`` pairs sorted by name ordinally (the C collation on PostgreSQL), then id."""
    rows = await session.execute(
        select(Product.id, Product.name).order_by(Product.name, Product.id).offset(offset).limit(limit)
    )
    return [(row[0], row[1]) for row in rows]


async def all_specs(session: AsyncSession) -> dict[str, dict[str, Any]]:
    rows = await session.execute(select(Product.id, Product.spec))
    return {row[0]: row[1] for row in rows}


async def put(session: AsyncSession, *, product_id: str, name: str, spec: dict[str, Any]) -> None:
    existing = await session.get(Product, product_id)
    if existing is None:
        session.add(Product(id=product_id, name=name, spec=spec))
    else:
        existing.name = name
        existing.spec = spec
    await session.flush()
