"""Payment statuses as data (spec §4.2).

::

    Open ──► Successful
      ├────► Failed
      └────► Cancelled      (the customer cancelled, or the link expired)

The three outcomes are final. Every move is a compare-and-set on ``Open``, so of a customer
paying and the expiry job firing at the same moment exactly one wins.
"""

from __future__ import annotations

from enum import StrEnum

from printapi.kit.errors import IllegalTransition


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


def transition(current: PaymentStatus, target: PaymentStatus) -> PaymentStatus:
    if target not in TRANSITIONS[current]:
        raise IllegalTransition(
            message=f"A payment cannot move from {current} to {target}.",
            hints=[
                f"{current} is final." if not TRANSITIONS[current] else "Only an Open payment can change."
            ],
        )
    return target
