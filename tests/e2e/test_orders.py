"""The mission's loop against the processes as shipped: an order over HTTP, its print files by upload
and by download, production and shipping, and a signed webhook within a second of every change.
"""

from __future__ import annotations

import re
import time
from email.message import Message
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import needs_chromium
from tests.e2e.conftest import FileServer
from tests.e2e.processes import Deployment, children, command_line, mapped_files
from tests.e2e.shop import SHOP_PASSWORD, Shop, signed_correctly, token_headers, until, webhook_for
from tests.files.make_files import make_pdf
from tests.webhooks.conftest import Receiver, Smtp

# boek_hc_a5_sta with 32 pages: content 154 × 216 mm (32 pages), cover 348.56 × 253 mm (1 page).
BOOK = {"productId": "boek_hc_a5_sta", "pageCount": 32, "quantity": 1}
CONTENT_MM = (154.0, 216.0)
COVER_MM = (348.56, 253.0)
HOOK = "/hooks/printapi"
# The promise: a signed webhook within a second of a status change.
PROMISE_SECONDS = 1.0
LOOPS = {
    "webhook-deliveries",
    "file-downloads",
    "mail-outbox",
    "owner-alerts",
    "payment-expiry",
    "payment-tasks",
    "queue-statistics",
    "prune-expired-tokens",
    "prune-finished-rows",
    "prune-cancelled-files",
    "prune-idempotency-keys",
}
ATTEMPTS_IN_ALL = 10


def runs_on_uvloop_and_httptools(pid: int) -> bool:
    files = mapped_files(pid)
    return any("/uvloop/loop." in path for path in files) and any(
        "/httptools/parser/" in path for path in files
    )


class TestTheProcessesAsShipped:
    async def test_every_process_is_ready_with_all_its_loops_on_uvloop_and_httptools(
        self, deployment: Deployment, http: httpx.AsyncClient
    ) -> None:
        ready = await http.get("/readyz")

        assert ready.status_code == 200, ready.text
        assert ready.json()["problems"] == []
        serve = deployment.process("serve")
        if deployment.worker_base is None:  # SQLite: the worker is embedded in `printapi serve`
            assert set(ready.json()["loops"]) == LOOPS
        else:  # PostgreSQL: API processes without loops, and a worker apart
            assert ready.json()["loops"] == {}
            async with httpx.AsyncClient(base_url=deployment.worker_base) as operations:
                worker_ready = await operations.get("/readyz")
            assert worker_ready.status_code == 200, worker_ready.text
            assert set(worker_ready.json()["loops"]) == LOOPS | {"postgres-listen", "leader-election"}
            assert worker_ready.json()["leader"] is True  # the only worker leads the periodic jobs
            assert any("/uvloop/loop." in path for path in mapped_files(deployment.process("worker").pid))

        def api_processes() -> list[int]:
            if deployment.worker_base is None:
                return [serve.pid]
            return [pid for pid in children(serve.pid) if "spawn_main" in command_line(pid)]

        async def all_started() -> bool | None:
            # The process that answered /readyz has started; its sibling may still be importing, and
            # uvicorn's supervisor replaces one that does not answer its ping within 5 s (a busy
            # machine, while it imports): the API processes are those of the moment, read each try.
            try:
                pids = api_processes()
                started = len(pids) == (1 if deployment.worker_base is None else 2)
                return (started and all(runs_on_uvloop_and_httptools(pid) for pid in pids)) or None
            except FileNotFoundError:  # a process replaced between the listing and the reading
                return None

        assert await until(all_started, seconds=30, what="every API process on uvloop and httptools")

    async def test_the_credentials_printed_by_printapi_demo_get_a_token_and_the_catalogue(
        self, deployment: Deployment, http: httpx.AsyncClient
    ) -> None:
        if deployment.demo_credentials is None:
            pytest.skip("`printapi demo` is part of `make run`, on SQLite")

        headers = await token_headers(http, deployment.demo_credentials)
        products = await http.get("/v2/products", headers=headers)

        assert products.status_code == 200, products.text
        assert products.json()["count"] == 499


async def downloaded(shop: Shop, order_id: str) -> dict[str, Any] | None:
    """The order once the worker has fetched and checked its content; a failed download fails."""
    order = await shop.order(order_id)
    content = order["items"][0]["files"]["content"]
    assert content["status"] != "DownloadFailed", content
    return order if content["status"] == "Accepted" else None


class TestABookOrderedOverHttp:
    async def test_its_files_come_by_download_and_upload_and_every_change_is_a_signed_webhook_within_1_s(
        self,
        deployment: Deployment,
        cli_shop: Shop,
        receiver: Receiver,
        file_server: FileServer,
        tmp_path: Path,
    ) -> None:
        shop = cli_shop  # its account and credentials made with the CLI, as the print shop makes them
        endpoint = await shop.add_endpoint(receiver.url(HOOK))
        file_server.files["content.pdf"] = make_pdf(
            tmp_path / "content.pdf", size_mm=CONTENT_MM, pages=32
        ).read_bytes()
        cover = make_pdf(tmp_path / "cover.pdf", size_mm=COVER_MM).read_bytes()

        placed = await shop.place(
            {**BOOK, "files": {"content": file_server.url("content.pdf")}}, order_id="book-1"
        )
        assert placed["status"] == "Created"
        assert placed["items"][0]["files"]["content"]["status"] == "DownloadPending"
        await until(
            lambda: downloaded(shop, "book-1"), seconds=30, what="the content downloaded and Accepted"
        )
        assert file_server.hits == ["content.pdf"]

        await shop.upload(placed["items"][0]["files"]["cover"]["uploadUrl"], cover)
        uploaded_at = time.monotonic()
        processing = await webhook_for(receiver, HOOK, "book-1")
        order = await shop.order("book-1")
        assert order["status"] == "Processing"
        assert {file["status"] for file in order["items"][0]["files"].values()} == {"Accepted"}
        # Recorded as delivered before the next change: a change during an attempt sends it again.
        await until(lambda: shop.delivered("book-1"), seconds=10, what="the first webhook recorded")

        moved = await shop.post(
            "/v2/orders/book-1/status",
            json={"status": "Shipped", "trackingUrl": "https://track.example/3SBOOK1"},
        )
        assert moved.status_code == 200, moved.text
        shipped_at = time.monotonic()
        shipped = await webhook_for(receiver, HOOK, "book-1", after=1)
        order = await shop.order("book-1")

        assert order["status"] == "Shipped"
        assert order["trackingUrl"] == "https://track.example/3SBOOK1"
        assert processing.at - uploaded_at < PROMISE_SECONDS
        assert shipped.at - shipped_at < PROMISE_SECONDS
        calls = receiver.to(HOOK)
        assert [call.body for call in calls] == [b"orderId=book-1", b"orderId=book-1"]
        assert all(signed_correctly(endpoint["secret"], call) for call in calls)
        assert {call.headers["content-type"] for call in calls} == {"application/x-www-form-urlencoded"}
        assert len({call.headers["webhook-id"] for call in calls}) == 2


async def fail_all_attempts(
    deployment: Deployment, shop: Shop, *, order_id: str
) -> tuple[dict[str, Any], float]:
    """An order moved by the print shop's CLI while the shop's endpoint fails: the notification once
    given up, as the delivery log shows it, and when the CLI answered (``time.monotonic()``)."""
    await shop.place(BOOK, order_id=order_id)
    moved = await deployment.cli("orders", "set-status", order_id, "Processing", "--account", shop.email)
    assert moved.output == f"order {order_id}: Processing\n"

    async def given_up() -> dict[str, Any] | None:
        log = await shop.notifications(order_id)
        return log[0] if log and log[0]["status"] == "failed" else None

    return await until(given_up, seconds=30, what="the notification given up"), moved.at


async def mails_to(server: Smtp, address: str, count: int) -> list[Message] | None:
    found = [mail for mail in server.messages if mail["To"] == address]
    return found if len(found) >= count else None


def text_of(mail: Message) -> str:
    """The plain-text body, its transfer encoding (quoted-printable) undone."""
    body = mail.get_payload(decode=True)
    assert isinstance(body, bytes)
    return body.decode()


class TestAReceiverThatKeepsFailing:
    async def test_gets_every_attempt_of_the_schedule_with_one_webhook_id_and_the_owner_gets_both_mails(
        self, deployment: Deployment, shop: Shop, receiver: Receiver, mail_server: Smtp
    ) -> None:
        endpoint = await shop.add_endpoint(receiver.url("/status/503"))

        notification, moved_at = await fail_all_attempts(deployment, shop, order_id="failing-1")
        mails = await until(lambda: mails_to(mail_server, shop.email, 2), seconds=30, what="two owner mails")

        calls = receiver.to("/status/503")
        # The CLI is a process of its own: its commit woke the worker, which did not wait for its poll.
        assert calls[0].at - moved_at < PROMISE_SECONDS
        assert notification["attempts"] == ATTEMPTS_IN_ALL
        assert [attempt["statusCode"] for attempt in notification["attemptLog"]] == [503] * ATTEMPTS_IN_ALL
        assert len(calls) == ATTEMPTS_IN_ALL
        assert {call.body for call in calls} == {b"orderId=failing-1"}
        assert {call.headers["webhook-id"] for call in calls} == {notification["id"]}
        assert all(signed_correctly(endpoint["secret"], call) for call in calls)
        subjects = sorted(str(mail["Subject"]) for mail in mails)
        assert "given up after every retry" in subjects[0]
        assert "are failing" in subjects[1]
        assert all("Orders: failing-1" in text_of(mail) for mail in mails)


@needs_chromium
class TestTheOwnersMailAboutAFailingEndpoint:
    async def test_its_delivery_log_link_shows_the_owner_the_log_after_signing_in(
        self, deployment: Deployment, shop: Shop, receiver: Receiver, mail_server: Smtp, page: Page
    ) -> None:
        await shop.add_endpoint(receiver.url("/status/500"))
        notification, _ = await fail_all_attempts(deployment, shop, order_id="failing-2")
        mails = await until(lambda: mails_to(mail_server, shop.email, 1), seconds=30, what="an owner mail")
        link = re.search(r"^Delivery log: (\S+)\s*$", text_of(mails[0]), re.MULTILINE)
        assert link is not None, text_of(mails[0])

        await page.goto(link.group(1))
        await page.get_by_label("E-mail address").fill(shop.email)
        await page.get_by_label("Password").fill(SHOP_PASSWORD)
        await page.get_by_role("button", name="Sign in").click()

        await expect(page).to_have_url(link.group(1))
        row = page.locator(f'tr[data-notification="{notification["id"]}"]')
        await expect(row).to_contain_text("order failing-2")
        await expect(row).to_contain_text("failed")
        await expect(row.locator("ol.attempts li")).to_have_count(ATTEMPTS_IN_ALL)
