"""docs/state-machines.md states the transition tables; this keeps all seven equal to the code."""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import Any

import pytest

from printapi.idempotency import states as idempotency
from printapi.orders import states as orders
from printapi.payments import states as payments
from printapi.webhooks import states as webhooks

DOC = Path(__file__).parents[2] / "docs" / "state-machines.md"

# Each machine's marker in the page, its statuses and its table in the code.
MACHINES: dict[str, tuple[type[StrEnum], Mapping[Any, frozenset[StrEnum]]]] = {
    "order": (orders.OrderStatus, orders.TRANSITIONS),
    "payment": (payments.PaymentStatus, payments.TRANSITIONS),
    "refund": (payments.RefundStatus, payments.REFUND_TRANSITIONS),
    "payment-task": (payments.TaskStatus, payments.TASK_TRANSITIONS),
    "file": (orders.FileStatus, orders.FILE_TRANSITIONS),
    "notification": (webhooks.NotificationStatus, webhooks.TRANSITIONS),
    "idempotency-key": (idempotency.KeyStatus, idempotency.TRANSITIONS),
}


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
    @pytest.mark.parametrize("machine", list(MACHINES))
    def test_the_documented_transitions_are_the_code_s(self, machine: str) -> None:
        _, transitions = MACHINES[machine]
        code = {str(source): {str(target) for target in targets} for source, targets in transitions.items()}
        assert _documented_transitions(machine) == code

    @pytest.mark.parametrize("machine", list(MACHINES))
    def test_every_status_is_documented(self, machine: str) -> None:
        statuses, _ = MACHINES[machine]
        assert set(_documented_transitions(machine)) == {status.value for status in statuses}

    @pytest.mark.parametrize("machine", list(MACHINES))
    def test_every_status_has_a_row_in_the_code_s_table(self, machine: str) -> None:
        statuses, transitions = MACHINES[machine]
        assert set(transitions) == set(statuses)

    def test_every_file_status_is_explained(self) -> None:
        text = DOC.read_text()
        for status in orders.FileStatus:
            assert f"| `{status.value}` |" in text
