"""Payment statuses as data (spec §4.2).

::

    Open ──► Successful
      ├────► Failed
      └────► Cancelled      (the customer cancelled, the link expired, or the order was cancelled)

The three outcomes are final. A Successful payment of an order that is cancelled afterwards is
refunded through its provider: its ``RefundStatus`` moves ``Pending ──► Refunded | Failed``.
The provider calls that must happen are ``payment_tasks`` rows (``TaskStatus``: pending ──► done).

Every move is an update guarded by ``status IN sources(target)`` (that is, ``Open``), a
compare-and-set: of a customer paying and the expiry job firing at the same moment exactly one
wins, and a repeated outcome changes nothing.
"""

from __future__ import annotations

from enum import StrEnum


class PaymentStatus(StrEnum):
    OPEN = "Open"
    SUCCESSFUL = "Successful"
    FAILED = "Failed"
    CANCELLED = "Cancelled"


TRANSITIONS: dict[PaymentStatus, frozenset[PaymentStatus]] = {
    PaymentStatus.OPEN: frozenset({PaymentStatus.SUCCESSFUL, PaymentStatus.FAILED, PaymentStatus.CANCELLED}),
    PaymentStatus.SUCCESSFUL: frozenset(),
    PaymentStatus.FAILED: frozenset(),
    PaymentStatus.CANCELLED: frozenset(),
}


def sources(target: PaymentStatus) -> frozenset[PaymentStatus]:
    """The statuses a payment may move to ``target`` from: the guard of that move's update."""
    return frozenset(status for status, targets in TRANSITIONS.items() if target in targets)


class RefundStatus(StrEnum):
    PENDING = "Pending"  # asked for; the provider has not paid it back yet
    REFUNDED = "Refunded"
    FAILED = "Failed"  # the provider could not pay it back: the print shop must


REFUND_TRANSITIONS: dict[RefundStatus, frozenset[RefundStatus]] = {
    RefundStatus.PENDING: frozenset({RefundStatus.REFUNDED, RefundStatus.FAILED}),
    RefundStatus.REFUNDED: frozenset(),
    RefundStatus.FAILED: frozenset(),
}


def refund_sources(target: RefundStatus) -> frozenset[RefundStatus]:
    return frozenset(status for status, targets in REFUND_TRANSITIONS.items() if target in targets)


class TaskStatus(StrEnum):
    PENDING = "pending"
    DONE = "done"


TASK_TRANSITIONS: dict[TaskStatus, frozenset[TaskStatus]] = {
    TaskStatus.PENDING: frozenset({TaskStatus.DONE}),
    TaskStatus.DONE: frozenset(),
}


class TaskKind(StrEnum):
    POLL = "poll"  # ask about an open provider payment whose notification may have been lost
    CANCEL = "cancel"  # end a provider payment we no longer want (refund it if it was paid)
    REFUND = "refund"  # pay back the paid payment of a cancelled order
