"""The ceiling of bench/webhooks.py: a bare aiohttp client posting webhook-sized requests to the sink.

One ``ClientSession``, CONCURRENCY senders, each POSTing ``orderId=<n>`` form bodies back to back
for a fixed time, spread over the same sink paths as the endpoints. No database, no signing, no
bookkeeping: what a Python sender can do against this sink on this machine, the bound for a worker.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import aiohttp

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@dataclass(frozen=True)
class CeilingResult:
    concurrency: int
    duration_s: float
    ok: int
    non_200: int
    errors: int

    @property
    def rps(self) -> float:
        return self.ok / self.duration_s if self.duration_s else 0.0


async def _sender(
    http: aiohttp.ClientSession, url_for: Callable[[int], str], first: int, step: int, deadline: float
) -> Counter[str]:
    loop = asyncio.get_running_loop()
    counts: Counter[str] = Counter()
    n = first
    while loop.time() < deadline:
        try:
            async with http.post(url_for(n), data=f"orderId={n}".encode(), headers=FORM) as response:
                await response.read()
                counts["ok" if response.status == 200 else "non_200"] += 1
        except (aiohttp.ClientError, OSError, TimeoutError):
            counts["errors"] += 1
        n += step
    return counts


async def blast(url_for: Callable[[int], str], *, concurrency: int, duration_s: float) -> CeilingResult:
    """Post for ``duration_s`` seconds with ``concurrency`` requests in flight."""
    connector = aiohttp.TCPConnector(limit=concurrency)
    timeout = aiohttp.ClientTimeout(total=10)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
        loop = asyncio.get_running_loop()
        started = loop.time()
        deadline = started + duration_s
        senders = [_sender(http, url_for, n, concurrency, deadline) for n in range(concurrency)]
        totals = sum(await asyncio.gather(*senders), Counter[str]())
        elapsed = loop.time() - started
    return CeilingResult(
        concurrency=concurrency,
        duration_s=elapsed,
        ok=totals["ok"],
        non_200=totals["non_200"],
        errors=totals["errors"],
    )
