"""The webhook sink of bench/webhooks.py, run in its own process so it never shares the measurer's CPU.

    .venv/bin/python bench/wh_sink.py --port PORT --tarpit-port PORT

- ``POST /hook/...`` answers 200 at once and records the wall-clock receipt time (``time.time()``,
  taken before the body is read), the path, ``orderId`` from the form body and the ``webhook-id``
  header. Nothing else is done per request, so the sink stays as cheap as a receiver can be.
- The tarpit port accepts connections, reads what comes and never answers: the endpoints that time
  out. A connection is closed when the caller gives up. Connections are counted.
- ``GET /_stats`` answers ``{"received": N, "tarpit_connections": M, "tarpit_open": K}``.
- ``POST /_take`` answers the records so far as JSON (``[[time, path, orderId, webhookId], ...]``)
  and forgets them.

It runs until SIGTERM or SIGINT.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from aiohttp import web

HOST = "127.0.0.1"
Record = tuple[float, str, str, str]


@dataclass
class Tallies:
    records: list[Record] = field(default_factory=list)
    received: int = 0
    tarpit_connections: int = 0
    tarpit_open: int = 0


def order_id_of(body: bytes) -> str:
    return dict(parse_qsl(body.decode("utf-8", "replace"))).get("orderId", "")


def make_app(tallies: Tallies) -> web.Application:
    async def hook(request: web.Request) -> web.Response:
        received_at = time.time()
        body = await request.read()
        webhook_id = request.headers.get("webhook-id", "")
        tallies.records.append((received_at, request.path, order_id_of(body), webhook_id))
        tallies.received += 1
        return web.Response(text="ok")

    async def stats(_request: web.Request) -> web.Response:
        return web.json_response(
            {
                "received": tallies.received,
                "tarpit_connections": tallies.tarpit_connections,
                "tarpit_open": tallies.tarpit_open,
            }
        )

    async def take(_request: web.Request) -> web.Response:
        records, tallies.records = tallies.records, []
        return web.json_response(records)

    app = web.Application()
    app.router.add_post("/hook/{tail:.*}", hook)
    app.router.add_get("/_stats", stats)
    app.router.add_post("/_take", take)
    return app


def tarpit_handler(
    tallies: Tallies,
) -> Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]:
    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        tallies.tarpit_connections += 1
        tallies.tarpit_open += 1
        try:
            while await reader.read(65536):
                pass  # never answer; the caller times out and closes
        except OSError:
            pass
        finally:
            tallies.tarpit_open -= 1
            writer.close()

    return hold


async def serve(port: int, tarpit_port: int) -> None:
    tallies = Tallies()
    runner = web.AppRunner(make_app(tallies), access_log=None, handle_signals=False)
    await runner.setup()
    await web.TCPSite(runner, HOST, port, backlog=1024).start()
    tarpit = await asyncio.start_server(tarpit_handler(tallies), HOST, tarpit_port, backlog=1024)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stopping.set)
    try:
        await stopping.wait()
    finally:
        tarpit.close()
        await runner.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description="webhook sink of bench/webhooks.py")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--tarpit-port", type=int, required=True)
    args = parser.parse_args()
    asyncio.run(serve(args.port, args.tarpit_port))


if __name__ == "__main__":
    main()
