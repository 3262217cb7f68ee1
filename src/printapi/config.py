"""Settings: one object, read from ``PRINTAPI_*`` environment variables, validated at start.

Outside development the server refuses to start with the built-in development secret, so a
production deployment can never hash client secrets and tokens with a key that is on GitHub.
"""

from __future__ import annotations

import re
from datetime import timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from printapi.kit import schedule as schedules

DEV_SECRET_KEY = "dev-only-secret-key-change-me-in-production-0000"  # noqa: S105 - refused outside development
# The random pause before a first attempt to a failing endpoint: this share of the timeout, at most
# this long (webhooks/delivery.py; with 100 endpoints timing out, the healthy endpoint's p99 went
# from 33-79 ms to 31.7 ms, 75b48e2).
WEBHOOK_SPREAD_SHARE = 0.2
WEBHOOK_SPREAD_MAX_SECONDS = 2.0
# S3's rule for bucket names (dots allowed; no "..", no IP-address form checked: the store does).
BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")


PaymentProviderName = Literal["mollie", "stripe", "test"]
# The longest production delay (Lulu offers 60 to 2880 minutes; a week leaves room).
PRODUCTION_DELAY_MAX = timedelta(days=7)


def parse_delay(text: str) -> timedelta:
    """``PRINTAPI_PRODUCTION_DELAY``: minutes (``60``) or one duration (``90m``, ``2h``, ``30s``)."""
    text = text.strip()
    try:
        delay = timedelta(minutes=float(text)) if text.replace(".", "", 1).isdigit() else None
        if delay is None:
            (delay,) = schedules.parse(text)
    except ValueError as exc:
        raise ValueError(f"bad delay {text!r}: minutes (60) or a duration such as 90m, 2h, 30s") from exc
    if not timedelta(0) <= delay <= PRODUCTION_DELAY_MAX:
        raise ValueError(f"the delay must be from 0 to {PRODUCTION_DELAY_MAX.days} days")
    return delay


class Mode(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


class Settings(BaseSettings):
    # hide_input_in_errors: an error at start names the setting, never the values (secrets among them).
    model_config = SettingsConfigDict(
        env_prefix="PRINTAPI_", extra="ignore", frozen=True, hide_input_in_errors=True
    )

    mode: Mode = Mode.PRODUCTION
    database_url: str = "sqlite+aiosqlite:///./var/printapi.db"
    public_url: str = "http://127.0.0.1:8080"
    timezone: str = "Europe/Amsterdam"
    secret_key: str = DEV_SECRET_KEY
    # Largest JSON request body accepted anywhere but the upload route.
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    token_ttl_seconds: int = Field(default=4 * 3600, ge=60)
    # How long a verified access token is trusted from the in-process cache; revocation takes at
    # most this long to reach every API process.
    token_cache_seconds: float = Field(default=10.0, ge=0)
    express_surcharge: str = "0.25"
    # How long after an order becomes Processing its production starts: until then the shop may
    # cancel it (POST /v2/orders/{id}/cancel). Minutes (``90``) or a duration (``90m``, ``2h``,
    # ``30s``); 0 (the default): production starts at once.
    production_delay: str = "0"
    list_limit_default: int = 20
    list_limit_max: int = 100
    # Run the due-work loops inside `printapi serve` (one process for everything).
    embedded_worker: bool = True
    worker_poll_seconds: float = Field(default=1.0, gt=0)
    # PostgreSQL: how often a worker that does not lead the periodic jobs tries for the lead
    # (kit/leader.py), and so how soon one takes over from a leader that is gone.
    leader_retry_seconds: float = Field(default=2.0, gt=0)
    log_format: str = "auto"  # auto | json | console
    log_level: str = "INFO"
    # Mounts the benchmark baseline route (/_bench/...) used by bench/; never in production.
    bench_routes: bool = False
    sql_echo: bool = False
    # Comma list of CIDRs that outbound calls may reach although they are private.
    outbound_allow_networks: Annotated[tuple[str, ...], NoDecode] = ()

    # Webhooks (docs/webhooks.md).
    webhook_schedule: str = "2m,5m,60m,60m,60m,60m,60m,60m,60m"
    webhook_timeout_seconds: float = Field(default=10.0, gt=0)
    # A claimed delivery is someone else's to retry after this long: well above the timeout.
    webhook_lease_seconds: float = Field(default=60.0, gt=0)
    # Open calls are cheap coroutines: room enough that endpoints which time out (each holding at
    # most PRINTAPI_WEBHOOK_PER_ENDPOINT calls) do not crowd out the healthy ones.
    webhook_max_in_flight: int = Field(default=2048, ge=1)
    webhook_per_endpoint: int = Field(default=8, ge=1)
    webhook_claim_batch: int = Field(default=200, ge=1)
    webhook_response_cap: int = Field(default=2048, ge=0)
    webhook_secret_overlap_hours: float = Field(default=24.0, ge=0)
    # Owner mails about one endpoint are grouped: at most one of each kind per this many seconds.
    alert_group_seconds: float = Field(default=3600.0, ge=0)
    retention_days: float = Field(default=30.0, gt=0)
    # Idempotency-Key (docs/api.md): how long a key and its first answer are kept, and how long a
    # request may run before a retry with its key takes it over (its process is taken for dead).
    idempotency_hours: float = Field(default=24.0, gt=0)
    idempotency_lease_seconds: float = Field(default=60.0, gt=0)

    # Print files (docs/files.md; object storage: docs/operations.md#print-files-in-object-storage).
    storage_dir: str = "./var/files"
    # Where print files live: unset (PRINTAPI_STORAGE_DIR), file:///path, or s3://bucket/prefix.
    storage_url: str | None = None
    s3_endpoint_url: str | None = None  # unset: AWS S3 in PRINTAPI_S3_REGION
    s3_public_endpoint_url: str | None = None  # the store as browsers reach it; unset: the endpoint
    s3_region: str = "us-east-1"
    s3_access_key_id: str | None = None  # unset with the secret: botocore's chain (AWS_*, instance role)
    s3_secret_access_key: SecretStr | None = None
    s3_addressing_style: Literal["auto", "path", "virtual"] = "auto"
    # How long a presigned download URL lives; 0: downloads stream through the app instead.
    s3_presign_seconds: int = Field(default=300, ge=0, le=7 * 24 * 3600)
    s3_connect_timeout_seconds: float = Field(default=5.0, gt=0)
    s3_max_attempts: int = Field(default=3, ge=1, le=10)
    # Where an object store's files are copied for preflight; unset: the system's temporary directory.
    temp_dir: str | None = None
    max_upload_bytes: int = Field(default=2 * 1024**3, ge=1024)
    download_schedule: str = "1m,5m,15m,60m"
    download_timeout_seconds: float = Field(default=300.0, gt=0)
    download_connect_timeout_seconds: float = Field(default=15.0, gt=0)
    download_lease_seconds: float = Field(default=900.0, gt=0)
    download_concurrency: int = Field(default=4, ge=1)
    preflight_timeout_seconds: float = Field(default=120.0, gt=0)
    preflight_memory_mb: int = Field(default=2048, ge=128)

    # The payment screen: how long an unpaid payment link lives, and who takes live payments
    # (test orders always use the built-in test provider; in development mode live ones do too).
    payment_ttl_seconds: float = Field(default=24 * 3600, gt=0)
    # How often a worker looks for payment links past their time.
    payment_expiry_interval_seconds: float = Field(default=30.0, gt=0)
    # Who takes live payments: mollie, stripe, or test (development only). Unset: nobody in
    # production, the test page in development.
    payment_provider: PaymentProviderName | None = None
    # Deprecated: the name before PRINTAPI_PAYMENT_PROVIDER; read when that one is unset.
    live_payment_provider: PaymentProviderName | None = None
    mollie_api_key: SecretStr | None = None
    mollie_api_url: str = "https://api.mollie.com"
    stripe_secret_key: SecretStr | None = None
    stripe_webhook_secret: SecretStr | None = None
    stripe_api_url: str = "https://api.stripe.com"
    # How old a signed Stripe event may be (its replay window; the SDK's default).
    stripe_webhook_tolerance_seconds: int = Field(default=300, ge=1)
    # Each call to a provider's API: connect and read timeout.
    payment_provider_timeout_seconds: float = Field(default=10.0, gt=0)
    # When a worker asks the provider about an open payment whose notification may have been
    # lost, and retries a failed provider call (a cancellation, a refund); the last step repeats.
    payment_poll_schedule: str = "1m,5m,15m,60m"

    # Mail (the outbox is always written; without a host the mails wait in it).
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = True
    smtp_timeout_seconds: float = Field(default=20.0, gt=0)
    mail_from: str = "printapi <no-reply@localhost>"

    @field_validator("outbound_allow_networks", mode="before")
    @classmethod
    def _split_networks(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("webhook_schedule", "download_schedule", "payment_poll_schedule")
    @classmethod
    def _schedule(cls, value: str) -> str:
        schedules.parse(value)
        return value

    @field_validator("production_delay")
    @classmethod
    def _delay(cls, value: str) -> str:
        parse_delay(value)
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("public_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("PRINTAPI_PUBLIC_URL must be an http:// or https:// URL with a host")
        return value.rstrip("/")

    @field_validator("storage_url")
    @classmethod
    def _storage_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        parts = urlsplit(value.strip())
        if parts.scheme == "file":
            if parts.netloc not in ("", "localhost") or not parts.path:
                raise ValueError("PRINTAPI_STORAGE_URL=file:///absolute/path names a local directory")
        elif parts.scheme == "s3":
            if not BUCKET.fullmatch(parts.netloc):
                raise ValueError(
                    "PRINTAPI_STORAGE_URL=s3://bucket/prefix: the bucket must be 3-63 lower-case letters, "
                    f"digits, dots and hyphens, not {parts.netloc!r}"
                )
            if parts.query or parts.fragment:
                raise ValueError(
                    "PRINTAPI_STORAGE_URL takes no query or fragment; see PRINTAPI_S3_* settings"
                )
        else:
            raise ValueError("PRINTAPI_STORAGE_URL must be file:///path or s3://bucket/prefix")
        return value.strip()

    @field_validator("s3_endpoint_url", "s3_public_endpoint_url")
    @classmethod
    def _endpoint(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("an S3 endpoint must be an http:// or https:// URL with a host")
        return value.strip().rstrip("/")

    @field_validator("temp_dir")
    @classmethod
    def _existing_directory(cls, value: str | None) -> str | None:
        if value and not Path(value).is_dir():
            raise ValueError(f"PRINTAPI_TEMP_DIR {value!r} is not a directory")
        return value or None

    @model_validator(mode="after")
    def _object_store_keys(self) -> Settings:
        if (self.s3_access_key_id is None) != (self.s3_secret_access_key is None):
            raise ValueError(
                "set both PRINTAPI_S3_ACCESS_KEY_ID and PRINTAPI_S3_SECRET_ACCESS_KEY, or neither"
            )
        return self

    @model_validator(mode="after")
    def _no_default_secret_in_production(self) -> Settings:
        if self.mode is Mode.PRODUCTION and self.secret_key == DEV_SECRET_KEY:
            raise ValueError(
                "PRINTAPI_SECRET_KEY is the development default; set a long random value "
                "(or PRINTAPI_MODE=development for a local demo)"
            )
        if len(self.secret_key) < 32:
            raise ValueError("PRINTAPI_SECRET_KEY must be at least 32 characters")
        if self.webhook_lease_seconds <= self.webhook_timeout_seconds + self.webhook_spread_seconds:
            raise ValueError(
                "PRINTAPI_WEBHOOK_LEASE_SECONDS must be longer than the webhook timeout and its "
                "pause before a failing endpoint's first attempts (a fifth of the timeout, at most 2 s)"
            )
        if self.download_lease_seconds <= self.download_timeout_seconds + self.preflight_timeout_seconds:
            raise ValueError(
                "PRINTAPI_DOWNLOAD_LEASE_SECONDS must exceed the download and preflight timeouts"
            )
        self._check_payment_provider()
        return self

    def _check_payment_provider(self) -> None:
        """The test page takes no money: live customers of a production server must never be able
        to "pay" with it. A real provider needs its keys, and they must be of that provider."""
        named = self.payment_provider, self.live_payment_provider
        if None not in named and named[0] != named[1]:
            raise ValueError(
                "PRINTAPI_PAYMENT_PROVIDER and the deprecated PRINTAPI_LIVE_PAYMENT_PROVIDER disagree; "
                "set only PRINTAPI_PAYMENT_PROVIDER"
            )
        if self.mode is Mode.PRODUCTION and self.live_provider == "test":
            raise ValueError(
                "PRINTAPI_PAYMENT_PROVIDER=test takes no money and is refused in production; "
                "choose mollie or stripe, or leave it unset (live orders then cannot be paid)"
            )
        if self.live_provider == "mollie":
            key = self.mollie_api_key.get_secret_value() if self.mollie_api_key else ""
            if not key.startswith(("live_", "test_")):
                raise ValueError(
                    "PRINTAPI_PAYMENT_PROVIDER=mollie needs PRINTAPI_MOLLIE_API_KEY (live_… or test_…)"
                )
        if self.live_provider == "stripe":
            key = self.stripe_secret_key.get_secret_value() if self.stripe_secret_key else ""
            secret = self.stripe_webhook_secret.get_secret_value() if self.stripe_webhook_secret else ""
            if not key.startswith(("sk_", "rk_")) or not secret.startswith("whsec_"):
                raise ValueError(
                    "PRINTAPI_PAYMENT_PROVIDER=stripe needs PRINTAPI_STRIPE_SECRET_KEY (sk_… or rk_…) "
                    "and PRINTAPI_STRIPE_WEBHOOK_SECRET (whsec_…)"
                )

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def token_ttl(self) -> timedelta:
        return timedelta(seconds=self.token_ttl_seconds)

    @property
    def webhook_spread_seconds(self) -> float:
        """The longest random pause before a first attempt to an endpoint whose last call failed
        (``webhooks/delivery.py``): a fifth of the timeout, at most 2 s."""
        return min(WEBHOOK_SPREAD_MAX_SECONDS, self.webhook_timeout_seconds * WEBHOOK_SPREAD_SHARE)

    @property
    def production_window(self) -> timedelta:
        """PRINTAPI_PRODUCTION_DELAY as a duration."""
        return parse_delay(self.production_delay)

    @property
    def schedule(self) -> tuple[timedelta, ...]:
        return schedules.parse(self.webhook_schedule)

    @property
    def downloads_schedule(self) -> tuple[timedelta, ...]:
        return schedules.parse(self.download_schedule)

    @property
    def live_provider(self) -> PaymentProviderName | None:
        """Who takes live payments (PRINTAPI_PAYMENT_PROVIDER, else the deprecated
        PRINTAPI_LIVE_PAYMENT_PROVIDER; in development the test page, in production nobody)."""
        named = self.payment_provider or self.live_payment_provider
        return named or ("test" if self.mode is Mode.DEVELOPMENT else None)

    @property
    def poll_schedule(self) -> tuple[timedelta, ...]:
        return schedules.parse(self.payment_poll_schedule)

    @property
    def storage_path(self) -> Path:
        """The local directory of the print files (when they are not in an object store)."""
        parts = urlsplit(self.storage_url or "")
        return Path(unquote(parts.path)) if parts.scheme == "file" else Path(self.storage_dir)

    @property
    def s3_bucket(self) -> tuple[str, str] | None:
        """The object store's bucket and key prefix ("" or ending in "/"), or None: local disk."""
        parts = urlsplit(self.storage_url or "")
        if parts.scheme != "s3":
            return None
        prefix = unquote(parts.path).strip("/")
        return parts.netloc, f"{prefix}/" if prefix else ""

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")
