"""Prometheus metrics of this process (``/metrics`` on the API, ``--metrics-port`` on a worker).

Counters and histograms are per process: scrape every process (the usual Prometheus way). The
queue gauges are read from the database at scrape time, so every process reports the same,
cluster-wide figures for them.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, disable_created_metrics

disable_created_metrics()  # type: ignore[no-untyped-call]  # untyped in prometheus-client; no _created series
REGISTRY = CollectorRegistry(auto_describe=True)

WEBHOOK_ATTEMPTS = Counter(
    "printapi_webhook_attempts",
    "Webhook delivery attempts by outcome (success: a 2xx) and error class.",
    ["outcome", "error_class"],
    registry=REGISTRY,
)
WEBHOOK_GIVEN_UP = Counter(
    "printapi_webhook_notifications_given_up",
    "Notifications that failed every attempt of the schedule.",
    registry=REGISTRY,
)
WEBHOOK_ATTEMPT_SECONDS = Histogram(
    "printapi_webhook_attempt_seconds",
    "Duration of one delivery attempt.",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
    registry=REGISTRY,
)
WEBHOOK_LATENCY_SECONDS = Histogram(
    "printapi_webhook_delivery_latency_seconds",
    "From the committed change to the receiver's 2xx (retries included).",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 60, 300, 3600, 4 * 3600),
    registry=REGISTRY,
)
WEBHOOK_PENDING = Gauge(
    "printapi_webhook_notifications_pending",
    "Notifications not yet delivered or given up.",
    registry=REGISTRY,
)
WEBHOOK_DUE = Gauge(
    "printapi_webhook_notifications_due",
    "Pending notifications whose next attempt is due now.",
    registry=REGISTRY,
)
WEBHOOK_OLDEST_PENDING = Gauge(
    "printapi_webhook_oldest_pending_seconds", "Age of the oldest pending notification.", registry=REGISTRY
)
MAIL_SENT = Counter("printapi_mails", "Mails by outcome.", ["outcome"], registry=REGISTRY)
MAIL_PENDING = Gauge("printapi_mail_outbox_pending", "Mails waiting in the outbox.", registry=REGISTRY)
LOOP_RESTARTS = Counter(
    "printapi_loop_restarts",
    "Worker loops started again after they failed (the error is logged at ERROR with its traceback).",
    ["loop"],
    registry=REGISTRY,
)
