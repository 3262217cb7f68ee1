"""Events: what a change did, in the past tense (``OrderStatusChanged``, ``PaymentSettled``).

A domain's service returns the events of what it changed and knows nothing of what they cause:
``printapi/effects.py``, above every domain, maps each kind of event to its handlers. Whoever
owns the transaction (a route's ``WriteSession``, a CLI command, a worker job) hands the events
to ``effects.handle`` before it commits, so everything a change causes is written in the
change's transaction. A domain procedure that opens transactions of its own (an upload, a
download) is handed ``effects.handle`` as its ``Effects``.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession


class Event:
    """A fact about a change; each domain's are frozen dataclasses in its ``events.py``."""

    __slots__ = ()


class Effects(Protocol):
    """Writes what ``events`` cause, in ``session``'s transaction (``None``: nothing changed)."""

    async def __call__(self, session: AsyncSession, /, *events: Event | None) -> None: ...
