"""What a process says about itself: liveness, readiness and metrics.

- ``/healthz`` is liveness: the process answers. It stays cheap and never asks anything else.
- ``/readyz`` is readiness: the database answers within ``DATABASE_SECONDS``, the file store
  takes work (an object store: a HEAD of its bucket within 2 s, its answer kept for 5 s), and
  every worker loop this process runs has made a turn within its limit and is not restarting
  after a failure (``kit/supervise``). 503 names what is wrong.
- ``/metrics``: this process's counters and histograms, and the queue gauges, read from the
  database at scrape time (so every process reports the same, cluster-wide figures for them).

``printapi serve`` answers them on its own port; ``printapi worker --metrics-port`` on that port
(``serve_operations``).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from printapi import __version__
from printapi.kit import metrics
from printapi.kit.storage import StorageUnavailable
from printapi.mail import service as mail
from printapi.runtime import Runtime
from printapi.webhooks import service as webhooks

DATABASE_SECONDS = 2.0


@dataclass(frozen=True)
class Readiness:
    problems: list[str]
    database: str
    storage: str = "ok"
    loops: dict[str, dict[str, Any]] = field(default_factory=dict)
    leader: bool | None = None  # whether this process's worker runs the periodic jobs

    @property
    def ready(self) -> bool:
        return not self.problems

    @property
    def status_code(self) -> int:
        return 200 if self.ready else 503

    def body(self) -> dict[str, Any]:
        return {
            "status": "ready" if self.ready else "unready",
            "version": __version__,
            "problems": self.problems,
            "database": self.database,
            "storage": self.storage,
            "loops": self.loops,
            **({"leader": self.leader} if self.leader is not None else {}),
        }


async def readiness(runtime: Runtime) -> Readiness:
    problems = [f"loop {name}: {problem}" for name, problem in runtime.loops.problems().items()]
    try:
        async with asyncio.timeout(DATABASE_SECONDS):
            async with runtime.db.read() as session:
                await session.execute(text("SELECT 1"))
        database = "ok"
    except Exception as exc:  # any failure to answer means: not ready, and why
        database = f"{exc.__class__.__name__}: {exc}"[:300] if str(exc) else exc.__class__.__name__
        problems.insert(0, f"database: {database}")
    try:
        await runtime.storage.check()
        storage = "ok"
    except StorageUnavailable as exc:
        storage = str(exc)[:300]
        problems.insert(0 if database == "ok" else 1, f"storage: {storage}")
    leading = runtime.loops.leading
    return Readiness(problems, database, storage, runtime.loops.report(), leading() if leading else None)


async def metrics_text(runtime: Runtime) -> bytes:
    """The Prometheus exposition of this process, with the queue gauges read now."""
    now = runtime.clock.now()
    async with runtime.db.read() as session:
        stats = await webhooks.queue_stats(session, now=now)
        mails = await mail.pending_count(session)
    metrics.WEBHOOK_PENDING.set(stats.pending)
    metrics.WEBHOOK_DUE.set(stats.due)
    metrics.WEBHOOK_OLDEST_PENDING.set(
        (now - stats.oldest_pending).total_seconds() if stats.oldest_pending else 0
    )
    metrics.MAIL_PENDING.set(mails)
    body: bytes = generate_latest(metrics.REGISTRY)
    return body


async def serve_operations(runtime: Runtime, *, host: str, port: int) -> web.AppRunner:
    """``/healthz``, ``/readyz`` and ``/metrics`` of a ``printapi worker`` on ``host:port``."""

    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"status": "ok", "version": __version__})

    async def readyz(_request: web.Request) -> web.Response:
        found = await readiness(runtime)
        return web.json_response(found.body(), status=found.status_code)

    async def metrics_endpoint(_request: web.Request) -> web.Response:
        return web.Response(body=await metrics_text(runtime), headers={"Content-Type": CONTENT_TYPE_LATEST})

    app = web.Application()
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics_endpoint)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner
