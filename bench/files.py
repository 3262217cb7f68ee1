"""Benchmark of print files (issue 4): preflight of a 500-page PDF, and uploads of 10 MB to 1 GB.

- Preflight: a 500-page PDF of the right size for ``boek_hc_a4_lig`` content, checked in process
  (``check_file``) and the way the server does it (``run_preflight``: a separate process with
  limits, start-up included); median of several runs.
- Uploads: for each size a fresh ``printapi serve`` (SQLite, the embedded default), a valid PDF of
  that size (one poster page plus a stream of random bytes the page does not use), streamed with
  curl from disk to the item's uploadUrl. Reported: MB/s of the whole request (receipt, storage,
  preflight, acceptance) and the server process's peak resident memory (VmHWM from /proc), which
  must stay flat as the size grows because uploads are streamed, never held in memory.
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

from common import cpu_model, git_commit, say
from doc import prepend
from printapi.files.preflight import Expectation, check_file, run_preflight
from server import access_token, create_order, environment, free_port, prepare, running, settings

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


def upload_once(workdir: Path, size_mb: int) -> Upload:
    pdf = make_pdf(
        workdir / f"poster-{size_mb}mb.pdf",
        size_mm=(303.0, 426.0),
        pages=1,
        padding_bytes=size_mb * 1024 * 1024,
    )
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = environment(settings(f"sqlite+aiosqlite:///{workdir / f'files-{size_mb}.db'}", base)) | {
        "PRINTAPI_STORAGE_DIR": str(workdir / "store"),
        "PRINTAPI_MAX_UPLOAD_BYTES": str(2 * 1024**3),
        "PRINTAPI_PREFLIGHT_TIMEOUT_SECONDS": "600",
        "PRINTAPI_DOWNLOAD_LEASE_SECONDS": "1200",
    }
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
    pdf.unlink()
    return Upload(size_mb, seconds, peak, int(status))


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
        "| upload | status | seconds | MB/s | server peak RSS |",
        "|---|---|---|---|---|",
    ]
    for u in uploads:
        rate = u.size_mb / u.seconds
        lines.append(
            f"| {u.size_mb} MB | {u.status} | {u.seconds:.2f} | {rate:.0f} | {u.peak_rss_mb:.0f} MB |"
        )
    peaks = [u.peak_rss_mb for u in uploads]
    flat = max(peaks) - min(peaks) < 50 if peaks else False
    verdict = (
        f"**met** (peak RSS {min(peaks):.0f}–{max(peaks):.0f} MB)." if flat else f"**not met** ({peaks})."
    )
    lines += [
        "",
        "MB/s covers the whole request: receiving and storing the body, preflight (reading the whole "
        f"file) and accepting it. Target (issue 4): the server's memory flat as the size grows — {verdict}",
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
        for size in (10, 50) if args.quick else SIZES_MB:
            say(f"upload of {size} MB")
            uploads.append(upload_once(workdir, size))
            say(f"  {uploads[-1]}")
    prepend(args.output, report(preflight, uploads, quick=args.quick))
    say(f"written to {args.output}")


if __name__ == "__main__":
    main()
