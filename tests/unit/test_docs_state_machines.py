"""docs/state-machines.md states the transition tables; this keeps them equal to the code."""

from __future__ import annotations

import re
from pathlib import Path

from printapi.orders.states import TRANSITIONS, FileStatus, OrderStatus

DOC = Path(__file__).parents[2] / "docs" / "state-machines.md"


def _documented_transitions(machine: str) -> dict[str, set[str]]:
    text = DOC.read_text()
    block = re.search(rf"<!-- transitions:{machine} -->(.*?)<!-- /transitions:{machine} -->", text, re.S)
    assert block, f"no transitions:{machine} table in {DOC}"
    table: dict[str, set[str]] = {}
    for line in block.group(1).strip().splitlines()[2:]:
        source, targets = (cell.strip() for cell in line.strip("|").split("|"))
        table[source] = {t.strip() for t in targets.split(",") if t.strip() not in ("", "—")}
    return table


class TestStateMachineDocs:
    def test_the_documented_order_transitions_are_the_code_s(self) -> None:
        code = {str(source): {str(target) for target in targets} for source, targets in TRANSITIONS.items()}
        assert _documented_transitions("order") == code

    def test_every_order_status_is_documented(self) -> None:
        assert set(_documented_transitions("order")) == {status.value for status in OrderStatus}

    def test_every_file_status_is_documented(self) -> None:
        text = DOC.read_text()
        for status in FileStatus:
            assert f"| `{status.value}` |" in text
