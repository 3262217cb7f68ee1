"""Settings: one object from PRINTAPI_* variables, validated at start."""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from printapi.config import DEV_SECRET_KEY, Mode, Settings

LONG_SECRET = "s" * 32


@pytest.fixture(autouse=True)
def no_printapi_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings read the environment; these tests start from none of ours."""
    for name in list(os.environ):
        if name.startswith("PRINTAPI_"):
            monkeypatch.delenv(name)


def make_settings(**fields: Any) -> Settings:
    return Settings(_env_file=None, **{"secret_key": LONG_SECRET, **fields})


class TestSecretKey:
    def test_production_is_the_default_mode(self) -> None:
        assert make_settings().mode is Mode.PRODUCTION

    def test_production_refuses_the_development_secret(self) -> None:
        with pytest.raises(ValidationError, match="PRINTAPI_SECRET_KEY is the development default"):
            make_settings(mode="production", secret_key=DEV_SECRET_KEY)

    def test_a_bare_start_refuses_to_run_on_the_development_secret(self) -> None:
        with pytest.raises(ValidationError, match="development default"):
            Settings(_env_file=None)

    def test_development_accepts_the_development_secret(self) -> None:
        assert make_settings(mode="development", secret_key=DEV_SECRET_KEY).secret_key == DEV_SECRET_KEY

    @pytest.mark.parametrize("mode", ["production", "development"])
    def test_a_short_secret_is_refused_in_every_mode(self, mode: str) -> None:
        with pytest.raises(ValidationError, match="at least 32 characters"):
            make_settings(mode=mode, secret_key="s" * 31)

    def test_thirty_two_characters_are_enough(self) -> None:
        assert make_settings(secret_key="s" * 32).secret_key == "s" * 32

    def test_the_secret_comes_from_the_environment(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("PRINTAPI_SECRET_KEY", "e" * 40)

        assert Settings(_env_file=None).secret_key == "e" * 40

    def test_an_unknown_mode_is_refused(self) -> None:
        with pytest.raises(ValidationError, match="mode"):
            make_settings(mode="staging")


class TestTimezone:
    def test_the_default_zone_is_amsterdam(self) -> None:
        assert make_settings().zone == ZoneInfo("Europe/Amsterdam")

    def test_another_known_zone_is_taken(self) -> None:
        assert make_settings(timezone="Europe/London").zone == ZoneInfo("Europe/London")

    @pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "", "../etc/passwd", "Europe/"])
    def test_an_unknown_zone_is_refused(self, zone: str) -> None:
        with pytest.raises(ValidationError, match="unknown time zone"):
            make_settings(timezone=zone)


class TestPublicUrl:
    @pytest.mark.parametrize(
        ("given", "kept"),
        [
            ("https://print.example.nl/", "https://print.example.nl"),
            ("https://print.example.nl//", "https://print.example.nl"),
            ("http://127.0.0.1:8080/printapi/", "http://127.0.0.1:8080/printapi"),
            ("https://print.example.nl", "https://print.example.nl"),
        ],
    )
    def test_a_trailing_slash_is_stripped(self, given: str, kept: str) -> None:
        assert make_settings(public_url=given).public_url == kept

    @pytest.mark.parametrize(
        "url", ["print.example.nl", "ftp://print.example.nl", "//print.example.nl", "https://", "http:///"]
    )
    def test_a_url_without_an_http_scheme_or_a_host_is_refused(self, url: str) -> None:
        with pytest.raises(ValidationError, match="PRINTAPI_PUBLIC_URL"):
            make_settings(public_url=url)


class TestOutboundAllowNetworks:
    def test_none_by_default(self) -> None:
        assert make_settings().outbound_allow_networks == ()

    def test_a_comma_list_from_the_environment_is_split_and_trimmed(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("PRINTAPI_SECRET_KEY", LONG_SECRET)
        monkeypatch.setenv("PRINTAPI_OUTBOUND_ALLOW_NETWORKS", " 10.0.0.0/8, 192.168.1.0/24,,fd00::/8 ,")

        assert Settings(_env_file=None).outbound_allow_networks == (
            "10.0.0.0/8",
            "192.168.1.0/24",
            "fd00::/8",
        )

    def test_an_empty_variable_allows_nothing(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("PRINTAPI_SECRET_KEY", LONG_SECRET)
        monkeypatch.setenv("PRINTAPI_OUTBOUND_ALLOW_NETWORKS", "")

        assert Settings(_env_file=None).outbound_allow_networks == ()

    def test_one_network_is_a_list_of_one(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("PRINTAPI_SECRET_KEY", LONG_SECRET)
        monkeypatch.setenv("PRINTAPI_OUTBOUND_ALLOW_NETWORKS", "127.0.0.1/32")

        assert Settings(_env_file=None).outbound_allow_networks == ("127.0.0.1/32",)

    def test_a_string_given_in_code_is_split_the_same_way(self) -> None:
        settings = make_settings(outbound_allow_networks="10.0.0.0/8,172.16.0.0/12")

        assert settings.outbound_allow_networks == ("10.0.0.0/8", "172.16.0.0/12")


class TestOtherSettings:
    def test_the_webhook_lease_must_outlast_the_timeout(self) -> None:
        with pytest.raises(ValidationError, match="LEASE_SECONDS must be longer than the webhook timeout"):
            make_settings(webhook_timeout_seconds=30, webhook_lease_seconds=30)

    def test_the_webhook_lease_must_outlast_the_pause_before_a_failing_endpoints_call_too(self) -> None:
        with pytest.raises(ValidationError, match="LEASE_SECONDS must be longer than the webhook timeout"):
            make_settings(webhook_timeout_seconds=10, webhook_lease_seconds=11)  # 10 s + up to 2 s
        settings = make_settings(webhook_timeout_seconds=10, webhook_lease_seconds=12.5)
        assert settings.webhook_spread_seconds == 2.0
        assert make_settings(webhook_timeout_seconds=1, webhook_lease_seconds=2).webhook_spread_seconds == 0.2

    def test_a_bad_webhook_schedule_is_refused(self) -> None:
        with pytest.raises(ValidationError, match="bad wait"):
            make_settings(webhook_schedule="2m,soon")

    def test_the_token_lifetime_is_four_hours_by_default(self) -> None:
        assert make_settings().token_ttl == timedelta(hours=4)

    def test_the_settings_are_frozen(self) -> None:
        with pytest.raises(ValidationError, match="frozen"):
            make_settings().mode = Mode.DEVELOPMENT  # type: ignore[misc]

    @pytest.mark.parametrize(
        ("url", "sqlite"),
        [("sqlite+aiosqlite:///./var/printapi.db", True), ("postgresql+asyncpg://db/printapi", False)],
    )
    def test_sqlite_is_recognised_by_the_url(self, url: str, sqlite: bool) -> None:
        assert make_settings(database_url=url).is_sqlite is sqlite


class TestLivePaymentProvider:
    def test_production_refuses_the_test_provider_for_live_payments(self) -> None:
        with pytest.raises(ValidationError, match="takes no money"):
            make_settings(mode="production", payment_provider="test")

    def test_the_deprecated_name_is_still_read_and_still_refused_for_the_test_page(self) -> None:
        with pytest.raises(ValidationError, match="takes no money"):
            make_settings(mode="production", live_payment_provider="test")
        assert make_settings(mode="development", live_payment_provider="test").live_provider == "test"

    def test_the_two_names_may_not_disagree(self) -> None:
        with pytest.raises(ValidationError, match="disagree"):
            make_settings(mode="development", payment_provider="test", live_payment_provider="mollie")

    def test_an_unknown_provider_is_refused(self) -> None:
        with pytest.raises(ValidationError, match="payment_provider"):
            make_settings(mode="development", payment_provider="paypal")

    def test_mollie_needs_its_key(self) -> None:
        with pytest.raises(ValidationError, match="PRINTAPI_MOLLIE_API_KEY"):
            make_settings(mode="production", payment_provider="mollie")
        with pytest.raises(ValidationError, match="PRINTAPI_MOLLIE_API_KEY"):
            make_settings(mode="production", payment_provider="mollie", mollie_api_key="sk_test_x")

    def test_stripe_needs_its_key_and_webhook_secret(self) -> None:
        with pytest.raises(ValidationError, match="PRINTAPI_STRIPE_WEBHOOK_SECRET"):
            make_settings(mode="production", payment_provider="stripe", stripe_secret_key="sk_live_x")

    def test_a_configured_provider_keeps_its_keys_out_of_the_settings_repr(self) -> None:
        settings = make_settings(
            mode="production",
            payment_provider="stripe",
            stripe_secret_key="sk_live_secret123",
            stripe_webhook_secret="whsec_secret456",
        )

        assert settings.live_provider == "stripe"
        assert "secret123" not in repr(settings)
        assert "secret456" not in str(settings.model_dump())

    def test_production_without_a_provider_has_no_live_payments(self) -> None:
        assert make_settings(mode="production").live_provider is None

    def test_development_pays_live_orders_on_the_test_page(self) -> None:
        assert make_settings(mode="development", secret_key=DEV_SECRET_KEY).live_provider == "test"


class TestFileStorage:
    def test_local_disk_is_the_default(self) -> None:
        settings = make_settings()
        assert settings.s3_bucket is None
        assert str(settings.storage_path) == "var/files"

    def test_a_file_url_names_the_directory(self) -> None:
        settings = make_settings(storage_url="file:///srv/print%20files")
        assert settings.s3_bucket is None
        assert str(settings.storage_path) == "/srv/print files"

    @pytest.mark.parametrize(
        ("url", "bucket"),
        [
            ("s3://print-files", ("print-files", "")),
            ("s3://print-files/", ("print-files", "")),
            ("s3://print.files/shop/prod/", ("print.files", "shop/prod/")),
        ],
    )
    def test_an_s3_url_names_the_bucket_and_the_prefix(self, url: str, bucket: tuple[str, str]) -> None:
        assert make_settings(storage_url=url).s3_bucket == bucket

    @pytest.mark.parametrize(
        "url",
        [
            "s3://Print_Files/x",
            "s3://ab",
            "s3:///prefix",
            "s3://bucket/x?region=eu",
            "gs://bucket",
            "file://host/x",
        ],
    )
    def test_a_bad_storage_url_is_refused_at_start(self, url: str) -> None:
        with pytest.raises(ValidationError, match="PRINTAPI_STORAGE_URL"):
            make_settings(storage_url=url)

    def test_an_endpoint_must_be_an_http_url(self) -> None:
        with pytest.raises(ValidationError, match="S3 endpoint"):
            make_settings(storage_url="s3://bucket", s3_endpoint_url="minio:9000")

    def test_keys_come_in_pairs(self) -> None:
        with pytest.raises(ValidationError, match="or neither"):
            make_settings(storage_url="s3://bucket", s3_access_key_id="AKIA0123456789")

    def test_the_secret_key_is_never_shown(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("PRINTAPI_S3_SECRET_ACCESS_KEY", "very-secret-value")
        settings = make_settings(storage_url="s3://bucket", s3_access_key_id="AKIA0123456789")
        assert settings.s3_secret_access_key is not None
        assert settings.s3_secret_access_key.get_secret_value() == "very-secret-value"
        assert "very-secret-value" not in repr(settings) + str(settings.model_dump())

    def test_an_error_at_start_does_not_show_the_secrets(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("PRINTAPI_S3_SECRET_ACCESS_KEY", "very-secret-value")
        with pytest.raises(ValidationError) as refused:
            make_settings(storage_url="s3://bucket")  # a secret without its key id
        assert "very-secret-value" not in str(refused.value)
        assert LONG_SECRET not in str(refused.value)

    def test_the_temporary_directory_must_exist(self, tmp_path: Any) -> None:
        assert make_settings(temp_dir=str(tmp_path)).temp_dir == str(tmp_path)
        with pytest.raises(ValidationError, match="PRINTAPI_TEMP_DIR"):
            make_settings(temp_dir=str(tmp_path / "missing"))
