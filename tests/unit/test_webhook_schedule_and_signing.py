"""The webhook retry schedule and Standard Webhooks signatures (pure)."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from standardwebhooks.webhooks import Webhook

from printapi.kit import schedule
from printapi.kit.errors import IllegalTransition
from printapi.webhooks import signing
from printapi.webhooks.states import FINAL, TRANSITIONS, NotificationStatus, sources, transition


class TestSchedule:
    def test_the_default_is_print_api_s_promise_of_ten_attempts(self) -> None:
        waits = schedule.parse(schedule.DEFAULT)

        assert schedule.attempts_in_all(waits) == 10
        assert waits[:2] == (timedelta(minutes=2), timedelta(minutes=5))
        assert waits[2:] == (timedelta(minutes=60),) * 7

    @pytest.mark.parametrize(
        ("text", "seconds"),
        [("1s", 1), ("250ms", 0.25), ("2m", 120), ("1.5h", 5400), (" 3 s ", 3)],
    )
    def test_units_are_understood(self, text: str, seconds: float) -> None:
        assert schedule.parse(text) == (timedelta(seconds=seconds),)

    @pytest.mark.parametrize("text", ["2", "2d", "m5", "1s,,2s", "-1s", "fast"])
    def test_bad_waits_are_refused_with_the_bad_part_named(self, text: str) -> None:
        with pytest.raises(ValueError, match="bad wait"):
            schedule.parse(text)

    def test_after_the_last_wait_there_is_no_next_attempt(self) -> None:
        waits = schedule.parse("1s,2s")

        assert schedule.next_wait(waits, failed_attempts=2, random=lambda: 0.5) == timedelta(seconds=2)
        assert schedule.next_wait(waits, failed_attempts=3, random=lambda: 0.5) is None

    @given(st.floats(min_value=0, max_value=1, exclude_max=True), st.integers(min_value=1, max_value=9))
    def test_jitter_stays_within_ten_percent(self, draw: float, failed: int) -> None:
        waits = schedule.parse(schedule.DEFAULT)
        wait = schedule.next_wait(waits, failed_attempts=failed, random=lambda: draw)

        assert wait is not None
        base = waits[failed - 1]
        assert base * 0.9 <= wait <= base * 1.1


class TestSigning:
    def test_a_signature_verifies_with_the_reference_implementation(self) -> None:
        secret = signing.new_secret()
        body = b"orderId=83432183"
        moment = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)

        ours = signing.sign(secret, message_id="msg_1", timestamp=int(moment.timestamp()), body=body)

        assert ours == Webhook(secret).sign("msg_1", moment, body.decode())

    def test_a_secret_is_whsec_and_24_random_bytes(self) -> None:
        secret = signing.new_secret()

        assert secret.startswith("whsec_")
        assert len(base64.b64decode(secret.removeprefix("whsec_"))) == 24
        assert signing.new_secret() != secret

    def test_two_secrets_give_two_space_separated_signatures(self) -> None:
        first, second = signing.new_secret(), signing.new_secret()
        header = signing.signature_header([first, second], message_id="msg_1", timestamp=1, body=b"x")

        assert header.split(" ") == [
            signing.sign(first, message_id="msg_1", timestamp=1, body=b"x"),
            signing.sign(second, message_id="msg_1", timestamp=1, body=b"x"),
        ]


class TestNotificationStates:
    @pytest.mark.parametrize("current", list(NotificationStatus))
    @pytest.mark.parametrize("target", list(NotificationStatus))
    def test_every_pair_follows_the_table(
        self, current: NotificationStatus, target: NotificationStatus
    ) -> None:
        if target in TRANSITIONS[current]:
            assert transition(current, target) is target
        else:
            with pytest.raises(IllegalTransition):
                transition(current, target)

    def test_only_pending_can_move(self) -> None:
        assert [status for status, targets in TRANSITIONS.items() if targets] == [NotificationStatus.PENDING]

    @pytest.mark.parametrize("target", list(NotificationStatus))
    def test_the_sources_of_a_status_are_those_the_table_lets_move_to_it(
        self, target: NotificationStatus
    ) -> None:
        """``sources`` is the status guard of the SQL that records ``target`` (repository/attempts.py)."""
        assert sources(target) == {
            current for current in NotificationStatus if target in TRANSITIONS[current]
        }

    def test_delivered_failed_and_cancelled_are_final_and_reached_only_from_pending(self) -> None:
        done = {NotificationStatus.DELIVERED, NotificationStatus.FAILED, NotificationStatus.CANCELLED}

        assert done == FINAL
        assert all(sources(status) == {NotificationStatus.PENDING} for status in done)
        assert sources(NotificationStatus.PENDING) == set()
