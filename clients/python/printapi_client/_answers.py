"""From a generated operation's answer to the value a shop wants: ``ok()`` and the list pages.

Every generated ``sync_detailed``/``asyncio_detailed`` returns a ``Response[ErrorOut | X]``;
``ok()`` gives the ``X`` of a 2xx answer and raises ``ApiError`` for any other, so the type
checker knows ``ok(get_order.sync_detailed(...))`` is an ``OrderOut``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol, TypeVar, cast

from printapi_client.errors import ApiError
from printapi_client.generated.models.error_out import ErrorOut

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)
Item_co = TypeVar("Item_co", covariant=True)


class Answer(Protocol[T_co]):
    """What a generated operation returns (its ``types.Response``), read-only."""

    @property
    def status_code(self) -> int: ...

    @property
    def content(self) -> bytes: ...

    @property
    def headers(self) -> Mapping[str, str]: ...

    @property
    def parsed(self) -> T_co | None: ...


class Page(Protocol[Item_co]):
    """One page of a list operation (``listOrders``, ``listProducts``, a delivery log)."""

    @property
    def count(self) -> int: ...

    @property
    def results(self) -> Sequence[Item_co]: ...


def ok(answer: Answer[T | ErrorOut]) -> T:
    """The parsed body of a 2xx answer (None for one without a body); ``ApiError`` otherwise."""
    if 200 <= answer.status_code < 300:
        return cast("T", answer.parsed)
    raise ApiError.from_answer(answer.status_code, answer.content, answer.headers)


def next_offset(page: Page[object], offset: int) -> int | None:
    """Where the page after ``page`` (asked for at ``offset``) starts, or None after the last one."""
    offset += len(page.results)
    return offset if page.results and offset < page.count else None
