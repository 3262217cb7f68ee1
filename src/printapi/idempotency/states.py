"""Idempotency key statuses as data.

::

    (claimed) ──► running ──► done        the first answer (below 500) is stored with it
                     │
                     └──────► (released)   a server error, or the request failed: the row goes

A running key whose lease ran out (its request's process died) is claimed again by the next
request with the same key; the run that lost it can no longer record its answer
(``sources(DONE)`` and the claim token guard the update). ``done`` is final until the key expires.
"""

from __future__ import annotations

from enum import StrEnum


class KeyStatus(StrEnum):
    RUNNING = "running"
    DONE = "done"


TRANSITIONS: dict[KeyStatus, frozenset[KeyStatus]] = {
    KeyStatus.RUNNING: frozenset({KeyStatus.DONE}),
    KeyStatus.DONE: frozenset(),
}


def sources(target: KeyStatus) -> frozenset[KeyStatus]:
    """The statuses ``target`` may be reached from: the guard of the statement that records it."""
    return frozenset(status for status, targets in TRANSITIONS.items() if target in targets)
