"""The irreducible request as its own server: ../shared/bench/baseline_app.py under uvicorn.

A FastAPI endpoint that reads one row by primary key (``GET /row/{id}``) or inserts one
(``POST /row``) through SQLAlchemy async, without authentication or middleware, on the same
database kind and the same libraries (this project's environment) as printapi. bench/api.py
measures our endpoints as ratios of it, in the same run, with the same load generator, and with
as many server processes as the printapi setup it stands beside.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

import server
from common import REPO

APP_DIR = REPO.parent / "shared" / "bench"
UVICORN = str(Path(sys.executable).with_name("uvicorn"))
ROWS = 1000  # the app seeds rows 1..1000


def available() -> bool:
    return (APP_DIR / "baseline_app.py").is_file()


def command(port: int, *, workers: int) -> list[str]:
    return [
        UVICORN,
        "--app-dir",
        str(APP_DIR),
        "baseline_app:app",
        "--host",
        server.HOST,
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
    ]


def _seed(env: dict[str, str]) -> None:
    """Create and fill the table once, before the server starts: its processes would race to."""
    script = "import asyncio, baseline_app; asyncio.run(baseline_app.seed())"
    subprocess.run(
        [sys.executable, "-W", "ignore", "-c", script], cwd=APP_DIR, env=env, check=True, capture_output=True
    )
    asyncio.run(_ids_after_the_seed(env["BASELINE_DB"]))


async def _ids_after_the_seed(database_url: str) -> None:
    """The seed gives rows 1..1000 their ids; on PostgreSQL that leaves the id sequence at 1, and
    the first thousand ``POST /row`` would fail on the primary key (in the warm-up, or measured)."""
    if not database_url.startswith("postgresql"):
        return
    engine = create_async_engine(database_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text(f"SELECT setval(pg_get_serial_sequence('baseline_row', 'id'), {ROWS})"))
    finally:
        await engine.dispose()


@contextmanager
def running(database_url: str, *, port: int, workers: int, log_path: Path) -> Iterator[list[str]]:
    """Run the baseline server on ``database_url`` until the block ends; yields its command."""
    env = {**server.environment({}), "BASELINE_DB": database_url}
    _seed(env)
    shown = command(port, workers=workers)
    process = server.spawn(shown, env=env, log_path=log_path)
    base_url = f"http://{server.HOST}:{port}"
    try:
        server.wait_until(base_url, "/row/1", process)
        yield shown
    finally:
        server.stop(process)
