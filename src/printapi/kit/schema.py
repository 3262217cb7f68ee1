"""Base classes of the wire's bodies: requests (``WireModel``) and responses (``WireOut``).

Request bodies are validated after ``json.loads``, where pydantic's lax mode would turn
``false`` into 0 and ``"3"`` into 3; the API types use the strict annotations instead.

A response model is the one description of its body: the OpenAPI document is generated from it,
and the answer is built from it and written by ``kit.wire``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Self, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, WithJsonSchema, field_validator
from pydantic.alias_generators import to_camel

from printapi.kit.errors import ApiError
from printapi.kit.pagination import Page
from printapi.kit.wire import plain_decimal

T = TypeVar("T")


class WireModel(BaseModel):
    """A request body: camelCase names, unknown members ignored (as the real service does)."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore", frozen=True)

    @field_validator("*")
    @classmethod
    def _no_nul(cls, value: object) -> object:
        # PostgreSQL text cannot hold NUL; no field of the API has a use for it.
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("must not contain NUL characters")
        return value


class WireOut(BaseModel):
    """A response body: its fields in the order the real service writes the members, camelCase on
    the wire. ``kit.wire`` leaves out every member that is None (the real service writes no nulls,
    spec §1.2), so an optional member is typed ``X | None = None``.

    A body builds itself from the domain's objects with its ``of`` classmethod. The members of its
    nested models are given as dicts keyed by field name and validated with it in one pass: a
    model built per nested object made the order read half as slow again.
    """

    model_config = ConfigDict(
        alias_generator=to_camel, validate_by_name=True, serialize_by_alias=True, frozen=True
    )


# The members of a nested response model, keyed by field name (see WireOut).
Members = dict[str, Any]
# A Decimal is written as a JSON number with its scale (2.95, 0.40, 0.0): documented as a number.
# Every Decimal of a response model is a Number (tests/unit/test_wire_format.py checks it).
Number = Annotated[Decimal, AfterValidator(plain_decimal), WithJsonSchema({"type": "number"})]
# A moment is written as local time without an offset (2025-03-29T21:40:20.004491): a string.
LocalDateTime = Annotated[datetime, WithJsonSchema({"type": "string"})]


class PageOut(WireOut):
    """A page of a list, ``{count, offset, limit, results}``; subclasses type ``results``."""

    count: int
    offset: int
    limit: int

    @classmethod
    def of(cls, page: Page[T], present: Callable[[T], Any]) -> Self:
        return cls.model_validate(page.body(present))


class ErrorField(WireOut):
    field: str
    message: str


class ErrorOut(WireOut):
    """The body of every error but the token endpoint's."""

    message: str
    hints: list[str]
    errors: list[ErrorField]

    @classmethod
    def of(cls, error: ApiError) -> Self:
        return cls.model_validate(error.body())
