"""Preflight: a print file checked against the product's file spec (spec §3.7, §3.11; issue 4).

``check_file`` checks in this process. ``run_preflight`` runs the same check in a child process
(``python -m printapi.files.preflight``: a JSON request on stdin, the JSON result on stdout) under
a memory limit and a time limit, because crafted PDFs and images have made parsers loop or blow
up; a child that overruns is killed and the file gets a finding instead. Nothing here raises for
a bad file: every problem is a ``Finding``.

The child limits itself (``RLIMIT_AS``, and ``RLIMIT_CPU`` as a backstop to the parent's timer) as
its first act after loading the parsers and before it opens the file. A ``preexec_fn`` would set
the limit before exec instead, but Python runs it in a fork of the server, whose other threads
(aiosqlite, the thread pool) can hold locks the fork then waits on forever.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import logging
import math
import resource
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from printapi.files.preflight_model import ERROR, FILE_TYPES, WARNING, Expectation, Finding, Result

if TYPE_CHECKING:
    import asyncio

__all__ = [
    "ERROR",
    "FILE_TYPES",
    "WARNING",
    "Expectation",
    "Finding",
    "Result",
    "check_file",
    "run_preflight",
    "sniff",
]

CHILD_MODULE: Final = "printapi.files.preflight"
SNIFF_BYTES: Final = 1024  # PDF readers accept a header anywhere in the first KiB
OUT_OF_MEMORY_EXIT: Final = 3
PARSERS: Final = ("printapi.files.preflight_pdf", "printapi.files.preflight_image")
_STDERR_LOGGED: Final = 2000
# The child runs this module as its main: asyncio and structlog, which only the parent uses, are
# imported where the parent uses them, so that each child (one per print file) starts without
# them (0.17 -> 0.09 s of CPU). structlog directly rather than printapi.kit.logging: that module
# loads Starlette.
LOGGER: Final = "printapi.preflight"


def sniff(head: bytes) -> str | None:
    """The file type its first bytes show: "PDF", "PNG", "JPEG", or None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if b"%PDF-" in head[:SNIFF_BYTES]:
        return "PDF"
    return None


def check_file(path: Path, expectation: Expectation, *, declared_type: str | None) -> Result:
    """Every finding for the file at ``path``; ``declared_type`` is the type the sender gave, if any."""
    try:
        with path.open("rb") as stream:
            head = stream.read(SNIFF_BYTES)
    except OSError as exc:
        return Result.failed("unreadable", f"the file cannot be read: {exc.strerror or exc}")
    if not head:
        return Result.failed("empty", "the file is empty (0 bytes)")
    kind = sniff(head)
    if kind is None:
        return Result.failed("unreadable", "the file is not a PDF, PNG or JPEG: its first bytes match none")
    findings = _type_findings(kind, expectation, declared_type)
    if kind not in expectation.accepts:
        # Sizes and pages of a type the slot does not take would only add noise to the report.
        return Result(kind, None, tuple(findings))
    pages, content = _check_content(path, kind, expectation)
    return Result(kind, pages, (*findings, *content))


def _type_findings(kind: str, expectation: Expectation, declared_type: str | None) -> list[Finding]:
    findings = []
    if kind not in expectation.accepts:
        accepted = _one_of(expectation.accepts)
        message = f"the file is a {kind}; the {expectation.file_id} file of this product must be {accepted}"
        findings.append(Finding(ERROR, "type_not_accepted", message))
    if declared_type is not None and declared_type != kind:
        message = f"the file was sent as {declared_type} but is a {kind}"
        findings.append(Finding(ERROR, "type_mismatch", message))
    return findings


def _one_of(kinds: tuple[str, ...]) -> str:
    if not kinds:
        return "of a type it accepts (it accepts none)"
    return kinds[0] if len(kinds) == 1 else f"{', '.join(kinds[:-1])} or {kinds[-1]}"


def _check_content(path: Path, kind: str, expectation: Expectation) -> tuple[int | None, list[Finding]]:
    # Imported here so that the server, which only starts children, never loads pikepdf or Pillow.
    if kind == "PDF":
        from printapi.files.preflight_pdf import check_pdf  # noqa: PLC0415 - see above

        return check_pdf(path, expectation)
    from printapi.files.preflight_image import check_image  # noqa: PLC0415 - see above

    return 1, check_image(path, kind, expectation)


# -- in a child process ------------------------------------------------------------------------


async def run_preflight(
    path: Path,
    expectation: Expectation,
    *,
    declared_type: str | None,
    timeout_seconds: float = 60,
    memory_mb: int = 1024,
) -> Result:
    """``check_file`` in a child process that may use ``memory_mb`` and gets ``timeout_seconds``."""
    import asyncio  # noqa: PLC0415 - the parent's only: see LOGGER

    request = {
        "path": str(path),
        "expectation": expectation.as_dict(),
        "declaredType": declared_type,
        "memoryMb": memory_mb,
        "cpuSeconds": math.ceil(timeout_seconds) + 1,
    }
    starting = asyncio.ensure_future(
        asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            CHILD_MODULE,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
    )
    try:
        process = await asyncio.shield(starting)
    except asyncio.CancelledError:
        # Cancelled while the child was being started (on uvloop it runs before the start returns):
        # it must not outlive the request either.
        await _stop(await starting)
        raise
    try:
        async with asyncio.timeout(timeout_seconds):
            out, err = await process.communicate(json.dumps(request).encode())
    except TimeoutError:
        await _stop(process)
        message = f"the file could not be checked within {timeout_seconds:g} seconds"
        return Result.failed("timeout", message, file_type=await _sniff_path(path))
    except BaseException:  # cancelled: the child must not outlive the request that started it
        await _stop(process)
        raise
    return await _answer(process.returncode, out, err, path=path, memory_mb=memory_mb)


async def _stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        with contextlib.suppress(ProcessLookupError):  # it may end on its own meanwhile
            process.kill()
        await process.wait()


async def _answer(returncode: int | None, out: bytes, err: bytes, *, path: Path, memory_mb: int) -> Result:
    if returncode == OUT_OF_MEMORY_EXIT:
        message = f"the file could not be checked: checking it needs more than {memory_mb} MB of memory"
        return Result.failed("unreadable", message, file_type=await _sniff_path(path))
    if returncode == 0:
        try:
            return Result.from_dict(json.loads(out))
        except (ValueError, KeyError, TypeError, IndexError):
            how = "it gave no result"
    elif returncode is not None and returncode < 0:
        how = f"it was killed by signal {-returncode}"
    else:
        how = f"it stopped with exit code {returncode}"
    import structlog  # noqa: PLC0415 - the parent's only: see LOGGER

    structlog.get_logger(LOGGER).warning("preflight.child_failed", path=str(path), how=how, stderr=_tail(err))
    message = f"the file could not be checked: the checker failed ({how})"
    return Result.failed("unreadable", message, file_type=await _sniff_path(path))


def _tail(err: bytes) -> str:
    return err[-_STDERR_LOGGED:].decode(errors="replace")


async def _sniff_path(path: Path) -> str | None:
    import asyncio  # noqa: PLC0415 - the parent's only: see LOGGER

    def head() -> bytes:
        try:
            with path.open("rb") as stream:
                return stream.read(SNIFF_BYTES)
        except OSError:
            return b""

    return sniff(await asyncio.to_thread(head))


def _limit_resources(*, memory_mb: int, cpu_seconds: int) -> None:
    _lower(resource.RLIMIT_AS, memory_mb * 2**20)  # allocations beyond it raise MemoryError
    _lower(resource.RLIMIT_CPU, cpu_seconds)  # SIGXCPU ends the child should the parent's timer not


def _lower(kind: int, value: int) -> None:
    _, hard = resource.getrlimit(kind)
    resource.setrlimit(kind, (value if hard == resource.RLIM_INFINITY else min(value, hard), hard))


def main() -> int:
    """The child: one JSON request on stdin, one JSON result on stdout (exit 3: out of memory)."""
    request: dict[str, Any] = json.loads(sys.stdin.buffer.read())
    # Load the parsers before the limit, so a tight limit fails on the file and not on a library.
    for parser in PARSERS:
        importlib.import_module(parser)

    logging.getLogger("pikepdf").setLevel(logging.ERROR)  # qpdf's notes on repairs would flood stderr
    _limit_resources(memory_mb=int(request["memoryMb"]), cpu_seconds=int(request["cpuSeconds"]))
    try:
        expectation = Expectation.from_dict(request["expectation"])
        result = check_file(Path(request["path"]), expectation, declared_type=request["declaredType"])
    except MemoryError:
        return OUT_OF_MEMORY_EXIT
    sys.stdout.write(json.dumps(result.as_dict()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
