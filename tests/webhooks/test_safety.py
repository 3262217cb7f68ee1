"""Outbound safety (webhooks.md §5): private destinations are refused unless allowed."""

from __future__ import annotations

import ipaddress
from typing import Any

import httpx
import pytest

from printapi.kit.outbound import BlockedAddress, GuardedResolver, OutboundGuard, parse_networks
from printapi.worker import Worker
from tests.webhooks.conftest import FAST, Receiver, Shop, add_endpoint, eventually, move, place

REFUSED = [
    "127.0.0.1",
    "10.0.0.1",
    "169.254.169.254",
    "192.168.1.10",
    "172.16.0.1",
    "100.64.0.1",
    "::1",
    "fd00::1",
]


class TestTheGuard:
    @pytest.mark.parametrize("address", [*REFUSED, "::ffff:127.0.0.1", "0.0.0.0", "224.0.0.1"])  # noqa: S104
    def test_non_public_addresses_are_refused_by_default(self, address: str) -> None:
        assert not OutboundGuard().allowed(ipaddress.ip_address(address))

    @pytest.mark.parametrize("address", ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"])
    def test_public_addresses_are_allowed(self, address: str) -> None:
        assert OutboundGuard().allowed(ipaddress.ip_address(address))

    def test_the_allow_list_opens_exactly_its_networks(self) -> None:
        guard = OutboundGuard(parse_networks(["127.0.0.0/8", "10.1.0.0/16"]))

        assert guard.allowed(ipaddress.ip_address("127.0.0.1"))
        assert guard.allowed(ipaddress.ip_address("10.1.2.3"))
        assert not guard.allowed(ipaddress.ip_address("10.2.0.1"))
        assert not guard.allowed(ipaddress.ip_address("169.254.169.254"))

    async def test_a_name_that_resolves_to_loopback_is_refused(self) -> None:
        resolver = GuardedResolver(OutboundGuard())
        try:
            with pytest.raises(BlockedAddress):
                await resolver.resolve("localhost", 80)
        finally:
            await resolver.close()


@pytest.fixture
def webhook_settings() -> dict[str, Any]:
    """No allow-list: the production default."""
    return {key: value for key, value in FAST.items() if key != "outbound_allow_networks"}


class TestEndpointsOnPrivateAddresses:
    @pytest.mark.parametrize("host", ["127.0.0.1", "10.0.0.1", "169.254.169.254", "[::1]"])
    async def test_an_ip_literal_that_is_not_public_is_refused_when_added(
        self, api: httpx.AsyncClient, shop_api: Shop, host: str
    ) -> None:
        response = await api.post(
            "/v2/webhooks", json={"url": f"http://{host}/hook"}, headers=shop_api.headers
        )

        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "url"
        assert (await api.get("/v2/webhooks", headers=shop_api.headers)).json()["results"] == []

    async def test_a_name_resolving_to_loopback_is_never_called(
        self, api: httpx.AsyncClient, shop_api: Shop, receiver: Receiver, worker: Worker
    ) -> None:
        port = receiver.base.rsplit(":", 1)[1]
        endpoint = await add_endpoint(api, shop_api, f"http://localhost:{port}/ok")
        await place(api, shop_api, "ssrf-1")
        await move(api, shop_api, "ssrf-1", "Processing")

        async def refused() -> bool:
            log = (
                await api.get(f"/v2/webhooks/{endpoint['id']}/notifications", headers=shop_api.headers)
            ).json()
            attempts = log["results"][0]["attemptLog"]
            return bool(attempts) and attempts[0]["errorClass"] == "blocked"

        await eventually(refused)
        assert receiver.calls == []
