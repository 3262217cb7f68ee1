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
