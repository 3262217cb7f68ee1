"""Where an API request's time goes: statements per request and a CPU profile, in one process.

For ``GET /v2/orders/{id}``, ``GET /v2/orders`` (a page of 20) and ``POST /v2/orders``, this builds
the app as ``printapi serve`` does (production settings, on a fresh SQLite file or PostgreSQL
database), drives it in-process through ASGI (no sockets, so the figures are the app's own), and
prints for each endpoint:

- the statements sent to the database per request (and which);
- the CPU time per request (``time.process_time``: the server's own work, whatever else the
  machine runs);
- optionally (``--profile``) the functions that take the most time, cumulative and own.

It asserts nothing and writes nothing to the docs: it is the tool behind the commit messages of
the hot path's optimisations (docs/benchmarks.md has the HTTP figures, from bench/api.py).

    .venv/bin/python bench/hot_path.py [--only sqlite|postgresql] [--requests 500] [--profile]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from sqlalchemy import event, text

import server
from common import BENCH_DIR
from printapi.app import create_app
from printapi.config import Settings

ORDER_BODY = (BENCH_DIR / "order.json").read_bytes()
BASELINE_DIR = BENCH_DIR.parent.parent / "shared" / "bench"


class Statements:
    """Counts the statements the engines send, by their first words."""

    def __init__(self) -> None:
        self.seen: Counter[str] = Counter()

    def listen(self, engine: Any) -> None:
        event.listen(engine.sync_engine, "before_cursor_execute", self._seen)

    def _seen(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self.seen[" ".join(statement.split())[:90]] += 1


class Asgi:
    """Calls an ASGI app directly (no sockets, no HTTP client): what it costs is the app's own."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(
        self, method: str, path: str, *, headers: dict[str, str], body: bytes = b""
    ) -> tuple[int, bytes]:
        path, _, query = path.partition("?")
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": query.encode(),
            "root_path": "",
            "headers": [(name.lower().encode(), value.encode()) for name, value in headers.items()]
            + [(b"host", b"bench.local"), (b"content-length", str(len(body)).encode())],
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 80),
        }
        sent = False
        status, chunks = 0, []

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            await asyncio.Event().wait()  # the client never disconnects
            raise AssertionError

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, send)
        return status, b"".join(chunks)


Call = Callable[[], Awaitable[tuple[int, bytes]]]


async def cpu_per_request(call: Call, requests: int) -> float:
    """Milliseconds of the process's CPU (every thread) per request."""
    started = time.process_time()
    for _ in range(requests):
        await call()
    return (time.process_time() - started) * 1000 / requests


async def python_calls(call: Call, requests: int = 50) -> float:
    """Function calls per request in this thread: a count that, unlike time, other processes
    on the machine cannot disturb."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        await call()
    profiler.disable()
    return float(pstats.Stats(profiler).total_calls) / requests  # type: ignore[attr-defined]


async def warm(call: Call) -> None:
    for _ in range(20):  # caches: statements, the token cache
        status, answer = await call()
        assert status in (200, 201), answer


async def baseline_endpoints(
    database_url: str,
) -> tuple[dict[str, tuple[str, Call]], Callable[[], Awaitable[None]]]:
    """The irreducible request (../shared/bench/baseline_app.py): its read and its insert."""
    os.environ["BASELINE_DB"] = database_url
    sys.path.insert(0, str(BASELINE_DIR))
    import baseline_app  # noqa: PLC0415 - it reads BASELINE_DB when imported

    await baseline_app.seed()
    if baseline_app.engine.dialect.name == "postgresql":
        # The seed gives rows 1..1000 their ids, which leaves the id sequence at 1: its first
        # thousand inserts would collide (bench/api.py's warm-up takes them; here, this does).
        async with baseline_app.engine.begin() as conn:
            await conn.execute(text("SELECT setval(pg_get_serial_sequence('baseline_row', 'id'), 1000)"))
    call = Asgi(baseline_app.app)
    endpoints: dict[str, tuple[str, Call]] = {
        "floor read": ("baseline GET /row/{id}", lambda: call("GET", "/row/7", headers={})),
        "floor insert": ("baseline POST /row", lambda: call("POST", "/row", headers={})),
    }
    return endpoints, baseline_app.engine.dispose


async def our_endpoints(
    database_url: str, args: argparse.Namespace
) -> tuple[dict[str, tuple[str, Call]], Statements, Callable[[], Awaitable[None]]]:
    base_url = "http://bench.local"
    env = server.environment(server.settings(database_url, base_url))
    client_id, client_secret = server.prepare(env)
    settings_values = {
        name.removeprefix("PRINTAPI_").lower(): value
        for name, value in env.items()
        if name.startswith("PRINTAPI_")
    }
    settings_values["embedded_worker"] = "false"
    if args.log_level:
        settings_values["log_level"] = args.log_level
    app = create_app(Settings(**settings_values))
    runtime = app.state.runtime
    statements = Statements()
    statements.listen(runtime.db.write_engine)
    if runtime.db.read_engine is not runtime.db.write_engine:
        statements.listen(runtime.db.read_engine)
    call = Asgi(app)
    form = f"grant_type=client_credentials&client_id={client_id}&client_secret={client_secret}".encode()
    _, answer = await call(
        "POST", "/v2/oauth", headers={"Content-Type": "application/x-www-form-urlencoded"}, body=form
    )
    auth = {"Authorization": f"Bearer {json.loads(answer)['access_token']}"}
    posted = {**auth, "Content-Type": "application/json"}
    ids = [
        json.loads((await call("POST", "/v2/orders", headers=posted, body=ORDER_BODY))[1])["id"]
        for _ in range(40)
    ]
    endpoints: dict[str, tuple[str, Call]] = {
        "in-app floor": ("GET /_bench/orders/{pk}", lambda: call("GET", "/_bench/orders/1", headers={})),
        "read": ("GET /v2/orders/{id}", lambda: call("GET", f"/v2/orders/{ids[7]}", headers=auth)),
        "list": ("GET /v2/orders (20)", lambda: call("GET", "/v2/orders?limit=20", headers=auth)),
        "insert": ("POST /v2/orders", lambda: call("POST", "/v2/orders", headers=posted, body=ORDER_BODY)),
    }
    return endpoints, statements, runtime.close


async def compare(ours_url: str, floor_url: str, args: argparse.Namespace) -> None:
    """Rounds that take turns between the baseline and ours; each figure is its best round (the
    machine is shared: the minimum is the figure least disturbed by others)."""
    ours, statements, close_ours = await our_endpoints(ours_url, args)
    floor, close_floor = await baseline_endpoints(floor_url)
    chosen = {
        key: endpoint
        for key, endpoint in {**floor, **ours}.items()
        if key.startswith("floor") or not args.endpoint or args.endpoint in endpoint[0]
    }
    for _, call in chosen.values():
        await warm(call)
    best: dict[str, float] = {}
    for _ in range(args.rounds):
        for key, (_, call) in chosen.items():
            best[key] = min(best.get(key, float("inf")), await cpu_per_request(call, args.requests))
    for key, (name, call) in chosen.items():
        print(f"{name}: {best[key]:.3f} ms CPU per request, {await python_calls(call):,.0f} Python calls")
        if key in ours:
            statements.seen.clear()
            await call()
            for statement, count in statements.seen.most_common():
                print(f"  {count}  {statement}")
    for key in ("in-app floor", "read", "list", "insert"):
        if key in best:
            reference = best["floor insert" if key == "insert" else "floor read"]
            print(f"{key}: ratio {reference / best[key]:.2f}")
    if args.profile:
        for key in ours.keys() & chosen.keys():
            profiler = cProfile.Profile()
            profiler.runcall(lambda: None)
            profiler.enable()
            await cpu_per_request(chosen[key][1], args.requests)
            profiler.disable()
            print(f"\n{chosen[key][0]}")
            stats = pstats.Stats(profiler).sort_stats(args.profile_sort)
            stats.print_stats(args.profile_filter, 30)
    await close_ours()
    await close_floor()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--only", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--requests", type=int, default=300, help="per endpoint and round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--profile-sort", default="tottime", help="e.g. cumulative")
    parser.add_argument("--profile-filter", default="", help="only functions whose place matches this")
    parser.add_argument("--endpoint", default="", help="only endpoints whose name contains this")
    parser.add_argument("--log-level", default="", help="e.g. INFO (the default level of printapi serve)")
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="printapi-hot-path-") as tmp:
        (Path(tmp) / "ours").mkdir(), (Path(tmp) / "floor").mkdir()
        with (
            server.fresh_database(args.only, workdir=Path(tmp) / "ours", admin_dsn=args.pg) as ours_url,
            server.fresh_database(args.only, workdir=Path(tmp) / "floor", admin_dsn=args.pg) as floor_url,
        ):
            asyncio.run(compare(ours_url, floor_url, args))


if __name__ == "__main__":
    main()
