"""Base classes for request models: camelCase on the wire, strict where the wire is typed.

Request bodies are validated after ``json.loads``, where pydantic's lax mode would turn
``false`` into 0 and ``"3"`` into 3; the API types use the strict annotations below instead.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, WithJsonSchema, field_validator
from pydantic.alias_generators import to_camel


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


# A Decimal the wire writes as a JSON number with its scale (2.95, 0.40): documented as a number.
Number = Annotated[Decimal, WithJsonSchema({"type": "number"})]


class ErrorField(BaseModel):
    field: str
    message: str


class ErrorOut(BaseModel):
    """The body of every error but the token endpoint's."""

    message: str
    hints: list[str]
    errors: list[ErrorField]
