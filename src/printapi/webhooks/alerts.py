"""Owner mails about failing webhooks (webhooks.md §3), grouped so that an outage is no flood.

The dispatcher writes an ``OwnerAlert`` row for a notification's first failure and for giving
up on it. This job turns them into mails: per endpoint and kind, the alerts not mailed yet go
out as one mail, unless a mail of that kind went out for that endpoint less than
``PRINTAPI_ALERT_GROUP_SECONDS`` ago — then they wait and go out together when the hour is over.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from printapi.kit.db import only_one
from printapi.mail import service as mail
from printapi.models import Account, OwnerAlert, WebhookEndpoint
from printapi.webhooks.repository import owner_alerts
from printapi.webhooks.states import AlertKind

# Groups mailed per transaction: the worker's deliveries share its event loop, and a hundred
# first-failure mails composed in one transaction held them up for 131 + 106 ms in the benchmark's
# first wave of timeouts (36213fc).
GROUPS_AT_ONCE = 10
# Two workers composing the same group's mail at once would both send it.
LOCK_KEY = 0x7072_696E_7461_6C72  # "printalr"

_ERROR_CLASSES = {
    "timeout": "no answer within the timeout",
    "dns": "the host name did not resolve",
    "tls": "the TLS handshake or certificate failed",
    "connection_refused": "the connection was refused",
    "connection": "the connection failed",
    "http_status": "the endpoint answered with a status other than 2xx",
    "blocked": "the address is not public and not allowed",
    "invalid_url": "the URL is not valid",
}


def _subject(kind: str, endpoint: WebhookEndpoint, count: int) -> str:
    if kind == AlertKind.GAVE_UP:
        return f"printapi: {count} webhook notification(s) to {endpoint.url} given up after every retry"
    return f"printapi: webhook notifications to {endpoint.url} are failing ({count})"


def compose(
    *, kind: str, endpoint: WebhookEndpoint, alerts: list[OwnerAlert], attempts_in_all: int, log_url: str
) -> tuple[str, str]:
    """The subject and plain-text body of one grouped mail."""
    last = alerts[-1]
    orders = sorted({alert.order_id or "(test ping)" for alert in alerts})
    classes = sorted({alert.error_class for alert in alerts})
    if kind == AlertKind.GAVE_UP:
        lead = (
            f"Every one of the {attempts_in_all} attempts failed for these notifications; "
            "they will not be tried again. Fetch the orders through the API, or resend them from the log."
        )
    else:
        lead = "These notifications failed their first attempt; they will be retried on the usual schedule."
    lines = [
        lead,
        "",
        f"Endpoint: {endpoint.url} ({endpoint.id}, {endpoint.environment})",
        f"Notifications: {len(alerts)}",
        f"Orders: {', '.join(orders)}",
        "Error class: " + ", ".join(f"{name} ({_ERROR_CLASSES.get(name, name)})" for name in classes),
        f"Last error: {last.error_class}: {last.error or ''}",
        f"Delivery log: {log_url}",
    ]
    return _subject(kind, endpoint, len(alerts)), "\n".join(lines) + "\n"


async def mail_due_alerts(
    session: AsyncSession,
    *,
    now: datetime,
    group_seconds: float,
    attempts_in_all: int,
    public_url: str,
    groups: int = GROUPS_AT_ONCE,
) -> tuple[int, bool]:
    """Queue the grouped mails that may go now, of at most ``groups`` groups; returns how many
    mails were queued, and whether more groups are due (for another transaction).

    A handful of statements however many groups are due: when many endpoints fail at once, their
    first mails all fall due together. At most ``groups`` at a time, because the worker's
    deliveries share its CPU: a hundred mails composed in one go held them up for over 100 ms.
    """
    if not await only_one(session, LOCK_KEY):
        return 0, False  # another worker is at it; this one's turn comes with the next alert
    due = [
        (endpoint_pk, kind)
        for endpoint_pk, kind, last in await owner_alerts.unmailed_alert_groups(session)
        if last is None or now - last >= timedelta(seconds=group_seconds)
    ]
    due, more = due[:groups], len(due) > groups
    if not due:
        return 0, False
    owners = await owner_alerts.endpoints_with_owners(session, endpoint_pks={pk for pk, _ in due})
    waiting = await owner_alerts.unmailed_alerts_of(session, groups=due)
    messages, mailed = [], []
    for endpoint_pk, kind in due:
        alerts = waiting.get((endpoint_pk, kind))
        if endpoint_pk not in owners or not alerts:
            continue
        endpoint, owner = owners[endpoint_pk]
        subject, body = compose(
            kind=kind,
            endpoint=endpoint,
            alerts=alerts,
            attempts_in_all=attempts_in_all,
            # The owner reads the mail in a browser: the dashboard's page of the endpoint (after
            # signing in), not the API's log, which answers only to a bearer token.
            log_url=f"{public_url}/dashboard/webhooks/{endpoint.id}",
        )
        messages.append(mail.Draft(to=_recipient(owner), subject=subject, body=body, topic=f"webhook_{kind}"))
        mailed += [alert.pk for alert in alerts]
    await mail.enqueue_all(session, messages, now=now)
    await owner_alerts.mark_mailed(session, alert_pks=mailed, now=now)
    return len(messages), more


def _recipient(owner: Account) -> str:
    return owner.notification_email or owner.email
