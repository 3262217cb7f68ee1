"""Planner statistics of the queue tables on PostgreSQL, kept fresh by the worker.

Autovacuum analyses a table once it has changed by 50 rows + 10 % of its size, but it looks at
each database only once a minute (``autovacuum_naptime``). A webhook queue can grow from nothing
to 100,000 rows in ten seconds — one order change to an account with 101 endpoints writes 101
rows — and until the next analyse PostgreSQL plans the claim for the table it last saw: with the
statistics of an empty table it counted the leases by reading every row and matched the
candidates against every due row (59 ms per claim at 90,000 rows, and growing with the backlog,
where a claim with fresh statistics takes 0.3 ms). The worker therefore applies autovacuum's
rule itself, every few seconds, to the tables whose plans matter.

SQLite has no such problem: without ``ANALYZE`` its planner does not look at statistics at all.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

# Autovacuum's defaults (autovacuum_analyze_threshold, autovacuum_analyze_scale_factor).
THRESHOLD_ROWS = 50
SCALE_FACTOR = 0.1
# One worker analyses at a time; the others skip their turn rather than wait behind it.
LOCK_KEY = 0x7072_696E_7473_7461  # "printsta"


async def analyze_stale(
    session: AsyncSession, tables: Sequence[str], *, threshold: int = THRESHOLD_ROWS
) -> list[str]:
    """``ANALYZE`` each of ``tables`` changed by more than ``threshold`` + 10 % of its rows since
    its last analyse; returns the ones analysed. A no-op on SQLite."""
    if session.get_bind().dialect.name != "postgresql":
        return []
    if not (await session.execute(select(func.pg_try_advisory_xact_lock(LOCK_KEY)))).scalar_one():
        return []
    rows = await session.execute(
        text(
            "SELECT relname, n_mod_since_analyze, n_live_tup FROM pg_stat_user_tables "
            "WHERE schemaname = current_schema() AND relname = ANY(:tables)"
        ),
        {"tables": list(tables)},
    )
    stale = sorted(name for name, changed, live in rows if changed > threshold + SCALE_FACTOR * live)
    for name in stale:
        # The names are the application's own tables (see the callers), never input.
        await session.execute(text(f'ANALYZE "{name}"'))
    return stale
