"""The status-change driver of bench/webhooks.py, in its own process (not the worker's, not the sink's).

    PRINTAPI_...=... .venv/bin/python bench/wh_driver.py --account-id N --email E \\
        --ids FILE --rate R --out FILE [--concurrency C] [--warm-up N] [--stop-after SECONDS]

Moves the orders listed in FILE (status Created) to Processing through the test environment's
status simulator (``printapi.orders.service.simulate_status`` and its ``effects``), each in its own
``runtime.db.write()`` transaction, at a fixed rate: change n is started at ``start + n / R``
whatever happened to the ones before (an open loop; at most C transactions at once); a change
that cannot begin within --stop-after seconds of the start is skipped (a driver far behind). It records,
per change, when it was due and the wall-clock time right after its commit (``time.time()`` in the
session's ``after_commit`` hook, i.e. as soon as this process sees COMMIT return; when the driver
is short of CPU that moment comes late, which makes latencies look shorter; so, after the
warm-up, it freezes what it made so far out of the garbage collector's sight, as the API's
processes do), and writes
``{"changes": [[orderId, due, committed], ...], "skipped": N, "errors": [...]}`` to --out.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import event, text

from printapi import effects
from printapi.auth.principal import Environment, Principal
from printapi.auth.scopes import SHOP_SCOPES
from printapi.config import Settings
from printapi.orders import service as orders
from printapi.orders.schemas import StatusChangeIn
from printapi.orders.states import OrderStatus
from printapi.runtime import Runtime, freeze_startup_objects

TO_PROCESSING = StatusChangeIn(status=OrderStatus.PROCESSING)
START_DELAY_S = 0.2


@dataclass(frozen=True)
class Change:
    order_id: str
    due: float
    committed: float | None
    error: str | None = None


class Driver:
    def __init__(self, runtime: Runtime, principal: Principal, *, concurrency: int) -> None:
        self.runtime = runtime
        self.principal = principal
        self.gate = asyncio.Semaphore(concurrency)
        self.concurrency = concurrency
        self.deadline = math.inf

    async def warm_up(self, order_ids: list[str]) -> None:
        """Open the pool's connections and fill SQLAlchemy's statement cache before the clock starts:
        a few changes, one after the other, that are not reported."""

        async def touch() -> None:
            async with self.runtime.db.read() as session:
                await session.execute(text("SELECT 1"))

        await asyncio.gather(*(touch() for _ in range(self.concurrency)))
        for order_id in order_ids:
            await self.change(order_id, time.time())

    async def change(self, order_id: str, due: float) -> Change:
        committed: list[float] = []
        async with self.gate:
            if time.time() > self.deadline:
                return Change(order_id, due, None)  # skipped: the driver fell too far behind
            try:
                async with self.runtime.db.write() as session:
                    # Stamped as COMMIT returns, before the connection goes back to the pool.
                    event.listen(
                        session.sync_session, "after_commit", lambda _: committed.append(time.time())
                    )
                    await effects.handle(
                        session,
                        await orders.simulate_status(
                            session,
                            principal=self.principal,
                            order_id=order_id,
                            change=TO_PROCESSING,
                            now=self.runtime.clock.now(),
                        ),
                    )
            except Exception as exc:  # reported with the results; the run goes on
                return Change(order_id, due, None, f"{exc.__class__.__name__}: {exc}")
            return Change(order_id, due, committed[0] if committed else time.time())

    async def run(self, order_ids: list[str], rate: float, *, stop_after_s: float) -> list[Change]:
        """Start the changes on schedule; those that cannot begin within ``stop_after_s`` are skipped."""
        loop = asyncio.get_running_loop()
        start = loop.time() + START_DELAY_S
        self.deadline = time.time() + START_DELAY_S + stop_after_s
        to_wall = time.time() - loop.time()
        tasks = []
        for n, order_id in enumerate(order_ids):
            due = start + n / rate
            delay = due - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(self.change(order_id, due + to_wall)))
        return list(await asyncio.gather(*tasks))


async def main_async(args: argparse.Namespace, order_ids: list[str]) -> dict[str, object]:
    runtime = Runtime.create(Settings())
    principal = Principal(
        account_id=args.account_id,
        account_email=args.email,
        environment=Environment.TEST,
        scopes=frozenset(SHOP_SCOPES),
    )
    try:
        driver = Driver(runtime, principal, concurrency=args.concurrency)
        await driver.warm_up(order_ids[: args.warm_up])
        freeze_startup_objects()  # as `printapi serve` does once started
        changes = await driver.run(order_ids[args.warm_up :], args.rate, stop_after_s=args.stop_after)
    finally:
        await runtime.close()
    return {
        "changes": [[c.order_id, c.due, c.committed] for c in changes if c.committed is not None],
        "skipped": sum(1 for c in changes if c.committed is None and c.error is None),
        "errors": [c.error for c in changes if c.error is not None],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="status-change driver of bench/webhooks.py")
    parser.add_argument("--account-id", type=int, required=True)
    parser.add_argument("--email", required=True)
    parser.add_argument("--ids", type=Path, required=True, help="order ids, one a line, in status Created")
    parser.add_argument("--rate", type=float, required=True, help="changes per second")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--concurrency", type=int, default=8, help="transactions at once at most")
    parser.add_argument("--warm-up", type=int, default=0, help="the first N ids: changed first, not reported")
    parser.add_argument(
        "--stop-after", type=float, default=60.0, help="seconds after which changes not begun are skipped"
    )
    args = parser.parse_args()
    order_ids = [line for line in args.ids.read_text().splitlines() if line]
    args.out.write_text(json.dumps(asyncio.run(main_async(args, order_ids))))


if __name__ == "__main__":
    main()
