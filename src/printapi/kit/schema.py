"""Base classes for request models: camelCase on the wire, strict where the wire is typed.

Request bodies are validated after ``json.loads``, where pydantic's lax mode would turn
``false`` into 0 and ``"3"`` into 3; the API types use the strict annotations below instead.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


class WireModel(BaseModel):
    """A request body: camelCase names, unknown members ignored (as the real service does)."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore", frozen=True)
