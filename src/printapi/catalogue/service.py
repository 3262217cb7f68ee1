"""The product catalogue: read products, and seed the catalogue of spec Appendix A."""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import lru_cache

from sqlalchemy.ext.asyncio import AsyncSession

from printapi.catalogue import repository
from printapi.catalogue.seed_data import catalogue
from printapi.catalogue.spec import ProductSpec
from printapi.kit.errors import NotFound
from printapi.kit.pagination import Page, PageRequest


async def get_product(session: AsyncSession, *, product_id: str) -> ProductSpec:
    product = await repository.get(session, product_id)
    if product is None:
        raise NotFound(
            message=f"Product '{product_id}' does not exist.",
            hints=["GET /v2/products lists the product ids of the catalogue."],
        )
    return ProductSpec.model_validate(product.spec)


async def find_products(session: AsyncSession, *, product_ids: Iterable[str]) -> dict[str, ProductSpec]:
    """The known products among ``product_ids``; callers report the missing ones."""
    specs = [_parsed(document) for document in await repository.documents(session, product_ids)]
    return {spec.id: spec for spec in specs}


@lru_cache(maxsize=1024)
def _parsed(document: str) -> ProductSpec:
    """A stored spec, parsed once per distinct document: every order reads its products, and
    parsing a spec costs more than the rest of the lookup. Keyed by the whole stored text, so a
    seed that changes a product is seen at once; specs are frozen, so sharing them is safe.
    """
    return ProductSpec.model_validate(json.loads(document))


async def list_products(session: AsyncSession, *, page: PageRequest) -> Page[tuple[str, str]]:
    return Page(
        count=await repository.count(session),
        offset=page.offset,
        limit=page.limit,
        results=await repository.page_by_name(session, offset=page.offset, limit=page.limit),
    )


async def seed(session: AsyncSession) -> int:
    """Insert or update every product of the built-in catalogue; returns how many changed."""
    stored = await repository.all_specs(session)
    changed = 0
    for spec in catalogue():
        document = spec.model_dump(mode="json")
        if stored.get(spec.id) != document:
            await repository.put(session, product_id=spec.id, name=spec.name, spec=document)
            changed += 1
    return changed
