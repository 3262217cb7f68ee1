"""The webhook contract end to end (docs/webhooks.md): real receiver, real SMTP, a real worker."""

from __future__ import annotations

import asyncio
import re
import time
from datetime import UTC, datetime
from urllib.parse import parse_qs

import httpx
from standardwebhooks.webhooks import Webhook

from printapi.orders import repository as orders
from printapi.runtime import Runtime
from printapi.webhooks import service as webhooks
from printapi.worker import Worker
from tests.webhooks.conftest import Receiver, Shop, Smtp, add_endpoint, move, place


def signed_correctly(secret: str, call_headers: dict[str, str], body: bytes) -> bool:
    """Checked with the reference implementation of Standard Webhooks."""
    moment = datetime.fromtimestamp(int(call_headers["webhook-timestamp"]), tz=UTC)
    expected = Webhook(secret).sign(call_headers["webhook-id"], moment, body.decode())
    return expected in call_headers["webhook-signature"].split(" ")


class TestAFailingEndpoint:
    async def test_a_503_gets_exactly_ten_identical_signed_attempts_and_two_owner_mails(
        self, api: httpx.AsyncClient, shop_api: Shop, receiver: Receiver, smtp: Smtp, worker: Worker
    ) -> None:
        endpoint = await add_endpoint(api, shop_api, receiver.url("/status/503"))
        await place(api, shop_api, "fail-1")
        await move(api, shop_api, "fail-1", "Processing")

        calls = await receiver.wait_for(10, path="/status/503")
        mails = await smtp.wait_for(2)
        await asyncio.sleep(0.6)  # several schedule steps: an eleventh attempt would have come

        assert len(receiver.to("/status/503")) == 10
        assert {call.body for call in calls} == {b"orderId=fail-1"}
        assert {call.headers["content-type"] for call in calls} == {"application/x-www-form-urlencoded"}
        assert len({call.headers["webhook-id"] for call in calls}) == 1
        assert all(signed_correctly(endpoint["secret"], call.headers, call.body) for call in calls)
        assert len(mails) == 2
        subjects = sorted(str(mail["Subject"]) for mail in mails)
        assert "given up" in subjects[0]
        assert "failing" in subjects[1]
        for mail in mails:
            text = mail.get_payload()
            assert isinstance(text, str)
            assert receiver.url("/status/503") in text
            assert "fail-1" in text
            assert "http_status" in text
            assert mail["To"] == shop_api.credentials.email

    async def test_the_delivery_log_shows_every_attempt_and_the_gave_up_status(
        self, api: httpx.AsyncClient, shop_api: Shop, receiver: Receiver, worker: Worker
    ) -> None:
        endpoint = await add_endpoint(api, shop_api, receiver.url("/status/500"))
        await place(api, shop_api, "fail-2")
        await move(api, shop_api, "fail-2", "Cancelled")
        await receiver.wait_for(10, path="/status/500")
        await asyncio.sleep(0.3)

        log = (await api.get(f"/v2/webhooks/{endpoint['id']}/notifications", headers=shop_api.headers)).json()

        assert log["count"] == 1
        entry = log["results"][0]
        assert entry["status"] == "failed"
        assert entry["attempts"] == 10
        assert [a["number"] for a in entry["attemptLog"]] == list(range(1, 11))
        assert {a["statusCode"] for a in entry["attemptLog"]} == {500}
        assert {a["errorClass"] for a in entry["attemptLog"]} == {"http_status"}
        assert entry["attemptLog"][0]["response"] == "answer 500"


class TestSuccess:
    async def test_a_200_is_called_exactly_once(
        self, api: httpx.AsyncClient, shop_api: Shop, receiver: Receiver, worker: Worker
    ) -> None:
        await add_endpoint(api, shop_api, receiver.url("/ok"))
        await place(api, shop_api, "ok-1")
        await move(api, shop_api, "ok-1", "Processing")

        await receiver.wait_for(1, path="/ok")
        await asyncio.sleep(0.5)

        assert [parse_qs(call.body.decode()) for call in receiver.to("/ok")] == [{"orderId": ["ok-1"]}]

    async def test_a_204_counts_as_success(
        self, api: httpx.AsyncClient, shop_api: Shop, receiver: Receiver, worker: Worker
    ) -> None:
        endpoint = await add_endpoint(api, shop_api, receiver.url("/status/204"))
        await place(api, shop_api, "ok-2")
        await move(api, shop_api, "ok-2", "Processing")
        await receiver.wait_for(1, path="/status/204")
        await asyncio.sleep(0.5)

        log = (await api.get(f"/v2/webhooks/{endpoint['id']}/notifications", headers=shop_api.headers)).json()
        assert len(receiver.to("/status/204")) == 1
        assert log["results"][0]["status"] == "delivered"

    async def test_creating_an_order_sends_nothing(
        self, api: httpx.AsyncClient, shop_api: Shop, receiver: Receiver, worker: Worker
    ) -> None:
        await add_endpoint(api, shop_api, receiver.url("/ok"))
        await place(api, shop_api, "quiet-1")
        await asyncio.sleep(0.5)
        assert receiver.calls == []

    async def test_every_enabled_endpoint_is_called_and_a_disabled_one_is_not(
        self, api: httpx.AsyncClient, shop_api: Shop, receiver: Receiver, worker: Worker
    ) -> None:
        await add_endpoint(api, shop_api, receiver.url("/a"))
        await add_endpoint(api, shop_api, receiver.url("/b"))
        off = await add_endpoint(api, shop_api, receiver.url("/off"))
        await api.post(f"/v2/webhooks/{off['id']}/disable", headers=shop_api.headers)
        await place(api, shop_api, "many-1")
        await move(api, shop_api, "many-1", "Processing")

        await receiver.wait_for(1, path="/a")
        await receiver.wait_for(1, path="/b")
        await asyncio.sleep(0.3)
        assert receiver.to("/off") == []


class TestSlowStart:
    async def test_a_new_endpoint_gets_one_call_at_a_time_until_its_answers_come_back(
        self,
        api: httpx.AsyncClient,
        shop_api: Shop,
        receiver: Receiver,
        worker: Worker,
        live_runtime: Runtime,
    ) -> None:
        endpoint = await add_endpoint(api, shop_api, receiver.url("/sleep/0.3"))
        for n in range(4):
            await place(api, shop_api, f"slow-{n}")
        for n in range(4):
            await move(api, shop_api, f"slow-{n}", "Processing")

        first = await receiver.wait_for(1, path="/sleep/0.3")
        await asyncio.sleep(0.15)  # the first call is still being answered: no second one yet
        assert len(receiver.to("/sleep/0.3")) == 1
        calls = await receiver.wait_for(4, path="/sleep/0.3")
        assert calls[1].at - first[0].at >= 0.3

        async with live_runtime.db.read() as session:
            found = await webhooks.find_endpoint(session, endpoint_id=endpoint["id"])
        assert found.concurrency >= 2  # each answered round doubled it


class TestQueueing:
    async def test_one_notification_per_enabled_endpoint_each_with_its_own_stable_id(
        self, api: httpx.AsyncClient, shop_api: Shop, receiver: Receiver, worker: Worker
    ) -> None:
        paths = [f"/id/{n}" for n in range(3)]
        for path in paths:
            await add_endpoint(api, shop_api, receiver.url(path))
        off = await add_endpoint(api, shop_api, receiver.url("/id/off"))
        await api.post(f"/v2/webhooks/{off['id']}/disable", headers=shop_api.headers)
        await place(api, shop_api, "ids-1")
        await move(api, shop_api, "ids-1", "Processing")

        calls = [(await receiver.wait_for(1, path=path))[0] for path in paths]
        ids = [call.headers["webhook-id"] for call in calls]
        assert all(re.fullmatch(r"msg_[0-9a-f]{32}", one) for one in ids)
        assert len(set(ids)) == 3
        log = (await api.get("/v2/orders/ids-1/notifications", headers=shop_api.headers)).json()
        assert sorted(row["id"] for row in log["results"]) == sorted(ids)

    async def test_ids_lead_with_their_time_so_later_changes_sort_after_earlier_ones(
        self, api: httpx.AsyncClient, shop_api: Shop, receiver: Receiver, worker: Worker
    ) -> None:
        await add_endpoint(api, shop_api, receiver.url("/ordered"))
        ids = []
        for n in range(3):
            await place(api, shop_api, f"ordered-{n}")
            await move(api, shop_api, f"ordered-{n}", "Processing")
            ids.append((await receiver.wait_for(n + 1, path="/ordered"))[n].headers["webhook-id"])
            await asyncio.sleep(0.01)

        assert ids == sorted(ids)
        assert len(set(ids)) == 3
        made_at = [int(one[4:17], 16) / 1_000_000 for one in ids]
        assert all(abs(at - time.time()) < 60 for at in made_at)


class TestFailuresThatAreNotErrorsOfTheReceiver:
    async def test_a_redirect_is_a_failure_and_is_not_followed(
        self, api: httpx.AsyncClient, shop_api: Shop, receiver: Receiver, worker: Worker
    ) -> None:
        endpoint = await add_endpoint(api, shop_api, receiver.url("/status/301"))
        await place(api, shop_api, "redir-1")
        await move(api, shop_api, "redir-1", "Processing")
        await receiver.wait_for(2, path="/status/301")

        assert receiver.to("/status/200") == []
        log = (await api.get(f"/v2/webhooks/{endpoint['id']}/notifications", headers=shop_api.headers)).json()
        assert log["results"][0]["attemptLog"][0]["statusCode"] == 301

    async def test_a_timeout_is_a_failure(
        self, api: httpx.AsyncClient, shop_api: Shop, receiver: Receiver, worker: Worker
    ) -> None:
        endpoint = await add_endpoint(api, shop_api, receiver.url("/sleep/2"))
        await place(api, shop_api, "slow-1")
        await move(api, shop_api, "slow-1", "Processing")
        await receiver.wait_for(2, path="/sleep/2", seconds=5)
        await asyncio.sleep(0.2)

        log = (await api.get(f"/v2/webhooks/{endpoint['id']}/notifications", headers=shop_api.headers)).json()
        first = log["results"][0]["attemptLog"][0]
        assert first["errorClass"] == "timeout"
        assert "statusCode" not in first

    async def test_a_refused_connection_is_a_failure_with_its_class(
        self, api: httpx.AsyncClient, shop_api: Shop, worker: Worker
    ) -> None:
        endpoint = await add_endpoint(api, shop_api, "http://127.0.0.1:9/closed")
        await place(api, shop_api, "refused-1")
        await move(api, shop_api, "refused-1", "Processing")

        async def logged() -> list[dict[str, object]]:
            body = (
                await api.get(f"/v2/webhooks/{endpoint['id']}/notifications", headers=shop_api.headers)
            ).json()
            return list(body["results"][0]["attemptLog"])

        for _ in range(100):
            attempts = await logged()
            if attempts:
                break
            await asyncio.sleep(0.05)
        assert attempts[0]["errorClass"] == "connection_refused"


class TestCoalescing:
    async def test_five_changes_while_pending_make_one_notification(
        self, api: httpx.AsyncClient, shop_api: Shop, receiver: Receiver, live_runtime: Runtime
    ) -> None:
        await add_endpoint(api, shop_api, receiver.url("/ok"))
        await place(api, shop_api, "co-1")
        for _ in range(5):
            async with live_runtime.db.write() as session:
                order = await orders.get_head_for_account(
                    session, account_id=shop_api.credentials.account_id, environment="test", order_id="co-1"
                )
                assert order is not None
                await webhooks.notify_order_changed(session, order=order, now=live_runtime.clock.now())

        loops = Worker(live_runtime)
        task = asyncio.create_task(loops.run())
        try:
            await receiver.wait_for(1, path="/ok")
            await asyncio.sleep(0.5)
        finally:
            loops.stop()
            await asyncio.wait_for(task, 10)

        assert len(receiver.to("/ok")) == 1
        log = (await api.get("/v2/orders/co-1/notifications", headers=shop_api.headers)).json()
        assert len(log["results"]) == 1
        assert log["results"][0]["status"] == "delivered"

    async def test_a_change_after_delivery_makes_a_new_notification(
        self, api: httpx.AsyncClient, shop_api: Shop, receiver: Receiver, worker: Worker
    ) -> None:
        await add_endpoint(api, shop_api, receiver.url("/ok"))
        await place(api, shop_api, "co-2")
        await move(api, shop_api, "co-2", "Processing")
        await receiver.wait_for(1, path="/ok")
        await move(api, shop_api, "co-2", "Shipped")
        calls = await receiver.wait_for(2, path="/ok")

        assert len({call.headers["webhook-id"] for call in calls}) == 2


class TestSignatures:
    async def test_after_rotation_both_secrets_sign_during_the_overlap(
        self, api: httpx.AsyncClient, shop_api: Shop, receiver: Receiver, worker: Worker
    ) -> None:
        endpoint = await add_endpoint(api, shop_api, receiver.url("/ok"))
        rotated = (
            await api.post(f"/v2/webhooks/{endpoint['id']}/rotate-secret", headers=shop_api.headers)
        ).json()
        await place(api, shop_api, "sig-1")
        await move(api, shop_api, "sig-1", "Processing")
        call = (await receiver.wait_for(1, path="/ok"))[0]

        assert rotated["secret"] != endpoint["secret"]
        assert len(call.headers["webhook-signature"].split(" ")) == 2
        assert signed_correctly(rotated["secret"], call.headers, call.body)
        assert signed_correctly(endpoint["secret"], call.headers, call.body)
        assert call.headers["user-agent"].startswith("printapi-webhooks/")


class TestPingAndResend:
    async def test_a_ping_goes_through_the_queue_with_order_id_ping(
        self, api: httpx.AsyncClient, shop_api: Shop, receiver: Receiver, worker: Worker
    ) -> None:
        endpoint = await add_endpoint(api, shop_api, receiver.url("/ok"))
        response = await api.post(f"/v2/webhooks/{endpoint['id']}/ping", headers=shop_api.headers)
        call = (await receiver.wait_for(1, path="/ok"))[0]

        assert response.status_code == 202
        assert response.json()["kind"] == "ping"
        assert call.body == b"orderId=ping"
        assert call.headers["webhook-id"] == response.json()["id"]

    async def test_a_resend_sends_a_delivered_notification_again_under_a_new_id(
        self, api: httpx.AsyncClient, shop_api: Shop, receiver: Receiver, worker: Worker
    ) -> None:
        await add_endpoint(api, shop_api, receiver.url("/ok"))
        await place(api, shop_api, "re-1")
        await move(api, shop_api, "re-1", "Processing")
        first = (await receiver.wait_for(1, path="/ok"))[0]
        await asyncio.sleep(0.2)
        response = await api.post(
            f"/v2/webhooks/notifications/{first.headers['webhook-id']}/resend", headers=shop_api.headers
        )
        calls = await receiver.wait_for(2, path="/ok")

        assert response.status_code == 202
        assert calls[1].body == b"orderId=re-1"
        assert calls[1].headers["webhook-id"] == response.json()["id"] != first.headers["webhook-id"]


class TestMetrics:
    async def test_metrics_count_attempts_and_show_the_queue(
        self, api: httpx.AsyncClient, shop_api: Shop, receiver: Receiver, worker: Worker
    ) -> None:
        await add_endpoint(api, shop_api, receiver.url("/ok"))
        await place(api, shop_api, "m-1")
        await move(api, shop_api, "m-1", "Processing")
        await receiver.wait_for(1, path="/ok")
        await asyncio.sleep(0.3)

        text = (await api.get("/metrics")).text
        assert 'printapi_webhook_attempts_total{error_class="",outcome="success"}' in text
        assert "printapi_webhook_notifications_pending 0.0" in text
        assert "printapi_webhook_delivery_latency_seconds_bucket" in text
        assert "printapi_webhook_oldest_pending_seconds" in text
