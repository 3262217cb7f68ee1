"""Retry schedules (webhooks, downloads): pure.

A schedule such as ``PRINTAPI_WEBHOOK_SCHEDULE`` is a comma list of waits with a unit (ms, s,
m, h), e.g. ``2m,5m,60m,60m,60m,60m,60m,60m,60m``: the first attempt goes at once, each wait in
the list is the pause before the next attempt, so that one makes 10 attempts in all. Each wait
gets ±10 % jitter so that retries after an outage do not arrive in lockstep.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

DEFAULT = "2m,5m,60m,60m,60m,60m,60m,60m,60m"
JITTER = 0.10

_PART = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)\s*$")
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


def parse(text: str) -> tuple[timedelta, ...]:
    """``"2m,5m"`` → (2 min, 5 min); ``ValueError`` naming the bad part otherwise."""
    if not text.strip():
        return ()
    waits = []
    for part in text.split(","):
        match = _PART.match(part)
        if not match:
            raise ValueError(f"bad wait {part.strip()!r}: use a number with ms, s, m or h (e.g. 2m)")
        waits.append(timedelta(seconds=float(match.group(1)) * _UNITS[match.group(2)]))
    return tuple(waits)


def attempts_in_all(schedule: tuple[timedelta, ...]) -> int:
    return len(schedule) + 1


def next_wait(
    schedule: tuple[timedelta, ...], *, failed_attempts: int, random: Callable[[], float]
) -> timedelta | None:
    """The pause after the ``failed_attempts``-th failure, or None when that was the last attempt."""
    if failed_attempts < 1:
        raise ValueError("failed_attempts counts from 1")
    if failed_attempts > len(schedule):
        return None
    base = schedule[failed_attempts - 1]
    return base * (1 + JITTER * (2 * random() - 1))
