"""Which provider takes an order's payment: the runtime's ``PaymentProviders``, built from the settings."""

from __future__ import annotations

from typing import Any

import pytest

from printapi.config import Settings
from printapi.kit.errors import Forbidden
from printapi.payments.provider import PaymentProviders, TestProvider

SECRET = "a-secret-key-that-is-long-enough-for-production-use-0123456789"


def configured(**fields: Any) -> PaymentProviders:
    return PaymentProviders.configured(Settings(_env_file=None, **{"secret_key": SECRET, **fields}))


class TestConfiguredProviders:
    @pytest.mark.parametrize("mode", ["production", "development"])
    def test_test_orders_always_pay_on_the_test_page(self, mode: str) -> None:
        assert isinstance(configured(mode=mode).for_environment("test"), TestProvider)

    def test_in_production_without_a_provider_a_live_order_cannot_be_paid(self) -> None:
        with pytest.raises(Forbidden) as refused:
            configured(mode="production").for_environment("live")

        assert refused.value.status == 403
        assert refused.value.message == "No payment provider is configured for live payments."

    def test_in_development_live_orders_pay_on_the_test_page_too(self) -> None:
        providers = configured(mode="development")

        assert providers.for_environment("live") is providers.test

    def test_mollie_takes_live_payments_when_configured(self) -> None:
        from printapi.payments.mollie_provider import MollieProvider  # noqa: PLC0415 - loaded only when configured

        providers = configured(mode="production", payment_provider="mollie", mollie_api_key="live_abcdefghij")

        assert isinstance(providers.for_environment("live"), MollieProvider)
        assert isinstance(providers.for_environment("test"), TestProvider)
        assert providers.live_name == "mollie"

    def test_stripe_takes_live_payments_when_configured(self) -> None:
        from printapi.payments.stripe_provider import StripeProvider  # noqa: PLC0415 - loaded only when configured

        providers = configured(
            mode="production",
            payment_provider="stripe",
            stripe_secret_key="sk_live_abc",
            stripe_webhook_secret="whsec_abc",
        )

        assert isinstance(providers.for_environment("live"), StripeProvider)
        assert providers.hosted("stripe") is providers.live
        assert providers.hosted("test") is None


class TestTheProvidersAnswers:
    """How each provider's statuses read as ours (the SDKs' payloads, as the APIs document them)."""

    @pytest.mark.parametrize(
        ("status", "outcome"),
        [
            ("open", "Open"),
            ("pending", "Open"),
            ("authorized", "Open"),
            ("paid", "Successful"),
            ("failed", "Failed"),
            ("canceled", "Cancelled"),
            ("expired", "Cancelled"),
        ],
    )
    def test_mollie(self, status: str, outcome: str) -> None:
        from mollie.api.objects.payment import Payment  # noqa: PLC0415 - as above

        from printapi.payments.mollie_provider import MollieProvider  # noqa: PLC0415 - as above

        body = {"id": "tr_1", "status": status, "amount": {"currency": "EUR", "value": "10.00"}}
        answer = MollieProvider._answer(Payment(body, None))

        assert (answer.outcome, answer.expired) == (outcome, status == "expired")

    @pytest.mark.parametrize(
        ("session", "outcome"),
        [
            ({"status": "open", "payment_status": "unpaid"}, "Open"),
            ({"status": "complete", "payment_status": "paid"}, "Successful"),
            (
                {
                    "status": "complete",
                    "payment_status": "unpaid",
                    "payment_intent": {"status": "processing"},
                },
                "Open",
            ),
            (
                {
                    "status": "complete",
                    "payment_status": "unpaid",
                    "payment_intent": {"status": "requires_payment_method"},
                },
                "Failed",
            ),
            ({"status": "expired", "payment_status": "unpaid"}, "Cancelled"),
        ],
    )
    def test_stripe(self, session: dict[str, object], outcome: str) -> None:
        from printapi.payments.stripe_provider import StripeProvider  # noqa: PLC0415 - as above

        assert StripeProvider._answer({"id": "cs_1", **session}).outcome == outcome

    def test_a_mollie_notification_is_only_an_id(self) -> None:
        from printapi.payments.mollie_provider import MollieProvider  # noqa: PLC0415 - as above

        mollie = MollieProvider(api_key="test_x", api_url="http://127.0.0.1:9", timeout_seconds=1)

        assert mollie.notified(body=b"id=tr_abc", headers={}) is not None
        assert mollie.notified(body=b"id=re_abc", headers={}) is None
        assert mollie.notified(body=b"status=paid", headers={}) is None
