"""The webhook contract end to end (docs/webhooks.md): a real receiver, real SMTP, the worker's loops.

The loops are driven a turn at a time on a ``FixedClock`` (``turn``, ``mail_turn``): a retry is
sent when the test moves the clock past its wait, and "no more calls" is a turn that found
nothing due. ``TestARunningWorker`` runs the worker as production does, in real time.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

import httpx
from standardwebhooks.webhooks import Webhook

from printapi.kit.clock import FixedClock
from printapi.kit.schedule import JITTER
from printapi.mail.tasks import Outbox
from printapi.orders import repository as orders
from printapi.runtime import Runtime
from printapi.webhooks import service as webhooks
from printapi.webhooks.delivery import Dispatcher
from printapi.worker import Worker
from tests.webhooks.conftest import (
    Receiver,
    Shop,
    Smtp,
    add_endpoint,
    eventually,
    mail_turn,
    move,
    place,
    turn,
)

SCHEDULE = [timedelta(minutes=minutes) for minutes in (2, 5, 60, 60, 60, 60, 60, 60, 60)]
LATER = timedelta(days=1)  # past every wait of the schedule


def signed_correctly(secret: str, call_headers: dict[str, str], body: bytes) -> bool:
    """Checked with the reference implementation of Standard Webhooks."""
    moment = datetime.fromtimestamp(int(call_headers["webhook-timestamp"]), tz=UTC)
    expected = Webhook(secret).sign(call_headers["webhook-id"], moment, body.decode())
    return expected in call_headers["webhook-signature"].split(" ")


async def log_of(api: httpx.AsyncClient, shop: Shop, endpoint: dict[str, Any]) -> dict[str, Any]:
    response = await api.get(f"/v2/webhooks/{endpoint['id']}/notifications", headers=shop.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def notified(api: httpx.AsyncClient, shop: Shop, url: str, order_id: str) -> dict[str, Any]:
    """An endpoint at ``url``, and an order whose move to Processing queued a notification for it."""
    endpoint = await add_endpoint(api, shop, url)
    await place(api, shop, order_id)
    await move(api, shop, order_id, "Processing")
    return endpoint


async def every_attempt(dispatcher: Dispatcher, clock: FixedClock) -> None:
    """Turns until the schedule is through: each a wait longer than any of the schedule later."""
    await turn(dispatcher)
    for _ in SCHEDULE:
        clock.advance(max(SCHEDULE) * (1 + JITTER) + timedelta(seconds=1))
        await turn(dispatcher)


class TestAFailingEndpoint:
    async def test_a_503_gets_ten_identical_signed_attempts_on_the_schedule_then_none(
        self,
        client: httpx.AsyncClient,
        merchant: Shop,
        receiver: Receiver,
        dispatcher: Dispatcher,
        clock: FixedClock,
    ) -> None:
        endpoint = await notified(client, merchant, receiver.url("/status/503"), "fail-1")

        await turn(dispatcher)
        assert len(receiver.calls) == 1  # the first attempt at once
        sent_at = [clock.now()]
        for number, wait in enumerate(SCHEDULE, start=2):
            clock.advance(wait * (1 - JITTER) - timedelta(seconds=1))
            await turn(dispatcher)
            assert len(receiver.calls) == number - 1, f"attempt {number} came before its wait"
            clock.advance(wait * 2 * JITTER + timedelta(seconds=2))
            await turn(dispatcher)
            assert len(receiver.calls) == number, f"attempt {number} did not come after its wait"
            sent_at.append(clock.now())
        clock.advance(LATER)
        await turn(dispatcher)

        calls = receiver.to("/status/503")
        assert len(calls) == 10  # and no eleventh: the notification is failed
        assert {call.body for call in calls} == {b"orderId=fail-1"}
        assert {call.headers["content-type"] for call in calls} == {"application/x-www-form-urlencoded"}
        assert len({call.headers["webhook-id"] for call in calls}) == 1
        assert all(signed_correctly(endpoint["secret"], call.headers, call.body) for call in calls)
        # each attempt is stamped with its own time
        assert [int(call.headers["webhook-timestamp"]) for call in calls] == [
            int(t.timestamp()) for t in sent_at
        ]

    async def test_the_owner_gets_a_mail_at_the_first_failure_and_one_when_it_is_given_up(
        self,
        runtime: Runtime,
        client: httpx.AsyncClient,
        merchant: Shop,
        receiver: Receiver,
        smtp: Smtp,
        dispatcher: Dispatcher,
        outbox: Outbox,
        clock: FixedClock,
    ) -> None:
        await notified(client, merchant, receiver.url("/status/503"), "fail-1")

        await turn(dispatcher)
        await mail_turn(runtime, outbox)
        assert [" ".join(str(mail["Subject"]).split()) for mail in smtp.messages] == [
            f"printapi: webhook notifications to {receiver.url('/status/503')} are failing (1)"
        ]
        for _ in SCHEDULE:
            clock.advance(max(SCHEDULE) * (1 + JITTER) + timedelta(seconds=1))
            await turn(dispatcher)
            await mail_turn(runtime, outbox)

        mails = smtp.messages
        assert len(mails) == 2  # no mail for the retries in between
        assert "given up" in str(mails[1]["Subject"])
        for mail in mails:
            text = mail.get_payload()
            assert isinstance(text, str)
            assert receiver.url("/status/503") in text
            assert "fail-1" in text
            assert "http_status" in text
            assert mail["To"] == merchant.credentials.email

    async def test_the_delivery_log_shows_every_attempt_and_the_gave_up_status(
        self,
        client: httpx.AsyncClient,
        merchant: Shop,
        receiver: Receiver,
        dispatcher: Dispatcher,
        clock: FixedClock,
    ) -> None:
        endpoint = await add_endpoint(client, merchant, receiver.url("/status/500"))
        await place(client, merchant, "fail-2")
        await move(client, merchant, "fail-2", "Cancelled")

        await every_attempt(dispatcher, clock)
        log = await log_of(client, merchant, endpoint)

        assert log["count"] == 1
        (entry,) = log["results"]
        assert entry["status"] == "failed"
        assert entry["attempts"] == 10
        assert [a["number"] for a in entry["attemptLog"]] == list(range(1, 11))
        assert {a["statusCode"] for a in entry["attemptLog"]} == {500}
        assert {a["errorClass"] for a in entry["attemptLog"]} == {"http_status"}
        assert entry["attemptLog"][0]["response"] == "answer 500"


class TestSuccess:
    async def test_a_200_is_called_exactly_once(
        self,
        client: httpx.AsyncClient,
        merchant: Shop,
        receiver: Receiver,
        dispatcher: Dispatcher,
        clock: FixedClock,
    ) -> None:
        await notified(client, merchant, receiver.url("/ok"), "ok-1")

        await turn(dispatcher)
        clock.advance(LATER)
        await turn(dispatcher)

        assert [parse_qs(call.body.decode()) for call in receiver.to("/ok")] == [{"orderId": ["ok-1"]}]

    async def test_a_204_counts_as_success(
        self,
        client: httpx.AsyncClient,
        merchant: Shop,
        receiver: Receiver,
        dispatcher: Dispatcher,
        clock: FixedClock,
    ) -> None:
        endpoint = await notified(client, merchant, receiver.url("/status/204"), "ok-2")

        await turn(dispatcher)
        clock.advance(LATER)
        await turn(dispatcher)

        log = await log_of(client, merchant, endpoint)
        assert len(receiver.to("/status/204")) == 1
        assert log["results"][0]["status"] == "delivered"

    async def test_creating_an_order_sends_nothing(
        self, client: httpx.AsyncClient, merchant: Shop, receiver: Receiver, dispatcher: Dispatcher
    ) -> None:
        await add_endpoint(client, merchant, receiver.url("/ok"))
        await place(client, merchant, "quiet-1")

        await turn(dispatcher)

        assert receiver.calls == []

    async def test_every_enabled_endpoint_is_called_and_a_disabled_one_is_not(
        self, client: httpx.AsyncClient, merchant: Shop, receiver: Receiver, dispatcher: Dispatcher
    ) -> None:
        await add_endpoint(client, merchant, receiver.url("/a"))
        await add_endpoint(client, merchant, receiver.url("/b"))
        off = await add_endpoint(client, merchant, receiver.url("/off"))
        await client.post(f"/v2/webhooks/{off['id']}/disable", headers=merchant.headers)
        await place(client, merchant, "many-1")
        await move(client, merchant, "many-1", "Processing")

        await turn(dispatcher)

        assert len(receiver.to("/a")) == len(receiver.to("/b")) == 1
        assert receiver.to("/off") == []


class TestSlowStart:
    async def test_a_new_endpoint_gets_one_call_at_a_time_until_its_answers_come_back(
        self,
        runtime: Runtime,
        client: httpx.AsyncClient,
        merchant: Shop,
        receiver: Receiver,
        dispatcher: Dispatcher,
    ) -> None:
        endpoint = await add_endpoint(client, merchant, receiver.url("/ok"))
        for n in range(4):
            await place(client, merchant, f"slow-{n}")
        for n in range(4):
            await move(client, merchant, f"slow-{n}", "Processing")

        calls_per_turn = []
        for _ in range(3):
            before = len(receiver.calls)
            await turn(dispatcher)
            calls_per_turn.append(len(receiver.calls) - before)

        assert calls_per_turn == [1, 2, 1]  # four due: one call, then two, then the last one
        async with runtime.db.read() as session:
            found = await webhooks.find_endpoint(session, endpoint_id=endpoint["id"])
        assert found.concurrency == 8  # each answered round doubled it: 1, 2, 4, 8


class TestQueueing:
    async def test_one_notification_per_enabled_endpoint_each_with_its_own_stable_id(
        self, client: httpx.AsyncClient, merchant: Shop, receiver: Receiver, dispatcher: Dispatcher
    ) -> None:
        paths = [f"/id/{n}" for n in range(3)]
        for path in paths:
            await add_endpoint(client, merchant, receiver.url(path))
        off = await add_endpoint(client, merchant, receiver.url("/id/off"))
        await client.post(f"/v2/webhooks/{off['id']}/disable", headers=merchant.headers)
        await place(client, merchant, "ids-1")
        await move(client, merchant, "ids-1", "Processing")

        await turn(dispatcher)

        calls = [receiver.to(path)[0] for path in paths]
        ids = [call.headers["webhook-id"] for call in calls]
        assert all(re.fullmatch(r"msg_[0-9a-f]{32}", one) for one in ids)
        assert len(set(ids)) == 3
        log = (await client.get("/v2/orders/ids-1/notifications", headers=merchant.headers)).json()
        assert sorted(row["id"] for row in log["results"]) == sorted(ids)

    async def test_ids_lead_with_the_time_of_their_change_so_later_changes_sort_after_earlier_ones(
        self,
        client: httpx.AsyncClient,
        merchant: Shop,
        receiver: Receiver,
        dispatcher: Dispatcher,
        clock: FixedClock,
    ) -> None:
        await add_endpoint(client, merchant, receiver.url("/ordered"))
        ids, changed_at = [], []
        for n in range(3):
            await place(client, merchant, f"ordered-{n}")
            changed_at.append(clock.now())
            await move(client, merchant, f"ordered-{n}", "Processing")
            await turn(dispatcher)
            ids.append(receiver.to("/ordered")[n].headers["webhook-id"])
            clock.advance(timedelta(milliseconds=10))

        assert ids == sorted(ids)
        assert len(set(ids)) == 3
        made_at = [int(one[4:17], 16) for one in ids]  # microseconds since 1970 (SQLite's to the ms)
        expected = [round(moment.timestamp() * 1_000_000) for moment in changed_at]
        assert all(abs(made - at) <= 1_000 for made, at in zip(made_at, expected, strict=True)), made_at


class TestFailuresThatAreNotErrorsOfTheReceiver:
    async def test_a_redirect_is_a_failure_and_is_not_followed(
        self,
        client: httpx.AsyncClient,
        merchant: Shop,
        receiver: Receiver,
        dispatcher: Dispatcher,
        clock: FixedClock,
    ) -> None:
        endpoint = await notified(client, merchant, receiver.url("/status/301"), "redir-1")

        await turn(dispatcher)
        clock.advance(SCHEDULE[0] * (1 + JITTER))
        await turn(dispatcher)

        assert len(receiver.to("/status/301")) == 2  # failed, so tried again
        assert receiver.to("/status/200") == []
        log = await log_of(client, merchant, endpoint)
        assert log["results"][0]["attemptLog"][0]["statusCode"] == 301

    async def test_a_timeout_is_a_failure(
        self,
        client: httpx.AsyncClient,
        merchant: Shop,
        receiver: Receiver,
        dispatcher: Dispatcher,
        clock: FixedClock,
    ) -> None:
        endpoint = await notified(client, merchant, receiver.url("/sleep/1"), "slow-1")

        await turn(dispatcher)  # half a second: the timeout
        clock.advance(SCHEDULE[0] * (1 + JITTER))
        await turn(dispatcher)

        assert len(receiver.to("/sleep/1")) == 2
        first = (await log_of(client, merchant, endpoint))["results"][0]["attemptLog"][0]
        assert first["errorClass"] == "timeout"
        assert "statusCode" not in first

    async def test_a_refused_connection_is_a_failure_with_its_class(
        self, client: httpx.AsyncClient, merchant: Shop, dispatcher: Dispatcher
    ) -> None:
        endpoint = await notified(client, merchant, "http://127.0.0.1:9/closed", "refused-1")

        await turn(dispatcher)

        attempts = (await log_of(client, merchant, endpoint))["results"][0]["attemptLog"]
        assert attempts[0]["errorClass"] == "connection_refused"


class TestCoalescing:
    async def test_five_changes_while_pending_make_one_notification(
        self,
        runtime: Runtime,
        client: httpx.AsyncClient,
        merchant: Shop,
        receiver: Receiver,
        dispatcher: Dispatcher,
        clock: FixedClock,
    ) -> None:
        await add_endpoint(client, merchant, receiver.url("/ok"))
        await place(client, merchant, "co-1")
        for _ in range(5):
            async with runtime.db.write() as session:
                order = await orders.get_head_for_account(
                    session, account_id=merchant.credentials.account_id, environment="test", order_id="co-1"
                )
                assert order is not None
                await webhooks.notify_order_changed(session, order=order, now=clock.now())

        await turn(dispatcher)
        clock.advance(LATER)
        await turn(dispatcher)

        assert len(receiver.to("/ok")) == 1
        log = (await client.get("/v2/orders/co-1/notifications", headers=merchant.headers)).json()
        assert len(log["results"]) == 1
        assert log["results"][0]["status"] == "delivered"

    async def test_a_change_after_delivery_makes_a_new_notification(
        self, client: httpx.AsyncClient, merchant: Shop, receiver: Receiver, dispatcher: Dispatcher
    ) -> None:
        await notified(client, merchant, receiver.url("/ok"), "co-2")
        await turn(dispatcher)
        await move(client, merchant, "co-2", "Shipped")
        await turn(dispatcher)

        calls = receiver.to("/ok")
        assert len(calls) == 2
        assert len({call.headers["webhook-id"] for call in calls}) == 2

    async def test_a_change_during_an_attempt_sends_the_notification_once_more_after_it(
        self,
        client: httpx.AsyncClient,
        merchant: Shop,
        receiver: Receiver,
        dispatcher: Dispatcher,
        clock: FixedClock,
    ) -> None:
        await notified(client, merchant, receiver.url("/sleep/0.2"), "co-3")

        await dispatcher.run_once()  # the call is on its way
        clock.advance(timedelta(milliseconds=1))
        await move(client, merchant, "co-3", "Shipped")
        await dispatcher.settle()
        await turn(dispatcher)

        calls = receiver.to("/sleep/0.2")
        assert len(calls) == 2
        assert len({call.headers["webhook-id"] for call in calls}) == 1  # one notification, sent again
        log = (await client.get("/v2/orders/co-3/notifications", headers=merchant.headers)).json()
        assert [row["status"] for row in log["results"]] == ["delivered"]


class TestSignatures:
    async def test_after_rotation_both_secrets_sign_during_the_overlap_then_the_new_one_alone(
        self,
        client: httpx.AsyncClient,
        merchant: Shop,
        receiver: Receiver,
        dispatcher: Dispatcher,
        clock: FixedClock,
    ) -> None:
        endpoint = await add_endpoint(client, merchant, receiver.url("/ok"))
        rotated = (
            await client.post(f"/v2/webhooks/{endpoint['id']}/rotate-secret", headers=merchant.headers)
        ).json()
        await place(client, merchant, "sig-1")
        await move(client, merchant, "sig-1", "Processing")
        await turn(dispatcher)
        clock.advance(timedelta(hours=24, seconds=1))
        await move(client, merchant, "sig-1", "Shipped")
        await turn(dispatcher)
        during, after = receiver.to("/ok")

        assert rotated["secret"] != endpoint["secret"]
        assert len(during.headers["webhook-signature"].split(" ")) == 2
        assert signed_correctly(rotated["secret"], during.headers, during.body)
        assert signed_correctly(endpoint["secret"], during.headers, during.body)
        assert during.headers["user-agent"].startswith("printapi-webhooks/")
        assert len(after.headers["webhook-signature"].split(" ")) == 1
        assert signed_correctly(rotated["secret"], after.headers, after.body)


class TestPingAndResend:
    async def test_a_ping_goes_through_the_queue_with_order_id_ping(
        self, client: httpx.AsyncClient, merchant: Shop, receiver: Receiver, dispatcher: Dispatcher
    ) -> None:
        endpoint = await add_endpoint(client, merchant, receiver.url("/ok"))
        response = await client.post(f"/v2/webhooks/{endpoint['id']}/ping", headers=merchant.headers)
        assert receiver.calls == []  # queued, not sent by the request

        await turn(dispatcher)

        (call,) = receiver.to("/ok")
        assert response.status_code == 202
        assert response.json()["kind"] == "ping"
        assert call.body == b"orderId=ping"
        assert call.headers["webhook-id"] == response.json()["id"]

    async def test_a_resend_sends_a_delivered_notification_again_under_a_new_id(
        self, client: httpx.AsyncClient, merchant: Shop, receiver: Receiver, dispatcher: Dispatcher
    ) -> None:
        await notified(client, merchant, receiver.url("/ok"), "re-1")
        await turn(dispatcher)
        (first,) = receiver.to("/ok")

        response = await client.post(
            f"/v2/webhooks/notifications/{first.headers['webhook-id']}/resend", headers=merchant.headers
        )
        await turn(dispatcher)

        calls = receiver.to("/ok")
        assert response.status_code == 202
        assert len(calls) == 2
        assert calls[1].body == b"orderId=re-1"
        assert calls[1].headers["webhook-id"] == response.json()["id"] != first.headers["webhook-id"]


class TestMetrics:
    async def test_metrics_count_attempts_and_show_the_queue(
        self, client: httpx.AsyncClient, merchant: Shop, receiver: Receiver, dispatcher: Dispatcher
    ) -> None:
        await notified(client, merchant, receiver.url("/ok"), "m-1")
        await turn(dispatcher)

        text = (await client.get("/metrics")).text
        assert 'printapi_webhook_attempts_total{error_class="",outcome="success"}' in text
        assert "printapi_webhook_notifications_pending 0.0" in text
        assert "printapi_webhook_delivery_latency_seconds_bucket" in text
        assert "printapi_webhook_oldest_pending_seconds" in text


class TestARunningWorker:
    """The worker as production runs it (its loops supervised, woken by commits), in real time."""

    async def test_delivers_a_change_and_records_it(
        self, api: httpx.AsyncClient, shop_api: Shop, receiver: Receiver, worker: Worker
    ) -> None:
        endpoint = await add_endpoint(api, shop_api, receiver.url("/ok"))
        await place(api, shop_api, "live-1")
        await move(api, shop_api, "live-1", "Processing")

        await receiver.wait_for(1, path="/ok")

        async def delivered() -> bool:
            return (await log_of(api, shop_api, endpoint))["results"][0]["status"] == "delivered"

        await eventually(delivered)
        assert [call.body for call in receiver.to("/ok")] == [b"orderId=live-1"]

    async def test_retries_on_its_schedule_gives_up_and_mails_the_owner(
        self, api: httpx.AsyncClient, shop_api: Shop, receiver: Receiver, smtp: Smtp, worker: Worker
    ) -> None:
        endpoint = await add_endpoint(api, shop_api, receiver.url("/status/503"))
        await place(api, shop_api, "live-2")
        await move(api, shop_api, "live-2", "Processing")

        async def given_up() -> bool:
            return (await log_of(api, shop_api, endpoint))["results"][0]["status"] == "failed"

        await eventually(given_up)
        mails = await smtp.wait_for(2)

        assert len(receiver.to("/status/503")) == 10  # failed is final: no more will come
        assert sorted("given up" in str(mail["Subject"]) for mail in mails) == [False, True]
