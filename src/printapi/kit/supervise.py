"""Long-running loops that never die silently.

Every loop of a worker runs under ``supervise``: an exception that escapes the loop is logged at
ERROR with its traceback, counted (``printapi_loop_restarts_total{loop=...}``), and the loop is
started again after a pause that doubles from ``first`` to ``longest`` seconds (and starts over
once the loop has run for ``longest`` seconds without failing). Only ``stopping`` ends it.

A loop says it is alive by calling its ``Heartbeat`` at every turn. ``Loops`` holds the
heartbeats of one process and tells readiness (``/readyz``) which loops are not healthy: one
that failed and has not beaten since, or one whose last beat is older than its ``stale_after``
(stuck: waiting on something that never answers). A loop's ``stale_after`` is the time after
which its work would be taken over by another worker anyway (its lease), so a stale loop is one
that has stopped doing its share.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from printapi.kit import metrics
from printapi.kit.logging import get_logger

log = get_logger("printapi.supervise")


@dataclass
class Heartbeat:
    """One loop's health: call it at every turn of the loop."""

    name: str
    stale_after: float | None  # None: the loop may rest for as long as it likes
    monotonic: Callable[[], float] = time.monotonic
    last_beat: float = field(init=False)
    restarts: int = 0
    failure: str | None = None  # the last error, until the loop beats again

    def __post_init__(self) -> None:
        self.last_beat = self.monotonic()

    def __call__(self) -> None:
        self.last_beat = self.monotonic()
        self.failure = None

    def failed(self, exc: BaseException) -> None:
        self.restarts += 1
        self.failure = f"{exc.__class__.__name__}: {exc}"[:300]

    def problem(self) -> str | None:
        """Why this loop is not healthy, or None."""
        if self.failure is not None:
            return f"failed and is restarting ({self.failure})"
        silent = self.monotonic() - self.last_beat
        if self.stale_after is not None and silent > self.stale_after:
            return f"stale: no turn for {silent:.0f} s (limit {self.stale_after:.0f} s)"
        return None

    def report(self) -> dict[str, Any]:
        return {
            "lastBeatSecondsAgo": round(self.monotonic() - self.last_beat, 3),
            "restarts": self.restarts,
            "problem": self.problem(),
        }


class Loops:
    """The heartbeats of the loops this process runs."""

    def __init__(self, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._monotonic = monotonic
        self._beats: dict[str, Heartbeat] = {}
        # Whether these loops' worker leads the periodic jobs (kit/leader.py); None: no worker here.
        self.leading: Callable[[], bool] | None = None

    def heartbeat(self, name: str, *, stale_after: float | None) -> Heartbeat:
        beat = self._beats[name] = Heartbeat(name, stale_after, self._monotonic)
        return beat

    def __bool__(self) -> bool:
        return bool(self._beats)

    def problems(self) -> dict[str, str]:
        return {name: problem for name, beat in self._beats.items() if (problem := beat.problem())}

    def report(self) -> dict[str, dict[str, Any]]:
        return {name: beat.report() for name, beat in self._beats.items()}


@dataclass(frozen=True)
class LoopSpec:
    """A loop of a worker: its name, how long it may go without a turn (None: as long as it likes),
    and the loop itself, given its heartbeat."""

    name: str
    stale_after: float | None
    run: Callable[[Heartbeat], Coroutine[Any, Any, None]]


@dataclass(frozen=True)
class Backoff:
    """Pauses before a failed loop starts again: ``first``, doubled each time, at most ``longest``."""

    first: float = 1.0
    longest: float = 60.0


RESTART_BACKOFF = Backoff()


async def supervise(
    heartbeat: Heartbeat,
    loop: Callable[[Heartbeat], Coroutine[Any, Any, None]],
    *,
    stopping: asyncio.Event,
    backoff: Backoff = RESTART_BACKOFF,
) -> None:
    """Run ``loop(heartbeat)`` until ``stopping``, starting it again whenever it fails."""
    pause = backoff.first
    while not stopping.is_set():
        started = time.monotonic()
        try:
            await loop(heartbeat)
        except Exception as exc:
            error: BaseException = exc
        else:
            if stopping.is_set():
                return
            error = RuntimeError("the loop returned before the worker stopped")
        if time.monotonic() - started >= backoff.longest:
            pause = backoff.first  # it had been running well: this failure starts the pauses over
        heartbeat.failed(error)
        metrics.LOOP_RESTARTS.labels(heartbeat.name).inc()
        log.error(
            "loop failed; starting it again",
            loop=heartbeat.name,
            in_seconds=pause,
            exc_info=(type(error), error, error.__traceback__),
        )
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), timeout=pause)
        pause = min(pause * 2, backoff.longest)
