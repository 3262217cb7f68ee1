"""The mail outbox (sent over real SMTP, kept while it cannot be), alert grouping, and retention."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from printapi.auth.principal import Environment, Principal
from printapi.kit.clock import FixedClock
from printapi.mail import service as mail
from printapi.mail.sender import SmtpSender
from printapi.mail.tasks import Outbox
from printapi.models import MailMessage, OwnerAlert, WebhookEndpoint, WebhookNotification
from printapi.runtime import Runtime
from printapi.webhooks import alerts
from printapi.webhooks import service as webhooks
from printapi.webhooks.repository import owner_alerts
from printapi.worker import mail_alerts, prune_finished
from tests.conftest import Credentials, _settings, make_credentials
from tests.webhooks.conftest import Smtp, free_port


@pytest.fixture
def clocked(runtime: Runtime, clock: FixedClock) -> tuple[Runtime, FixedClock]:
    return runtime, clock


def outbox(runtime: Runtime, sender: SmtpSender) -> Outbox:
    return Outbox(
        db=runtime.db, clock=runtime.clock, wakeup=runtime.wakeup, sender=sender, worker="w1", poll_seconds=1
    )


async def queue_mail(runtime: Runtime, subject: str = "hello") -> None:
    async with runtime.db.write() as session:
        await mail.enqueue(
            session,
            to="owner@example.nl",
            subject=subject,
            body="body",
            topic="test",
            now=runtime.clock.now(),
        )


async def messages(runtime: Runtime) -> list[MailMessage]:
    async with runtime.db.read() as session:
        return list((await session.execute(select(MailMessage).order_by(MailMessage.pk))).scalars())


class TestTheMailOutbox:
    async def test_a_mail_is_retried_while_smtp_is_down_and_sent_when_it_is_back(
        self, clocked: tuple[Runtime, FixedClock], smtp: Smtp
    ) -> None:
        runtime, clock = clocked
        await queue_mail(runtime)
        down = SmtpSender(
            _settings("sqlite://", smtp_host="127.0.0.1", smtp_port=free_port(), smtp_starttls=False)
        )
        up = SmtpSender(
            _settings("sqlite://", smtp_host="127.0.0.1", smtp_port=smtp.port, smtp_starttls=False)
        )

        assert await outbox(runtime, down).run_once()
        (waiting,) = await messages(runtime)
        assert waiting.status == "pending"
        assert waiting.attempts == 1
        assert waiting.last_error
        assert not await outbox(runtime, up).run_once()  # not due yet: backing off
        assert smtp.messages == []

        clock.advance(timedelta(seconds=31))
        assert await outbox(runtime, up).run_once()

        (sent,) = await messages(runtime)
        assert sent.status == "sent"
        assert [str(message["Subject"]) for message in smtp.messages] == ["hello"]

    async def test_without_smtp_the_worker_leaves_mails_in_the_outbox(
        self, clocked: tuple[Runtime, FixedClock]
    ) -> None:
        runtime, _ = clocked
        await queue_mail(runtime, "kept")
        assert runtime.settings.smtp_host is None

        (kept,) = await messages(runtime)
        assert kept.status == "pending"
        assert kept.attempts == 0


async def run_alert_job(runtime: Runtime, clock: FixedClock) -> int:
    """The owner-alert job once, at the clock's time; returns how many mails it queued."""
    async with runtime.db.write() as session:
        mails, _more = await alerts.mail_due_alerts(
            session, now=clock.now(), group_seconds=3600, attempts_in_all=10, public_url="http://x"
        )
    return mails


async def failing_endpoint(
    runtime: Runtime,
    clock: FixedClock,
    shop: Credentials,
    url: str,
    orders: list[str],
    error_class: str = "timeout",
) -> WebhookEndpoint:
    """An endpoint of ``shop`` with a first-failure alert, not mailed yet, for each of ``orders``."""
    async with runtime.db.write() as session:
        endpoint = await webhooks.create_endpoint(
            session,
            account_id=shop.account_id,
            environment="test",
            url=url,
            guard=runtime.guard,
            now=clock.now(),
        )
    await add_first_failures(runtime, clock, endpoint, orders, error_class=error_class)
    return endpoint


async def add_first_failures(
    runtime: Runtime,
    clock: FixedClock,
    endpoint: WebhookEndpoint,
    orders: list[str],
    error_class: str = "timeout",
) -> None:
    async with runtime.db.write() as session:
        session.add_all(
            OwnerAlert(
                endpoint_pk=endpoint.pk,
                kind="first_failure",
                notification_id=f"msg_{order_id}",
                order_id=order_id,
                error_class=error_class,
                error="no answer within the timeout",
                created_at=clock.now(),
            )
            for order_id in orders
        )


class TestAlertGrouping:
    async def test_alerts_of_one_endpoint_make_one_mail_per_kind_per_hour(
        self, clocked: tuple[Runtime, FixedClock]
    ) -> None:
        runtime, clock = clocked
        shop = await make_credentials(runtime)
        url = "https://shop.example.nl/hook"
        endpoint = await failing_endpoint(runtime, clock, shop, url, ["order-0", "order-1", "order-2"])

        assert await run_alert_job(runtime, clock) == 1
        (first,) = await messages(runtime)
        assert "order-0, order-1, order-2" in first.body
        assert first.to_address == shop.email
        await add_first_failures(runtime, clock, endpoint, ["order-late"], error_class="dns")
        clock.advance(timedelta(minutes=30))
        assert await run_alert_job(runtime, clock) == 0  # held: within the hour of the last mail
        clock.advance(timedelta(minutes=31))
        assert await run_alert_job(runtime, clock) == 1
        assert "order-late" in (await messages(runtime))[1].body

    async def test_many_endpoints_failing_at_once_get_one_mail_each_in_one_run(
        self, clocked: tuple[Runtime, FixedClock], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(owner_alerts, "MAILED_CHUNK", 2)  # several statements mark them
        runtime, clock = clocked
        shop = await make_credentials(runtime)
        orders = {n: [f"order-{n}-{number}" for number in range(3)] for n in range(4)}
        endpoints = {
            n: await failing_endpoint(runtime, clock, shop, f"https://shop{n}.example.nl/hook", orders[n])
            for n in orders
        }

        assert await run_alert_job(runtime, clock) == 4
        mails = await messages(runtime)
        for n, endpoint in endpoints.items():
            (message,) = [m for m in mails if endpoint.url in m.subject]
            assert ", ".join(orders[n]) in message.body
        clock.advance(timedelta(hours=2))
        assert await run_alert_job(runtime, clock) == 0  # every alert was marked mailed

    async def test_the_job_mails_a_few_groups_per_transaction_until_none_is_due(
        self, clocked: tuple[Runtime, FixedClock], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        runtime, clock = clocked
        shop = await make_credentials(runtime)
        for n in range(4):
            await failing_endpoint(runtime, clock, shop, f"https://few{n}.example.nl/hook", [f"order-{n}"])
        async with runtime.db.write() as session:
            first = await alerts.mail_due_alerts(
                session, now=clock.now(), group_seconds=3600, attempts_in_all=10, public_url="", groups=3
            )
        assert first == (3, True)
        await failing_endpoint(runtime, clock, shop, "https://few4.example.nl/hook", ["order-4"])
        monkeypatch.setattr(alerts, "GROUPS_AT_ONCE", 1)

        assert await mail_alerts(runtime) == 2
        assert len(await messages(runtime)) == 5

    async def test_one_worker_composes_the_mails_at_a_time(self, clocked: tuple[Runtime, FixedClock]) -> None:
        runtime, clock = clocked
        if runtime.db.dialect != "postgresql":
            pytest.skip("SQLite has one writer: two workers cannot compose at once")
        shop = await make_credentials(runtime)
        await failing_endpoint(runtime, clock, shop, "https://one.example.nl/hook", ["order-one"])

        async with runtime.db.write() as other:
            await other.execute(select(func.pg_advisory_xact_lock(alerts.LOCK_KEY)))
            assert await run_alert_job(runtime, clock) == 0

        assert await run_alert_job(runtime, clock) == 1


class TestRetention:
    async def test_finished_notifications_older_than_the_retention_are_pruned_pending_ones_stay(
        self, clocked: tuple[Runtime, FixedClock]
    ) -> None:
        runtime, clock = clocked
        shop = await make_credentials(runtime)
        async with runtime.db.write() as session:
            endpoint = await webhooks.create_endpoint(
                session,
                account_id=shop.account_id,
                environment="test",
                url="https://shop.example.nl/hook",
                guard=runtime.guard,
                now=clock.now(),
            )
        async with runtime.db.write() as session:
            principal = Principal(shop.account_id, shop.email, Environment.TEST, frozenset())
            old = await webhooks.ping(session, principal=principal, endpoint_id=endpoint.id, now=clock.now())
            await webhooks.ping(session, principal=principal, endpoint_id=endpoint.id, now=clock.now())
            old.status = "delivered"
            old.finished_at = clock.now()

        clock.advance(timedelta(days=31))
        pruned = await prune_finished(runtime)

        async with runtime.db.read() as session:
            left = list((await session.execute(select(WebhookNotification.status))).scalars())
            mails = (await session.execute(select(func.count()).select_from(MailMessage))).scalar_one()
        assert pruned == 1
        assert left == ["pending"]
        assert mails == 0
