"""One shape for every loop of due work: claim → process → record, then wait for more.

The model is procrastinate's worker (fetch → process → finish). A queue's loop is a ``Step``:

- ``run_once()`` makes one turn: it claims what is due now (one short transaction, committed
  before any network I/O; ``kit/claim.py``), processes it, records the outcomes, and says
  whether more may be due at once;
- ``idle()`` waits for more: a wake-up on the queue's channel (``kit/wakeup.py``), or the poll.

``run`` calls them until the worker stops, and beats the loop's heartbeat after every turn, so a
turn that hangs stops the beats and readiness calls the loop stale (``kit/supervise.py``, which
runs ``run`` and starts it again when it fails). Tests call ``run_once`` themselves under a
``FixedClock``: one call is one deterministic turn, and "nothing was due" is a turn that did
nothing, not a wait that happened to see nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from printapi.kit.wakeup import Wakeup


class Step(Protocol):
    async def run_once(self) -> bool:
        """One turn: claim → process → record. True when more may be due right now."""
        ...

    async def idle(self) -> None:
        """Wait for more work: a wake-up, the poll, or whatever the step waits on."""
        ...


def _no_beat() -> None:
    return None


async def run(step: Step, *, stopping: asyncio.Event, beat: Callable[[], None] = _no_beat) -> None:
    """Turn after turn until ``stopping``; an exception is the supervisor's to log and restart."""
    while not stopping.is_set():
        more = await step.run_once()
        beat()
        if not more and not stopping.is_set():
            await step.idle()


@dataclass(frozen=True)
class Poll:
    """The usual ``idle``: woken on ``channel`` (a commit that queued work, here or in another
    process), or after ``seconds`` whatever happens."""

    wakeup: Wakeup
    channel: str
    seconds: float

    async def __call__(self) -> None:
        await self.wakeup.wait(self.channel, self.seconds)
