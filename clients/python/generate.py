"""Generates the SDK's typed half from the server's OpenAPI document: ``make client``.

1. The document is taken from the app in process (no server, no database), as
   ``GET /v2/openapi.json`` serves it, and written to ``clients/python/openapi.json``.
2. openapi-python-client (pinned by ``client-generator.txt``, in ``.venv/client-generator``: it needs
   a typer older than printapi's) generates ``printapi_client/generated/`` from it, with the
   settings of ``generator.yaml``.

Both are written into a fresh temporary folder and then moved into place, so that a generation is
the same wherever it runs; ``--into DIR`` leaves them in ``DIR`` instead (the drift test in
``tests/api/test_openapi.py`` compares that with what is committed). Run with the server's
interpreter: ``.venv/bin/python clients/python/generate.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DOCUMENT = "openapi.json"
GENERATED = Path("printapi_client") / "generated"
CONFIG = HERE / "generator.yaml"
# Where the generator is installed; PRINTAPI_CLIENT_GENERATOR_BIN may name another bin directory.
GENERATOR_BIN = Path(
    os.environ.get("PRINTAPI_CLIENT_GENERATOR_BIN", Path(sys.prefix) / "client-generator" / "bin")
)


def served_document() -> dict[str, Any]:
    """The OpenAPI document as the app serves it, with settings that do not depend on the environment."""
    from printapi.app import create_app  # noqa: PLC0415 - the server is needed only here
    from printapi.config import Settings  # noqa: PLC0415

    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            mode="development",
            database_url=f"sqlite+aiosqlite:///{folder}/unused.db",  # never opened
            storage_dir=f"{folder}/files",
            public_url="http://127.0.0.1:8080",
            bench_routes=False,
            log_level="WARNING",
        )
        document: dict[str, Any] = create_app(settings).openapi()
    return document


def generate(into: Path) -> str:
    """Writes ``into/openapi.json`` and ``into/printapi_client/generated/``; the generator's output."""
    generator = GENERATOR_BIN / "openapi-python-client"
    if not generator.exists():
        raise SystemExit(
            f"no {generator}: run `make .venv/.installed` (or set PRINTAPI_CLIENT_GENERATOR_BIN)"
        )
    document = into / DOCUMENT
    document.write_text(json.dumps(served_document(), indent=2, ensure_ascii=False) + "\n")
    # PATH first: the generator formats its output with the ruff of its own virtualenv.
    env = {**os.environ, "PATH": f"{GENERATOR_BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    result = subprocess.run(  # noqa: S603 - our pinned generator on our own document
        [
            str(generator),
            "generate",
            "--path",
            str(document),
            "--meta",
            "none",
            "--config",
            str(CONFIG),
            "--output-path",
            str(into / GENERATED),
        ],
        cwd=into,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = result.stdout + result.stderr
    if result.returncode != 0:
        raise SystemExit(f"openapi-python-client failed ({result.returncode}):\n{output}")
    return output


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--into", type=Path, help="write here instead of into clients/python")
    arguments = parser.parse_args()
    if arguments.into is not None:
        arguments.into.mkdir(parents=True, exist_ok=True)
        print(generate(arguments.into))  # the generator's report, its warnings among it
        return
    with tempfile.TemporaryDirectory() as folder:
        fresh = Path(folder)
        print(generate(fresh))  # the generator's report, its warnings among it
        shutil.rmtree(HERE / GENERATED, ignore_errors=True)
        shutil.copytree(fresh / GENERATED, HERE / GENERATED)
        shutil.copyfile(fresh / DOCUMENT, HERE / DOCUMENT)
    print(f"generated {HERE / GENERATED} from {HERE / DOCUMENT}")


if __name__ == "__main__":
    main()
