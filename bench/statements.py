"""Micro-benchmark: the CPU one execution of the worker's hottest statements costs, built once or anew.

The claim's pick (``kit/claim.py``) runs after every commit and the queueing upsert
(``webhooks/repository/queue.py``) with every order change; both are built once per database and
kept (``functools.cache``). This measures what that saves, per execution on a fresh database, in
this process only (the database server's time is not counted):

- built once: the kept statement, as the code runs it;
- built anew: the same builder called for every execution, so that only SQLAlchemy's compiled
  cache helps (the construct is made and its cache key computed each time);
- ``lambda_stmt``: SQLAlchemy's cache of built statements. The builder is called inside the
  lambda, with the database name tracked (``track_on``); whether it builds the right statement
  is checked too: PostgreSQL's pick must say FOR UPDATE SKIP LOCKED.

It prints figures and writes nothing:

    .venv/bin/python bench/statements.py [--only sqlite|postgresql] [--executions 500]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import lambda_stmt
from sqlalchemy.ext.asyncio import AsyncSession

import server
from printapi import migrate
from printapi.kit import claim
from printapi.kit.db import create_database
from printapi.webhooks.repository import attempts, queue

WARM_UP = 20


def variants(dialect: str) -> dict[str, tuple[Callable[[], Any], dict[str, Any]]]:
    pick, queueing = claim._pick, queue._queueing  # the kept builders (functools.cache)
    now = datetime.now(UTC)
    pick_values = {claim.NOW.key: now, claim.LIMIT.key: 100, claim.CAP.key: 8}
    queueing_values = {"account_id": -1, "environment": "test", "order_pk": 1, "order_id": "x", "now": now}
    q, part = attempts.QUEUE, attempts._ENDPOINTS
    return {
        "pick, built once": (lambda: pick(q, part, dialect), pick_values),
        "pick, built anew": (lambda: pick.__wrapped__(q, part, dialect), pick_values),
        "pick, lambda_stmt": (
            lambda: lambda_stmt(
                lambda: pick.__wrapped__(q, part, dialect),
                track_on=[q, part, dialect],
                track_bound_values=False,
            ),
            pick_values,
        ),
        "queueing, built once": (lambda: queueing(dialect), queueing_values),
        "queueing, built anew": (lambda: queueing.__wrapped__(dialect), queueing_values),
        "queueing, lambda_stmt": (
            lambda: lambda_stmt(
                lambda: queueing.__wrapped__(dialect), track_on=[dialect], track_bound_values=False
            ),
            queueing_values,
        ),
    }


async def cpu_per_execution(
    session: AsyncSession, make: Callable[[], Any], values: dict[str, Any], n: int
) -> str:
    try:
        async with session.begin_nested():
            for _ in range(WARM_UP):
                await session.execute(make(), values)
    except Exception as exc:  # a statement that does not run is a finding, not the end of the run
        return f"fails: {exc.__class__.__name__}: {str(exc).splitlines()[0][:90]}"
    started = time.process_time()
    async with session.begin_nested():
        for _ in range(n):
            await session.execute(make(), values)
    return f"{(time.process_time() - started) / n * 1000:.3f} ms"


def skip_locked(session: AsyncSession, make: Callable[[], Any]) -> bool:
    return "SKIP LOCKED" in str(make().compile(dialect=session.get_bind().dialect))


async def measure(url: str, n: int) -> None:
    db = create_database(url)
    try:
        async with db.write() as session:
            for name, (make, values) in variants(db.dialect).items():
                result = await cpu_per_execution(session, make, values, n)
                if db.dialect == "postgresql" and name.startswith("pick"):
                    result += "" if skip_locked(session, make) else "; built without FOR UPDATE SKIP LOCKED"
                print(f"{db.dialect:10}  {name:22}  {result}")
            await session.rollback()
    finally:
        await db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--executions", type=int, default=500)
    parser.add_argument(
        "--pg", default="postgresql://postgres@127.0.0.1:5432", help="PostgreSQL server (no db)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="printapi-statements-") as folder:
        for database in ("sqlite", "postgresql"):
            if args.only in (None, database):
                with server.fresh_database(database, workdir=Path(folder), admin_dsn=args.pg) as url:
                    migrate.upgrade(url)
                    asyncio.run(measure(url, args.executions))


if __name__ == "__main__":
    main()
