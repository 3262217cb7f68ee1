"""Order and file statuses as data (spec §3.3, §4.1).

::

    Created ──► Processing ──► Shipped
       │            │
       └────────────┴────────► Cancelled

``Shipped`` and ``Cancelled`` are final. Every move goes through ``transition()``; the service
persists it with a compare-and-set update, so two concurrent moves cannot both win.

The files of an order's items have a machine of their own (``FILE_TRANSITIONS``): ``files/``
moves them, every move an update guarded by ``status IN file_sources(target)``. It lives here,
beside the order's, because placing an order creates its files (in their first status) and
``files/`` sits above ``orders/``.
"""

from __future__ import annotations

from enum import StrEnum

from printapi.kit.errors import IllegalTransition


class OrderStatus(StrEnum):
    CREATED = "Created"
    PROCESSING = "Processing"
    SHIPPED = "Shipped"
    CANCELLED = "Cancelled"


TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.CREATED: frozenset({OrderStatus.PROCESSING, OrderStatus.CANCELLED}),
    OrderStatus.PROCESSING: frozenset({OrderStatus.SHIPPED, OrderStatus.CANCELLED}),
    OrderStatus.SHIPPED: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
}


def can_transition(current: OrderStatus, target: OrderStatus) -> bool:
    return target in TRANSITIONS[current]


def transition(current: OrderStatus, target: OrderStatus) -> OrderStatus:
    """The new status, or ``IllegalTransition`` naming what is allowed from ``current``."""
    if can_transition(current, target):
        return target
    allowed = sorted(TRANSITIONS[current])
    return _refuse(current, target, allowed)


def _refuse(current: OrderStatus, target: OrderStatus, allowed: list[OrderStatus]) -> OrderStatus:
    if not allowed:
        hint = f"{current} is final: the order cannot change any more."
    else:
        hint = f"From {current} an order can move to: {', '.join(allowed)}."
    raise IllegalTransition(message=f"An order cannot move from {current} to {target}.", hints=[hint])


class FileStatus(StrEnum):
    """Print file statuses of the real service (the C# client's full enum)."""

    DOWNLOAD_PENDING = "DownloadPending"
    DOWNLOAD_IN_PROGRESS = "DownloadInProgress"
    DOWNLOAD_RETRY_PENDING = "DownloadRetryPending"
    DOWNLOAD_FAILED = "DownloadFailed"
    AWAITING_UPLOAD = "AwaitingUpload"
    UPLOAD_IN_PROGRESS = "UploadInProgress"
    ACCEPTED = "Accepted"
    CANCELLED = "Cancelled"


FILE_TRANSITIONS: dict[FileStatus, frozenset[FileStatus]] = {
    FileStatus.DOWNLOAD_PENDING: frozenset({FileStatus.DOWNLOAD_IN_PROGRESS, FileStatus.CANCELLED}),
    FileStatus.DOWNLOAD_IN_PROGRESS: frozenset(
        {
            FileStatus.ACCEPTED,
            FileStatus.DOWNLOAD_RETRY_PENDING,
            FileStatus.DOWNLOAD_FAILED,
            FileStatus.CANCELLED,
        }
    ),
    FileStatus.DOWNLOAD_RETRY_PENDING: frozenset({FileStatus.DOWNLOAD_IN_PROGRESS, FileStatus.CANCELLED}),
    # Given up: the owner may replace it with an upload.
    FileStatus.DOWNLOAD_FAILED: frozenset({FileStatus.ACCEPTED, FileStatus.CANCELLED}),
    FileStatus.AWAITING_UPLOAD: frozenset({FileStatus.ACCEPTED, FileStatus.CANCELLED}),
    # Never stored: an upload is received and checked before any status changes.
    FileStatus.UPLOAD_IN_PROGRESS: frozenset(),
    FileStatus.ACCEPTED: frozenset(),
    FileStatus.CANCELLED: frozenset(),
}


def file_sources(target: FileStatus) -> frozenset[FileStatus]:
    """The statuses a file may move to ``target`` from: the guard of that move's update."""
    return frozenset(status for status, targets in FILE_TRANSITIONS.items() if target in targets)


class InvoicingState(StrEnum):
    INCLUDED = "Included"  # on the account's periodic invoice
    NOT_INCLUDED = "NotIncluded"  # paid by the end customer on the payment screen
