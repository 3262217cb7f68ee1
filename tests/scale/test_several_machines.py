"""A print shop beyond one machine, as docs/operations.md deploys it: PostgreSQL, print files in an
S3-compatible object store (rclone's ``serve s3`` on loopback), two API processes that share
nothing but the database and the store, and two ``printapi worker`` processes, one of which leads
the periodic jobs.

One test walks the mission's loop across the processes: a file uploaded through one API process
and one downloaded by URL by whichever worker claims it are preflighted, accepted and readable
through the other API process; the order reaches Processing and Shipped; every webhook is
delivered once; and killing the leading worker hands the periodic jobs (here: the expiry of an
unpaid payment link) to the other worker within seconds.
"""

from __future__ import annotations

import asyncio
import signal
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiohttp import web

from tests.e2e.processes import Deployment, ShippedProcess, environment, run_command, spawn, wait_ready
from tests.e2e.shop import Shop, open_shop, until
from tests.files.make_files import make_pdf
from tests.integration.conftest import (
    drop_postgres_database,
    fresh_postgres_database,
    postgres_server_or_skip,
)
from tests.s3server import Bucket, s3_server
from tests.webhooks.conftest import Receiver, free_port, loopback_site, receiver  # noqa: F401 - a fixture

pytestmark = pytest.mark.postgres

BOOK = {"productId": "boek_hc_a5_sta", "pageCount": 32, "quantity": 1}
CONTENT_MM = (154.0, 216.0)
COVER_MM = (348.56, 253.0)
HOOK = "/hooks/cluster"
# A leader that dies is replaced at the next try of another worker (PRINTAPI_LEADER_RETRY_SECONDS,
# 2 s by default, as shipped).
TAKEOVER_SECONDS = 10


class Cluster:
    """The processes of one deployment: API processes ``a`` and ``b``, workers ``w1`` and ``w2``."""

    def __init__(self, deployment: Deployment, api: dict[str, str], workers: dict[str, str], bucket: Bucket):
        self.deployment, self.api, self.workers, self.bucket = deployment, api, workers, bucket

    def process(self, name: str) -> ShippedProcess:
        return self.deployment.process(name)

    async def readiness(self, worker: str) -> dict[str, Any]:
        async with httpx.AsyncClient(base_url=self.workers[worker], timeout=5) as http:
            answer = await http.get("/readyz")
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        return body

    async def leaders(self, *among: str) -> list[str]:
        return [name for name in among if (await self.readiness(name))["leader"]]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    server = postgres_server_or_skip()
    folder = tmp_path_factory.mktemp("cluster")
    database, url = fresh_postgres_database(server)
    try:
        with s3_server(folder / "store") as store:
            bucket = asyncio.run(store.new_bucket())
            storage = {f"PRINTAPI_{key.upper()}": str(value) for key, value in bucket.settings().items()}
            ports = {name: free_port() for name in ("a", "b", "w1", "w2")}
            api = {name: f"http://127.0.0.1:{ports[name]}" for name in ("a", "b")}
            workers = {name: f"http://127.0.0.1:{ports[name]}" for name in ("w1", "w2")}
            extra = {
                **storage,
                # The unpaid link outlives the instant between its set-up and the leader's kill, and
                # no more: the follower, once it leads, expires it.
                "PRINTAPI_PAYMENT_TTL_SECONDS": "3",
                "PRINTAPI_STORAGE_DIR": str(folder / "none"),
            }
            deployment = Deployment(
                "postgres",
                api["a"],
                environment(database_url=url, base=api["a"], folder=folder, extra=extra),
                folder,
            )
            run_command(deployment, "migrate")
            run_command(deployment, "seed")
            try:
                for process in ("a", "b"):
                    spawn(
                        deployment,
                        process,
                        "serve",
                        "--host",
                        "127.0.0.1",
                        "--port",
                        str(ports[process]),
                        "--no-worker",
                    )
                for process in ("w1", "w2"):
                    spawn(
                        deployment,
                        process,
                        "worker",
                        "--metrics-host",
                        "127.0.0.1",
                        "--metrics-port",
                        str(ports[process]),
                    )
                for base in (*api.values(), *workers.values()):
                    wait_ready(deployment, base)
                yield Cluster(deployment, api, workers, bucket)
            finally:
                deployment.stop()
            for shipped in deployment.processes:
                assert "Traceback" not in shipped.log_text(), f"{shipped.name}:\n{shipped.log_text()}"
    finally:
        drop_postgres_database(server, database)


@pytest.fixture
async def via_a(cluster: Cluster) -> AsyncIterator[Shop]:
    async with httpx.AsyncClient(base_url=cluster.api["a"], timeout=20) as http:
        yield await open_shop(cluster.deployment, http)


@pytest.fixture
async def via_b(cluster: Cluster, via_a: Shop) -> AsyncIterator[Shop]:
    """The same shop (same token), talking to the other API process."""
    async with httpx.AsyncClient(base_url=cluster.api["b"], timeout=20) as http:
        yield Shop(via_a.email, http, via_a.headers)


@pytest.fixture
async def cdn(tmp_path: Path) -> AsyncIterator[tuple[str, dict[str, bytes]]]:
    """The shop's file server (a download by URL): its base URL and the files it serves."""
    files: dict[str, bytes] = {}

    async def serve(request: web.Request) -> web.Response:
        return web.Response(body=files[request.match_info["name"]], content_type="application/pdf")

    app = web.Application()
    app.router.add_get("/files/{name}", serve)
    async with loopback_site(app) as base:
        yield base, files


async def accepted_everywhere(shops: tuple[Shop, Shop], order_id: str) -> dict[str, Any] | None:
    for shop in shops:
        order = await shop.order(order_id)
        if {file["status"] for file in order["items"][0]["files"].values()} != {"Accepted"}:
            return None
    return order


class TestSeveralApiProcessesAndWorkersOnOneDatabaseAndOneStore:
    async def test_the_order_loop_crosses_the_processes_and_the_leader_s_jobs_move_when_it_dies(
        self,
        cluster: Cluster,
        via_a: Shop,
        via_b: Shop,
        receiver: Receiver,  # noqa: F811 - the imported fixture, requested by its name
        cdn: tuple[str, dict[str, bytes]],
        tmp_path: Path,
    ) -> None:
        base, files = cdn
        files["content.pdf"] = make_pdf(tmp_path / "content.pdf", size_mm=CONTENT_MM, pages=32).read_bytes()
        cover = make_pdf(tmp_path / "cover.pdf", size_mm=COVER_MM).read_bytes()
        await via_a.add_endpoint(receiver.url(HOOK))

        # Files: one downloaded by a worker, one uploaded through API process a.
        placed = await via_a.place(
            {**BOOK, "files": {"content": f"{base}/files/content.pdf"}}, order_id="wide-1"
        )
        await via_a.upload(placed["items"][0]["files"]["cover"]["uploadUrl"], cover)
        order = await until(
            lambda: accepted_everywhere((via_a, via_b), "wide-1"), seconds=60, what="both files Accepted"
        )
        assert order["status"] == "Processing"

        # Both are in the store, not on any process's disk, and readable through process b.
        keys = await cluster.bucket.keys()
        assert len(keys) == 2
        assert not (cluster.deployment.folder / "none").exists()
        for kind, data in (("cover", cover), ("content", files["content.pdf"])):
            read = await via_b.http.get(
                f"/v2/orders/wide-1/items/{order['items'][0]['id']}/files/{kind}",
                headers=via_b.headers,
                follow_redirects=True,
            )
            assert read.status_code == 200, read.text
            assert read.content == data

        # Shipped through process b; every change's webhook arrives once.
        moved = await via_b.post("/v2/orders/wide-1/status", json={"status": "Shipped"})
        assert moved.status_code == 200, moved.text
        await until(lambda: shipped_and_heard(via_a, receiver), seconds=30, what="Shipped and both webhooks")

        # The periodic jobs: exactly one worker leads them; an unpaid link expires where it leads.
        leaders = await cluster.leaders("w1", "w2")
        assert len(leaders) == 1
        [leader] = leaders
        follower = "w2" if leader == "w1" else "w1"
        switched = await cluster.deployment.cli(
            "accounts", "update", "--email", via_a.email, "--payment-screen", "on"
        )
        assert "payment screen on" in switched.output
        unpaid = await via_b.place(BOOK, order_id="wide-unpaid")
        checkout = await via_b.post(
            unpaid["checkout"]["setupUrl"],
            json={"returnUrl": "https://shop.example/thanks", "billing": {"address": ADDRESS}},
        )
        assert checkout.status_code == 201, checkout.text

        cluster.process(leader).popen.send_signal(signal.SIGKILL)
        cluster.process(leader).popen.wait()
        killed_at = time.monotonic()
        await until(
            lambda: took_over(cluster, follower), seconds=TAKEOVER_SECONDS, what=f"{follower} leading"
        )
        assert time.monotonic() - killed_at < TAKEOVER_SECONDS
        expired = await until(lambda: expired_link(via_a, "wide-unpaid"), seconds=30, what="the link expired")
        assert expired == {"id": "wide-unpaid", "order": "Cancelled", "payment": "Cancelled"}

        # Every notification was delivered exactly once, the killed worker's included.
        await until(lambda: all_delivered(via_a, "wide-1", "wide-unpaid"), seconds=30, what="all delivered")
        counts = Counter(call.headers["webhook-id"] for call in receiver.to(HOOK))
        assert counts
        assert set(counts.values()) == {1}
        assert sorted(call.body for call in receiver.to(HOOK)) == [
            b"orderId=wide-1",
            b"orderId=wide-1",
            b"orderId=wide-unpaid",
        ]


ADDRESS = {
    "name": "K. Klant",
    "line1": "Dorpsstraat 1",
    "postCode": "1234 AB",
    "city": "Utrecht",
    "country": "NL",
    "email": "klant@example.nl",
}


async def shipped_and_heard(shop: Shop, receiver: Receiver) -> bool | None:  # noqa: F811
    order = await shop.order("wide-1")
    return (order["status"] == "Shipped" and len(receiver.to(HOOK)) >= 2) or None


async def took_over(cluster: Cluster, worker: str) -> bool | None:
    return (await cluster.readiness(worker))["leader"] or None


async def expired_link(shop: Shop, order_id: str) -> dict[str, Any] | None:
    statuses = await shop.statuses(order_id)
    return statuses if statuses.get("payment") == "Cancelled" else None


async def all_delivered(shop: Shop, *order_ids: str) -> bool | None:
    for order_id in order_ids:
        if await shop.delivered(order_id) is None:
            return None
    return True
