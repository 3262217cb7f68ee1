"""Payment statuses as data (spec §4.2).

::

    Open ──► Successful
      ├────► Failed
      └────► Cancelled      (the customer cancelled, the link expired, or the order was cancelled)

The three outcomes are final. Every move is an update guarded by ``status IN sources(target)``
(that is, ``Open``), a compare-and-set: of a customer paying and the expiry job firing at the
same moment exactly one wins, and a repeated outcome changes nothing.
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
