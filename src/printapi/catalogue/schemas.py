"""Response shapes of the catalogue for the OpenAPI document (spec §3.7)."""

from __future__ import annotations

from pydantic import BaseModel

from printapi.catalogue.spec import FileType, ProductionSpeed
from printapi.kit.schema import Number

# ruff: noqa: N815 - members carry the wire's camelCase names


class PriceOut(BaseModel):
    base: Number
    perExtraPage: Number


class ChoiceOut(BaseModel):
    value: str
    name: str
    cost: PriceOut
    checkout: PriceOut | None = None


class ProductOptionOut(BaseModel):
    id: str
    default: str
    label: str
    choices: list[ChoiceOut]


class FileSpecOut(BaseModel):
    id: str
    height: Number
    width: Number
    bleed: Number
    accepts: list[FileType]


class ProductionTimeOut(BaseModel):
    speed: ProductionSpeed
    days: int
    limitHour: int


class ProductOut(BaseModel):
    """Costs are purchase prices excl. VAT; file sizes are millimetres including bleed."""

    id: str
    name: str
    category: str
    taxRate: Number
    cost: PriceOut
    checkout: PriceOut | None = None
    minQuantity: int
    maxQuantity: int
    hasVariablePageCount: bool
    fixedPageCount: int | None = None
    minPageCount: int | None = None
    maxPageCount: int | None = None
    pageCountIncrement: int | None = None
    paperThickness: Number | None = None
    options: list[ProductOptionOut]
    files: list[FileSpecOut]
    productionTimeInDays: int
    productionTimes: list[ProductionTimeOut]


class ProductEntryOut(BaseModel):
    id: str
    name: str
    url: str


class ProductListOut(BaseModel):
    count: int
    offset: int
    limit: int
    results: list[ProductEntryOut]
