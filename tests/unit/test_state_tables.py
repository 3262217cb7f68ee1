"""The payment, file, notification and idempotency key machines: every (from, to) pair, and the
guards built from them.

Their moves are updates guarded by ``status IN sources(target)``; these tests walk every pair of
statuses so that ``sources`` is the table read backwards, and check that the guards and queues
the repositories use are the table's.
"""

from __future__ import annotations

from itertools import product

import pytest

from printapi.files.repository import DOWNLOADS, UPLOADABLE
from printapi.idempotency.states import TRANSITIONS as KEY_TRANSITIONS
from printapi.idempotency.states import KeyStatus
from printapi.idempotency.states import sources as key_sources
from printapi.orders.states import FILE_TRANSITIONS, FileStatus, file_sources
from printapi.payments import states as payments
from printapi.payments.repository import EXPIRY
from printapi.payments.states import PaymentStatus
from printapi.webhooks import states as webhooks
from printapi.webhooks.states import NotificationStatus


class TestPaymentStates:
    @pytest.mark.parametrize(("current", "target"), list(product(PaymentStatus, repeat=2)))
    def test_sources_are_the_table_read_backwards(
        self, current: PaymentStatus, target: PaymentStatus
    ) -> None:
        assert (current in payments.sources(target)) == (target in payments.TRANSITIONS[current])

    @pytest.mark.parametrize(
        "outcome", [PaymentStatus.SUCCESSFUL, PaymentStatus.FAILED, PaymentStatus.CANCELLED]
    )
    def test_every_outcome_comes_from_open_only_and_is_final(self, outcome: PaymentStatus) -> None:
        assert payments.sources(outcome) == {PaymentStatus.OPEN}
        assert payments.TRANSITIONS[outcome] == frozenset()

    def test_nothing_moves_a_payment_back_to_open(self) -> None:
        assert payments.sources(PaymentStatus.OPEN) == frozenset()

    def test_the_expiry_job_claims_the_payments_that_may_be_cancelled(self) -> None:
        assert set(EXPIRY.pending) == payments.sources(PaymentStatus.CANCELLED)


class TestFileStates:
    def test_every_status_has_its_row(self) -> None:
        assert set(FILE_TRANSITIONS) == set(FileStatus)

    @pytest.mark.parametrize(("current", "target"), list(product(FileStatus, repeat=2)))
    def test_sources_are_the_table_read_backwards(self, current: FileStatus, target: FileStatus) -> None:
        assert (current in file_sources(target)) == (target in FILE_TRANSITIONS[current])

    def test_accepted_and_cancelled_are_final(self) -> None:
        assert FILE_TRANSITIONS[FileStatus.ACCEPTED] == frozenset()
        assert FILE_TRANSITIONS[FileStatus.CANCELLED] == frozenset()

    def test_upload_in_progress_is_never_stored_so_nothing_moves_to_or_from_it(self) -> None:
        assert FILE_TRANSITIONS[FileStatus.UPLOAD_IN_PROGRESS] == frozenset()
        assert not any(FileStatus.UPLOAD_IN_PROGRESS in targets for targets in FILE_TRANSITIONS.values())

    def test_a_cancelled_order_cancels_every_stored_file_but_an_accepted_one(self) -> None:
        stored = set(FileStatus) - {FileStatus.UPLOAD_IN_PROGRESS}
        assert file_sources(FileStatus.CANCELLED) == stored - {FileStatus.ACCEPTED, FileStatus.CANCELLED}

    def test_the_download_queue_claims_the_sources_of_in_progress(self) -> None:
        assert set(DOWNLOADS.pending) == file_sources(FileStatus.DOWNLOAD_IN_PROGRESS)
        assert DOWNLOADS.in_flight == FileStatus.DOWNLOAD_IN_PROGRESS

    def test_an_upload_is_accepted_from_a_waiting_slot_or_a_failed_download_not_one_in_flight(self) -> None:
        assert set(UPLOADABLE) == {FileStatus.AWAITING_UPLOAD, FileStatus.DOWNLOAD_FAILED}
        assert set(UPLOADABLE) < file_sources(FileStatus.ACCEPTED)


class TestNotificationSources:
    @pytest.mark.parametrize(("current", "target"), list(product(NotificationStatus, repeat=2)))
    def test_sources_are_the_table_read_backwards(
        self, current: NotificationStatus, target: NotificationStatus
    ) -> None:
        assert (current in webhooks.sources(target)) == (target in webhooks.TRANSITIONS[current])

    def test_only_a_pending_notification_moves(self) -> None:
        finals = set(NotificationStatus) - {NotificationStatus.PENDING}
        assert all(webhooks.sources(status) == {NotificationStatus.PENDING} for status in finals)
        assert webhooks.sources(NotificationStatus.PENDING) == frozenset()


class TestIdempotencyKeyStates:
    @pytest.mark.parametrize(("current", "target"), list(product(KeyStatus, repeat=2)))
    def test_sources_are_the_table_read_backwards(self, current: KeyStatus, target: KeyStatus) -> None:
        assert (current in key_sources(target)) == (target in KEY_TRANSITIONS[current])

    def test_only_a_running_key_records_its_answer_and_done_is_final(self) -> None:
        assert key_sources(KeyStatus.DONE) == {KeyStatus.RUNNING}
        assert KEY_TRANSITIONS[KeyStatus.DONE] == frozenset()
