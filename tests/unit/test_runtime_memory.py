"""``freeze_startup_objects``: what a long-running process made while starting leaves the
collector's sight, so that a full collection no longer walks it."""

from __future__ import annotations

import subprocess
import sys

from uvicorn.importer import import_from_string

from printapi import app, cli

# Run in a fresh interpreter: in the test process, after thousands of tests, the collection that
# freezing starts with walked a heap of millions of objects (16 s).
CHECK = """
import gc

from printapi.runtime import freeze_startup_objects

at_start = [["made before"] for _ in range(1000)]
freeze_startup_objects()
frozen = gc.get_freeze_count()
later = [["made after"] for _ in range(1000)]

assert frozen >= len(at_start), frozen
assert gc.get_freeze_count() == frozen
assert sum(1 for obj in gc.get_objects() if obj is at_start[0]) == 0  # out of the collector's sight
assert any(obj is later[0] for obj in gc.get_objects())
print("checked")
"""


def test_objects_alive_at_start_are_frozen_and_later_ones_are_not() -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHECK], capture_output=True, text=True, timeout=60, check=False
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout == "checked\n"


def test_printapi_serve_starts_the_app_that_freezes() -> None:
    assert import_from_string(cli.SERVED_APP) is app.create_served_app
