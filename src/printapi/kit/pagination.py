"""Offset/limit paging as the Print API lists do it (``count`` is the total, not the page size)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from printapi.kit.errors import InvalidInput

T = TypeVar("T")


@dataclass(frozen=True)
class PageRequest:
    offset: int
    limit: int

    @classmethod
    def checked(cls, *, offset: int, limit: int, max_limit: int) -> PageRequest:
        if offset < 0:
            raise InvalidInput.on("offset", "must be 0 or more")
        if limit < 1:
            raise InvalidInput.on("limit", "must be 1 or more")
        if limit > max_limit:
            raise InvalidInput.on(
                "limit", f"must be {max_limit} or less", hint=f"Page through the list with limit={max_limit}."
            )
        return cls(offset=offset, limit=limit)


@dataclass(frozen=True)
class Page(Generic[T]):
    count: int
    offset: int
    limit: int
    results: list[T]

    def body(self, present: Callable[[T], Any]) -> dict[str, Any]:
        """The wire shape of a list: ``{count, offset, limit, results}``."""
        return {
            "count": self.count,
            "offset": self.offset,
            "limit": self.limit,
            "results": [present(result) for result in self.results],
        }
