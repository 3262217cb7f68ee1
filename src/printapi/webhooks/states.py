"""Notification statuses as data.

::

    pending ──► delivered        a 2xx answer
       │
       ├──────► failed           every attempt of the schedule failed (the owner is told)
       │
       └──────► cancelled        its endpoint was deleted

A change of the order while the notification is pending folds into it; a change that arrives
while an attempt is under way sends the notification once more after that attempt succeeds.
``delivered``, ``failed`` and ``cancelled`` are final; a resend queues a new notification.

``TRANSITIONS`` is the guard of the SQL that moves a notification: each recording statement
updates only rows whose status is one of ``sources(target)``, so a row that reached a final
status (cancelled while its attempt was under way) is never overwritten.
"""

from __future__ import annotations

from enum import StrEnum

from printapi.kit.errors import IllegalTransition


class NotificationStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"
    CANCELLED = "cancelled"


TRANSITIONS: dict[NotificationStatus, frozenset[NotificationStatus]] = {
    NotificationStatus.PENDING: frozenset(
        {NotificationStatus.DELIVERED, NotificationStatus.FAILED, NotificationStatus.CANCELLED}
    ),
    NotificationStatus.DELIVERED: frozenset(),
    NotificationStatus.FAILED: frozenset(),
    NotificationStatus.CANCELLED: frozenset(),
}


def sources(target: NotificationStatus) -> frozenset[NotificationStatus]:
    """The statuses ``target`` may be reached from: the guard (``status IN (...)``) of every
    statement that records it (``repository/queue.py``)."""
    return frozenset(status for status, targets in TRANSITIONS.items() if target in targets)


FINAL = frozenset(status for status, targets in TRANSITIONS.items() if not targets)
"""The statuses a notification never leaves (retention prunes these)."""


def transition(current: NotificationStatus, target: NotificationStatus) -> NotificationStatus:
    if target not in TRANSITIONS[current]:
        raise IllegalTransition(message=f"A notification cannot move from {current} to {target}.")
    return target


class NotificationKind(StrEnum):
    STATUS = "status"  # the order or its payment changed
    PING = "ping"  # a test call from the API or dashboard
    RESEND = "resend"  # asked again by the owner


class AlertKind(StrEnum):
    FIRST_FAILURE = "first_failure"
    GAVE_UP = "gave_up"
