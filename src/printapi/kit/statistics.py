"""Planner statistics of the queue tables on PostgreSQL, kept fresh by the worker.

Autovacuum analyses a table once it has changed by 50 rows + 10 % of its size, but it looks at
each database only once a minute (``autovacuum_naptime``). A webhook queue can grow from nothing
to 100,000 rows in ten seconds — one order change to an account with 101 endpoints writes 101
rows — and until the next analyse PostgreSQL plans the claim for the table it last saw: with the
statistics of an empty table it counted the leases by reading every row and matched the
candidates against every due row (59 ms per claim at 90,000 rows, and growing with the backlog,
where a claim with fresh statistics takes 0.3 ms). The worker therefore applies a rule like
autovacuum's itself, every half second, to the tables whose plans matter, and analyses only the
columns their queries filter on: on this 2-core machine a whole-table ``ANALYZE`` of a 100,000-row
queue took 300–400 ms of a busy server's CPU, a few columns under half of that. Those columns of
the webhook queue are sampled at a statistics target of 10 (migration 9a3e5c7d1b20), a tenth of
the default, since the claim's plan needs only coarse figures: 11–16 ms at 300,000 rows.

Why not autovacuum with per-table settings instead: what makes it late is not the table's
threshold but ``autovacuum_naptime``, a setting of the whole server (60 s by default, and this
machine's test server runs with autovacuum off). ``bench/queue_statistics.py`` grows the queue by
10,000 rows a second behind 100 endpoints at their cap and times one claim every 0.1 s (private
PostgreSQL 15, 2026-12-07): with nothing analysing, the claim's median went from 5 to 20 ms in
20 s (200,000 rows) and kept growing; with this job it stayed at 7-11 ms (four analyses); with
autovacuum at a naptime of 1 s and every column of the queue at statistics target 10, at 4 ms.
So a server tuned like that does without the job (docs/operations.md), but the application cannot
require it, and a default server would plan its claims for an empty table for up to a minute.

SQLite has no such problem: without ``ANALYZE`` its planner does not look at statistics at all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from printapi.kit.db import only_one

# Autovacuum's threshold (autovacuum_analyze_threshold) and twice its scale factor: a plan does
# not change for a table 20 % larger than the planner thinks, and each analyse costs CPU. Looked
# at every 0.5 s (worker.py): at 2 s, claims took 25-99 ms for the 2.5 s until the next check
# at the start of the benchmark's outage (3079c3c).
THRESHOLD_ROWS = 50
SCALE_FACTOR = 0.2
# One worker analyses at a time; the others skip their turn rather than wait behind it.
LOCK_KEY = 0x7072_696E_7473_7461  # "printsta"
LOCK_NOT_AVAILABLE = "55P03"


async def analyze_stale(
    session: AsyncSession, tables: Mapping[str, Sequence[str]], *, threshold: int = THRESHOLD_ROWS
) -> list[str]:
    """``ANALYZE`` each table (its given columns; none given: all of them) whose number of rows
    is off by more than ``threshold`` + 20 % from what its last analyse found; returns the tables
    analysed. A no-op on SQLite."""
    if session.get_bind().dialect.name != "postgresql":
        return []
    if not await only_one(session, LOCK_KEY):
        return []
    # The live rows now against the rows the planner was told of. (n_mod_since_analyze, which
    # autovacuum reads, is not reset by an ANALYZE of some columns only.)
    rows = await session.execute(
        text(
            "SELECT s.relname, s.n_live_tup, greatest(c.reltuples, 0) FROM pg_stat_user_tables s "
            "JOIN pg_class c ON c.oid = s.relid "
            "WHERE s.schemaname = current_schema() AND s.relname = ANY(:tables)"
        ),
        {"tables": list(tables)},
    )
    stale = sorted(name for name, live, known in rows if abs(live - known) > threshold + SCALE_FACTOR * known)
    # ANALYZE waits for a VACUUM of the table, and after deadlock_timeout PostgreSQL would cancel
    # that autovacuum worker for it: give up on the table at once instead, and try next turn.
    await session.execute(text("SET LOCAL lock_timeout = '50ms'"))
    analysed = []
    for name in stale:
        # The names are the application's own tables and columns (see the callers), never input.
        columns = ", ".join(f'"{column}"' for column in tables[name])
        try:
            async with session.begin_nested():
                await session.execute(text(f'ANALYZE "{name}"' + (f" ({columns})" if columns else "")))
        except DBAPIError as exc:
            if getattr(exc.orig, "sqlstate", None) != LOCK_NOT_AVAILABLE:
                raise
            continue
        analysed.append(name)
    return analysed
