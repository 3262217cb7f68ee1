"""What a shop may do with an order (``orders/actions.py``): the tables against the state machines,
every stage and fact, and the production delay setting. Pure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import product

import pytest
from pydantic import ValidationError

from printapi.config import Mode, Settings, parse_delay
from printapi.orders import service
from printapi.orders.actions import (
    CANCEL_REFUSALS,
    STAGE_ACTIONS,
    TAKES_UPLOAD,
    Action,
    CheckoutState,
    Facts,
    Stage,
    allowed,
    cancel_refusal,
    stage_of,
)
from printapi.orders.states import TRANSITIONS, FileStatus, OrderStatus
from printapi.payments.states import TRANSITIONS as PAYMENT_TRANSITIONS
from printapi.payments.states import PaymentStatus

NOW = datetime(2025, 3, 29, 20, 40, tzinfo=UTC)
# The order status each stage is a part of.
STATUS_OF = {
    Stage.CREATED: OrderStatus.CREATED,
    Stage.WAITING_FOR_PRODUCTION: OrderStatus.PROCESSING,
    Stage.IN_PRODUCTION: OrderStatus.PROCESSING,
    Stage.SHIPPED: OrderStatus.SHIPPED,
    Stage.CANCELLED: OrderStatus.CANCELLED,
}


class TestTheTables:
    def test_every_stage_has_its_actions_and_every_refused_cancel_its_reason(self) -> None:
        assert set(STAGE_ACTIONS) == set(Stage)
        assert {stage for stage in Stage if Action.CANCEL not in STAGE_ACTIONS[stage]} == set(CANCEL_REFUSALS)

    def test_cancel_is_offered_only_where_the_order_machine_allows_cancelled(self) -> None:
        for stage in Stage:
            if Action.CANCEL in STAGE_ACTIONS[stage]:
                assert OrderStatus.CANCELLED in TRANSITIONS[STATUS_OF[stage]], stage

    def test_a_final_status_allows_nothing(self) -> None:
        for stage, status in STATUS_OF.items():
            if not TRANSITIONS[status]:
                assert STAGE_ACTIONS[stage] == frozenset(), stage

    def test_the_payment_status_that_can_still_change_is_the_one_orders_names(self) -> None:
        changing = {status for status, targets in PAYMENT_TRANSITIONS.items() if targets}
        assert changing == {PaymentStatus.OPEN}
        assert PaymentStatus.OPEN.value == service.PAYMENT_OPEN

    def test_a_file_takes_an_upload_while_it_waits_for_one_or_its_download_failed(self) -> None:
        assert {FileStatus.AWAITING_UPLOAD, FileStatus.DOWNLOAD_FAILED} == TAKES_UPLOAD


class TestTheStage:
    @pytest.mark.parametrize(
        ("status", "starts", "stage"),
        [
            (OrderStatus.CREATED, None, Stage.CREATED),
            (OrderStatus.PROCESSING, NOW + timedelta(microseconds=1), Stage.WAITING_FOR_PRODUCTION),
            (OrderStatus.PROCESSING, NOW, Stage.IN_PRODUCTION),
            (OrderStatus.PROCESSING, NOW - timedelta(hours=1), Stage.IN_PRODUCTION),
            (OrderStatus.PROCESSING, None, Stage.IN_PRODUCTION),  # older than the window
            (OrderStatus.SHIPPED, NOW + timedelta(hours=1), Stage.SHIPPED),
            (OrderStatus.CANCELLED, None, Stage.CANCELLED),
        ],
    )
    def test_processing_is_split_at_the_production_start(
        self, status: OrderStatus, starts: datetime | None, stage: Stage
    ) -> None:
        assert stage_of(status, starts, NOW) is stage


class TestAllowed:
    def test_every_stage_and_fact(self) -> None:
        for stage, paying, uploads in product(Stage, CheckoutState, (False, True)):
            actions = allowed(stage, Facts(paying, uploads))
            assert set(actions) <= STAGE_ACTIONS[stage]
            assert (Action.CANCEL in actions) is (cancel_refusal(stage) is None)
            assert (Action.SETUP_CHECKOUT in actions) is (
                stage is Stage.CREATED and paying is CheckoutState.OPEN
            )
            assert (Action.UPLOAD_FILES in actions) is (stage is Stage.CREATED and uploads)

    def test_they_come_in_a_stable_order(self) -> None:
        facts = Facts(CheckoutState.OPEN, files_to_upload=True)
        assert allowed(Stage.CREATED, facts) == ["cancel", "setupCheckout", "uploadFiles"]


class TestTheDelaySetting:
    @pytest.mark.parametrize(
        ("text", "delay"),
        [
            ("0", timedelta(0)),
            ("60", timedelta(minutes=60)),
            ("2880", timedelta(minutes=2880)),
            ("90m", timedelta(minutes=90)),
            ("2h", timedelta(hours=2)),
            ("30s", timedelta(seconds=30)),
        ],
    )
    def test_minutes_or_a_duration(self, text: str, delay: timedelta) -> None:
        assert parse_delay(text) == delay
        assert Settings(mode=Mode.DEVELOPMENT, production_delay=text).production_window == delay

    @pytest.mark.parametrize("text", ["", "soon", "-5", "1h,2h", "8d", "10081"])
    def test_anything_else_stops_the_start(self, text: str) -> None:
        with pytest.raises(ValidationError, match="production_delay"):
            Settings(mode=Mode.DEVELOPMENT, production_delay=text)

    def test_the_default_is_today_s_behaviour(self) -> None:
        assert Settings(mode=Mode.DEVELOPMENT).production_window == timedelta(0)
