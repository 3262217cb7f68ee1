"""SQL for print files: upload slots, the download queue, outcomes, stored files."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from printapi.kit.claim import Queue, claim_due, still_leased
from printapi.models import ItemFile, Order, OrderItem
from printapi.orders.states import FileStatus, OrderStatus, file_sources

# The statuses of the state machine (orders/states.py) that its moves are guarded by.
DOWNLOADS = Queue(
    ItemFile,
    pending=tuple(sorted(file_sources(FileStatus.DOWNLOAD_IN_PROGRESS))),
    in_flight=FileStatus.DOWNLOAD_IN_PROGRESS,
)
# An upload fills a slot that waits for one, or replaces a download that failed for good; a
# download in flight is its worker's to accept.
UPLOADABLE = tuple(sorted(file_sources(FileStatus.ACCEPTED) - {FileStatus.DOWNLOAD_IN_PROGRESS}))


@dataclass(frozen=True)
class Slot:
    """A file with the item and order it belongs to."""

    file: ItemFile
    item: OrderItem
    order: Order


def _slot_query() -> Any:
    return (
        select(ItemFile, OrderItem, Order)
        .join(OrderItem, OrderItem.pk == ItemFile.item_pk)
        .join(Order, Order.pk == ItemFile.order_pk)
    )


async def upload_slot(session: AsyncSession, *, code: str, account_id: int, environment: str) -> Slot | None:
    row = (
        await session.execute(
            _slot_query().where(
                ItemFile.upload_code == code, Order.account_id == account_id, Order.environment == environment
            )
        )
    ).one_or_none()
    return Slot(row[0], row[1], row[2]) if row else None


async def stored_file(
    session: AsyncSession, *, account_id: int, environment: str | None, order_id: str, item_id: str, kind: str
) -> Slot | None:
    query = _slot_query().where(
        Order.account_id == account_id, Order.id == order_id, OrderItem.id == item_id, ItemFile.kind == kind
    )
    if environment is not None:
        query = query.where(Order.environment == environment)
    row = (await session.execute(query)).one_or_none()
    return Slot(row[0], row[1], row[2]) if row else None


async def accept(
    session: AsyncSession, *, file_pk: int, guard: Any, values: dict[str, Any], now: datetime
) -> bool:
    """Compare-and-set to Accepted under ``guard`` (the expected status, or the download lease)."""
    result = await session.execute(
        update(ItemFile)
        .where(ItemFile.pk == file_pk, guard)
        .values(
            status=FileStatus.ACCEPTED,
            accepted_at=now,
            updated_at=now,
            locked_until=None,
            locked_by=None,
            **values,
        )
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]  # CursorResult of a DML statement


async def note_rejected_upload(
    session: AsyncSession, *, file_pk: int, findings: list[dict[str, Any]], now: datetime
) -> None:
    """A refused upload leaves the slot waiting, with what was wrong for the owner to see."""
    await session.execute(
        update(ItemFile)
        .where(
            ItemFile.pk == file_pk,
            ItemFile.status.in_(UPLOADABLE),
        )
        .values(findings=findings, updated_at=now)
        .execution_options(synchronize_session=False)
    )


async def statuses_of_order(session: AsyncSession, *, order_pk: int) -> list[str]:
    return list(
        (await session.execute(select(ItemFile.status).where(ItemFile.order_pk == order_pk))).scalars()
    )


async def cancel_waiting(session: AsyncSession, *, order_pk: int, now: datetime) -> None:
    """The order's files that may still be cancelled (every one not yet accepted) stop waiting."""
    await session.execute(
        update(ItemFile)
        .where(ItemFile.order_pk == order_pk, ItemFile.status.in_(sorted(file_sources(FileStatus.CANCELLED))))
        .values(status=FileStatus.CANCELLED, updated_at=now)
        .execution_options(synchronize_session=False)
    )


# -- the download queue ------------------------------------------------------------------------


async def claim_downloads(
    session: AsyncSession, *, now: datetime, worker: str, lease: timedelta, limit: int
) -> list[Slot]:
    keys = await claim_due(session, DOWNLOADS, now=now, worker=worker, lease=lease, limit=limit)
    if not keys:
        return []
    rows = await session.execute(_slot_query().where(ItemFile.pk.in_(keys)).order_by(ItemFile.pk))
    return [Slot(row[0], row[1], row[2]) for row in rows]


def leased_by(file: ItemFile, worker: str) -> Any:
    return still_leased(DOWNLOADS, key=file.pk, worker=worker, attempts=file.attempts)


async def download_failed(
    session: AsyncSession,
    *,
    file: ItemFile,
    worker: str,
    retry_at: datetime | None,
    error: str,
    findings: list[dict[str, Any]] | None,
    now: datetime,
) -> bool:
    """Retry later (``DownloadRetryPending``) or give up (``DownloadFailed``); False if the lease was lost."""
    values: dict[str, Any] = {
        "status": FileStatus.DOWNLOAD_RETRY_PENDING if retry_at else FileStatus.DOWNLOAD_FAILED,
        "next_attempt_at": retry_at,
        "locked_until": None,
        "locked_by": None,
        "last_error": error[:300],
        "updated_at": now,
    }
    if findings is not None:
        values["findings"] = findings
    result = await session.execute(
        update(ItemFile)
        .where(leased_by(file, worker))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]  # CursorResult of a DML statement


# -- retention ---------------------------------------------------------------------------------


async def stored_files_of_cancelled_orders(
    session: AsyncSession, *, before: datetime, limit: int
) -> list[ItemFile]:
    query = (
        select(ItemFile)
        .join(Order, Order.pk == ItemFile.order_pk)
        .where(
            Order.status == OrderStatus.CANCELLED,
            Order.status_changed_at < before,
            ItemFile.storage_key.is_not(None),
        )
        .limit(limit)
    )
    return list((await session.execute(query)).scalars())


async def forget_stored(session: AsyncSession, *, file_pks: Sequence[int]) -> None:
    await session.execute(
        update(ItemFile)
        .where(ItemFile.pk.in_(file_pks))
        .values(storage_key=None)
        .execution_options(synchronize_session=False)
    )


async def stored_keys(session: AsyncSession, *, after_pk: int, limit: int) -> list[tuple[int, str]]:
    """The keys of stored files in primary-key order, ``limit`` at a time after ``after_pk``."""
    query = (
        select(ItemFile.pk, ItemFile.storage_key)
        .where(ItemFile.pk > after_pk, ItemFile.storage_key.is_not(None))
        .order_by(ItemFile.pk)
        .limit(limit)
    )
    return [(pk, key) for pk, key in (await session.execute(query)).all() if key is not None]
