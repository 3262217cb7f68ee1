"""All SQL of the ``idempotency_keys`` table.

Every write after the first insert is a compare-and-set on the run's ``claim`` token (and the
status table's guard), so a run that lost its key to another cannot record or release it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from printapi.idempotency.states import KeyStatus, sources
from printapi.models import IdempotencyKey


def _changed(result: Any) -> int:
    return int(result.rowcount or 0)


async def insert_claim(
    session: AsyncSession,
    *,
    client_pk: int,
    key: str,
    fingerprint: str,
    claim: str,
    locked_until: datetime,
    now: datetime,
    expires_at: datetime,
) -> bool:
    """A new running row; False when the client holds the key already (its row is left alone).

    On PostgreSQL an insert that meets another transaction's uncommitted row waits for it; the
    claims commit at once (``service.claim``), so that wait is one short transaction, never a
    request.
    """
    upsert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = (
        upsert(IdempotencyKey)
        .values(
            client_pk=client_pk,
            key=key,
            fingerprint=fingerprint,
            status=KeyStatus.RUNNING,
            claim=claim,
            locked_until=locked_until,
            created_at=now,
            expires_at=expires_at,
        )
        .on_conflict_do_nothing(index_elements=["client_pk", "key"])
    )
    return _changed(await session.execute(statement)) == 1


async def get_for_update(session: AsyncSession, *, client_pk: int, key: str) -> IdempotencyKey | None:
    """The client's row of ``key``, locked until the transaction ends (PostgreSQL; SQLite's writer
    is alone anyway)."""
    statement = (
        select(IdempotencyKey)
        .where(IdempotencyKey.client_pk == client_pk, IdempotencyKey.key == key)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    found: IdempotencyKey | None = (await session.execute(statement)).scalar_one_or_none()
    return found


async def take_over(
    session: AsyncSession,
    *,
    pk: int,
    previous_claim: str,
    fingerprint: str,
    claim: str,
    locked_until: datetime,
    now: datetime,
    expires_at: datetime,
) -> bool:
    """The row starts again as this run's: an expired key, or a running one whose lease ran out."""
    statement = (
        update(IdempotencyKey)
        .where(IdempotencyKey.pk == pk, IdempotencyKey.claim == previous_claim)
        .values(
            fingerprint=fingerprint,
            status=KeyStatus.RUNNING,
            claim=claim,
            locked_until=locked_until,
            created_at=now,
            expires_at=expires_at,
            response_status=None,
            response_headers=None,
            response_body=None,
        )
    )
    return _changed(await session.execute(statement)) == 1


async def record(
    session: AsyncSession,
    *,
    pk: int,
    claim: str,
    status: int,
    headers: list[list[str]],
    body: bytes,
) -> bool:
    """The run's answer on its key (running → done); False when the run no longer holds the key."""
    statement = (
        update(IdempotencyKey)
        .where(
            IdempotencyKey.pk == pk,
            IdempotencyKey.claim == claim,
            IdempotencyKey.status.in_(sources(KeyStatus.DONE)),
        )
        .values(status=KeyStatus.DONE, response_status=status, response_headers=headers, response_body=body)
    )
    return _changed(await session.execute(statement)) == 1


async def release(session: AsyncSession, *, pk: int, claim: str) -> bool:
    """The run's running key is deleted, so that a retry runs anew."""
    statement = delete(IdempotencyKey).where(
        IdempotencyKey.pk == pk, IdempotencyKey.claim == claim, IdempotencyKey.status == KeyStatus.RUNNING
    )
    return _changed(await session.execute(statement)) == 1


async def delete_expired(session: AsyncSession, *, now: datetime) -> int:
    result = await session.execute(delete(IdempotencyKey).where(IdempotencyKey.expires_at <= now))
    return _changed(result)
