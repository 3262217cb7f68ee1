"""Print files in: raw or multipart uploads to an item file's ``uploadUrl`` (spec §3.11).

An upload is streamed to storage, checked by preflight in a separate process, and then
accepted in one short transaction, with what that causes (``FileAccepted``: the order may move
to Processing). Nothing is held in a transaction while bytes arrive or while preflight runs, so
a slow client blocks nobody.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import AsyncIterable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from printapi.auth.principal import Principal
from printapi.catalogue import service as catalogue
from printapi.files import repository
from printapi.files.events import FileAccepted
from printapi.files.preflight import Expectation, Result, run_preflight
from printapi.files.repository import UPLOADABLE, Slot
from printapi.kit.db import Database
from printapi.kit.errors import (
    FieldError,
    Forbidden,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    ServiceUnavailable,
)
from printapi.kit.events import Effects
from printapi.kit.logging import get_logger
from printapi.kit.storage import FileStorage, StorageUnavailable, TooLarge
from printapi.models import ItemFile
from printapi.orders import service as orders
from printapi.orders.states import FileStatus, OrderStatus

MEDIA_TYPES = {"application/pdf": "PDF", "image/png": "PNG", "image/jpeg": "JPEG"}
MEDIA_OF = {name: media for media, name in MEDIA_TYPES.items()}  # a stored file's type, served
EXTENSIONS = {"PDF": "pdf", "PNG": "png", "JPEG": "jpg"}

log = get_logger("printapi.files")


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    preflight_seconds: float
    preflight_memory_mb: int


@dataclass(frozen=True)
class Uploaded:
    file_name: str  # the slot: content | cover
    file_type: str


async def expectation_for(session: AsyncSession, slot: Slot) -> Expectation:
    """What the product wants of this file: size incl. bleed (a cover grows with the spine), pages."""
    spec = await catalogue.get_product(session, product_id=slot.item.product_id)
    file_spec = spec.file(slot.file.kind)
    if file_spec is None:
        raise NotFound(message=f"{slot.item.product_id} has no {slot.file.kind} file.")
    width = file_spec.width
    if slot.file.kind == "cover":
        width = spec.cover_width(slot.item.page_count) or width
        pages = file_spec.pages or 1
    else:
        pages = slot.item.page_count
    return Expectation(
        file_id=slot.file.kind,
        accepts=tuple(file_spec.accepts),
        width_mm=width,
        height_mm=file_spec.height,
        bleed_mm=file_spec.bleed,
        pages=pages,
    )


def storage_key(file: ItemFile, file_type: str | None) -> str:
    extension = EXTENSIONS.get(file_type or "", "bin")
    return f"{file.order_pk}/{file.pk}-{file.kind}-{secrets.token_hex(4)}.{extension}"


def download_name(name: str, file_type: str | None) -> str:
    """The name a stored file is downloaded under: safe in a header (order ids may hold quotes),
    with its type's extension."""
    return f"{re.sub(r'[^A-Za-z0-9._-]', '_', name)}.{EXTENSIONS.get(file_type or '', 'bin')}"


def findings_of(result: Result) -> list[dict[str, Any]]:
    return [finding.as_dict() for finding in result.findings]


def refusal(result: Result) -> InvalidInput:
    """A 400 that lists every error of preflight, one per entry of ``errors``."""
    errors = [
        FieldError("file" if finding.page is None else f"file.page[{finding.page}]", finding.message)
        for finding in result.findings
        if finding.severity == "error"
    ]
    return InvalidInput(
        message=f"The file does not meet the product's specification: {errors[0].message}",
        hints=["Every problem preflight found is listed in errors; the file was not accepted."],
        errors=errors,
    )


async def _open_slot(session: AsyncSession, *, principal: Principal, code: str) -> tuple[Slot, Expectation]:
    slot = await repository.upload_slot(
        session, code=code, account_id=principal.account_id, environment=principal.environment
    )
    if slot is None:
        raise NotFound(
            message=f"There is no upload at code '{code}'.", hints=["Use the uploadUrl of the order."]
        )
    if slot.order.status != OrderStatus.CREATED:
        raise Forbidden(message=f"Order '{slot.order.id}' is {slot.order.status}: it takes no more files.")
    if slot.file.status not in UPLOADABLE:
        raise Forbidden(message=f"The {slot.file.kind} file of this item is {slot.file.status} already.")
    return slot, await expectation_for(session, slot)


async def upload(
    *,
    db: Database,
    storage: FileStorage,
    principal: Principal,
    code: str,
    declared_type: str,
    body: AsyncIterable[bytes],
    limits: Limits,
    now: datetime,
    effects: Effects,
) -> Uploaded:
    """Receive, check and accept one upload; raises the documented errors, stores nothing on failure.

    The acceptance's transaction is this function's, so it writes what that causes: ``effects``.
    """
    async with db.read() as session:
        slot, expectation = await _open_slot(session, principal=principal, code=code)
    key = storage_key(slot.file, declared_type)
    try:
        size = await storage.write(key, body, max_bytes=limits.max_bytes)
    except TooLarge as exc:
        raise PayloadTooLarge(message=f"The file is larger than {limits.max_bytes} bytes.") from exc
    except StorageUnavailable as exc:
        raise store_unavailable(exc, key=key) from exc
    try:
        result = await preflight_stored(
            storage,
            key,
            expectation,
            declared_type=declared_type,
            timeout_seconds=limits.preflight_seconds,
            memory_mb=limits.preflight_memory_mb,
        )
        if not result.ok:
            async with db.write() as session:
                await repository.note_rejected_upload(
                    session, file_pk=slot.file.pk, findings=findings_of(result), now=now
                )
            raise refusal(result)
        async with db.write() as session:
            await effects(
                session, await _accept_upload(session, slot=slot, key=key, size=size, result=result, now=now)
            )
    except BaseException:
        await discard(storage, key)
        raise
    return Uploaded(file_name=slot.file.kind, file_type=result.file_type or declared_type)


async def preflight_stored(
    storage: FileStorage,
    key: str,
    expectation: Expectation,
    *,
    declared_type: str | None,
    timeout_seconds: float,
    memory_mb: int,
) -> Result:
    """Preflight of a stored file, on a local copy when the store is elsewhere; a store that cannot
    lend it is ``ServiceUnavailable``."""
    try:
        async with storage.local_copy(key) as path:
            return await run_preflight(
                path,
                expectation,
                declared_type=declared_type,
                timeout_seconds=timeout_seconds,
                memory_mb=memory_mb,
            )
    except StorageUnavailable as exc:
        raise store_unavailable(exc, key=key) from exc


def store_unavailable(exc: StorageUnavailable, *, key: str) -> ServiceUnavailable:
    """The 503 of an upload the store could not take or lend back. What went wrong is logged for the
    operator (and shown by /readyz), not told to the client: it names the store's address."""
    log.warning("file store unavailable", key=key, error=str(exc))
    return ServiceUnavailable(
        message="The file store is unavailable; the file was not stored.",
        hints=["Upload the file again in a few minutes; the slot still waits for it."],
    )


async def discard(storage: FileStorage, key: str) -> None:
    """Delete a file that will not be accepted; a store that is down keeps it (logged), and the
    failure that brought us here stays the one reported."""
    try:
        await storage.delete(key)
    except StorageUnavailable as exc:
        log.warning("could not delete a file that was not accepted", key=key, error=str(exc))


async def _accept_upload(
    session: AsyncSession, *, slot: Slot, key: str, size: int, result: Result, now: datetime
) -> FileAccepted:
    order = await orders.lock(session, order_pk=slot.order.pk)  # the order's row first, as every path
    if order.status != OrderStatus.CREATED:
        raise Forbidden(message=f"Order '{order.id}' became {order.status} during the upload.")
    accepted = await accept(
        session, slot=slot, guard=ItemFile.status.in_(UPLOADABLE), key=key, size=size, result=result, now=now
    )
    if accepted is None:
        raise Forbidden(message=f"The {slot.file.kind} file of this item was accepted meanwhile.")
    return accepted


async def accept(
    session: AsyncSession, *, slot: Slot, guard: Any, key: str, size: int, result: Result, now: datetime
) -> FileAccepted | None:
    """A checked file stored under ``key`` becomes Accepted, if ``guard`` still holds (the statuses
    an upload may fill, or the download's lease); the caller has locked its order."""
    accepted = await repository.accept(
        session,
        file_pk=slot.file.pk,
        guard=guard,
        values={
            "storage_key": key,
            "size_bytes": size,
            "file_type": result.file_type,
            "findings": findings_of(result),
        },
        now=now,
    )
    return FileAccepted(order_pk=slot.order.pk, file_pk=slot.file.pk, now=now) if accepted else None


async def cancel_waiting(session: AsyncSession, *, order_pk: int, now: datetime) -> None:
    """The files of a cancelled order that were still waiting become Cancelled."""
    await repository.cancel_waiting(session, order_pk=order_pk, now=now)


async def all_accepted(session: AsyncSession, *, order_pk: int) -> bool:
    """Whether the order has files and every one is Accepted (as the database has them now)."""
    statuses = await repository.statuses_of_order(session, order_pk=order_pk)
    return bool(statuses) and all(status == FileStatus.ACCEPTED for status in statuses)


async def stored(
    session: AsyncSession, *, account_id: int, environment: str | None, order_id: str, item_id: str, kind: str
) -> ItemFile:
    """A stored print file of an order, for its owner or an operator."""
    slot = await repository.stored_file(
        session, account_id=account_id, environment=environment, order_id=order_id, item_id=item_id, kind=kind
    )
    if slot is None or slot.file.storage_key is None:
        raise NotFound(message=f"No stored {kind} file for item '{item_id}' of order '{order_id}'.")
    return slot.file


@dataclass
class Migration:
    """How far a copy of the stored files from one store to another has come."""

    dry_run: bool
    seen: int = 0  # stored files the database names, so far
    copied: int = 0  # (with dry_run: would be copied)
    copied_bytes: int = 0
    present: int = 0  # in the target already, with the same size: skipped
    missing: list[str] = field(default_factory=list)  # named by the database, not in the source

    def line(self) -> str:
        verb = "would copy" if self.dry_run else "copied"
        gib = self.copied_bytes / 1024**3
        return (
            f"{self.seen} files: {verb} {self.copied} ({gib:.2f} GiB), {self.present} in the store "
            f"already, {len(self.missing)} missing from the source"
        )


async def migrate_storage(
    *,
    db: Database,
    source: FileStorage,
    target: FileStorage,
    dry_run: bool,
    progress: Callable[[Migration], None] = lambda _: None,
    batch: int = 500,
) -> Migration:
    """Copy every stored print file the database names from ``source`` to ``target`` under the same
    key, so the database stays as it is. A file already in the target with the same size is
    skipped: run it again after an interruption and it goes on where it stopped (a write that was
    interrupted left nothing behind). ``progress`` hears after every file."""
    done = Migration(dry_run=dry_run)
    after = 0
    while True:
        async with db.read() as session:
            keys = await repository.stored_keys(session, after_pk=after, limit=batch)
        if not keys:
            return done
        for after, key in keys:  # noqa: B007 - the last pk is where the next batch starts
            done.seen += 1
            size = await source.size(key)
            if size is None:
                done.missing.append(key)
            elif await target.size(key) == size:
                done.present += 1
            else:
                if not dry_run:
                    await target.write(key, source.read(key), max_bytes=size)
                done.copied += 1
                done.copied_bytes += size
            progress(done)
