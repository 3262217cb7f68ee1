"""The order state machine (spec §4.1): every (from, to) pair of OrderStatus."""

from __future__ import annotations

from itertools import product

import pytest

from printapi.kit.errors import Forbidden, IllegalTransition
from printapi.orders.states import TRANSITIONS, OrderStatus, can_transition, transition

CREATED, PROCESSING, SHIPPED, CANCELLED = (
    OrderStatus.CREATED,
    OrderStatus.PROCESSING,
    OrderStatus.SHIPPED,
    OrderStatus.CANCELLED,
)
# The diagram of the states module and docs/state-machines.md, written out edge by edge.
DIAGRAM = {
    (CREATED, PROCESSING),
    (CREATED, CANCELLED),
    (PROCESSING, SHIPPED),
    (PROCESSING, CANCELLED),
}
FORBIDDEN = [pair for pair in product(OrderStatus, repeat=2) if pair not in DIAGRAM]
HINTS = {
    CREATED: "From Created an order can move to: Cancelled, Processing.",
    PROCESSING: "From Processing an order can move to: Cancelled, Shipped.",
    SHIPPED: "Shipped is final: the order cannot change any more.",
    CANCELLED: "Cancelled is final: the order cannot change any more.",
}


def _name(pair: tuple[OrderStatus, OrderStatus]) -> str:
    return f"{pair[0]}->{pair[1]}"


class TestOrderTransitions:
    def test_the_wire_names_are_the_four_of_the_real_service(self) -> None:
        assert [status.value for status in OrderStatus] == ["Created", "Processing", "Shipped", "Cancelled"]

    def test_the_table_holds_exactly_the_edges_of_the_diagram(self) -> None:
        edges = {(source, target) for source, targets in TRANSITIONS.items() for target in targets}

        assert edges == DIAGRAM
        assert set(TRANSITIONS) == set(OrderStatus)

    def test_shipped_and_cancelled_are_final(self) -> None:
        assert TRANSITIONS[SHIPPED] == frozenset()
        assert TRANSITIONS[CANCELLED] == frozenset()

    def test_the_pairs_walked_cover_every_pair_once(self) -> None:
        assert len(DIAGRAM) + len(FORBIDDEN) == len(OrderStatus) ** 2

    @pytest.mark.parametrize(("current", "target"), sorted(DIAGRAM), ids=_name)
    def test_an_allowed_move_returns_the_target(self, current: OrderStatus, target: OrderStatus) -> None:
        assert can_transition(current, target)
        assert transition(current, target) is target

    @pytest.mark.parametrize(("current", "target"), FORBIDDEN, ids=_name)
    def test_any_other_move_is_forbidden_with_a_hint_naming_what_is_allowed(
        self, current: OrderStatus, target: OrderStatus
    ) -> None:
        assert not can_transition(current, target)

        with pytest.raises(IllegalTransition) as caught:
            transition(current, target)

        error = caught.value
        assert isinstance(error, Forbidden)
        assert error.status == 403
        assert error.code == "illegal_transition"
        assert error.message == f"An order cannot move from {current} to {target}."
        assert error.hints == [HINTS[current]]
        assert error.body() == {"message": error.message, "hints": [HINTS[current]], "errors": []}

    @pytest.mark.parametrize("status", list(OrderStatus))
    def test_staying_in_the_same_status_is_not_a_move(self, status: OrderStatus) -> None:
        with pytest.raises(IllegalTransition, match=f"from {status} to {status}"):
            transition(status, status)
