"""Outbound safety (webhooks.md §5): private destinations are refused unless allowed.

Checked three times: the URL as the HTTP client reads it (at registration and before each call),
every address a name resolves to, and the address each socket is about to connect to.
"""

from __future__ import annotations

import ipaddress
import socket
import tempfile
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import pytest
from aiohttp.abc import AbstractResolver, ResolveResult
from sqlalchemy import update

from printapi.kit.outbound import (
    BlockedAddress,
    GuardedResolver,
    OutboundGuard,
    classify,
    create_session,
    parse_networks,
    socket_factory,
)
from printapi.models import WebhookEndpoint
from printapi.runtime import Runtime
from printapi.webhooks.delivery import Dispatcher
from tests.cli.test_cli import Cli
from tests.webhooks.conftest import TURNS, Receiver, Shop, add_endpoint, move, place, turn

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
def settings_overrides() -> dict[str, Any]:
    """No allow-list, in production mode: the production default."""
    return {key: value for key, value in TURNS.items() if key != "outbound_allow_networks"} | {
        "mode": "production"
    }


def fullwidth(text: str) -> str:
    """``127.0.0.1`` in fullwidth digits and dots (U+FF10-FF19, U+FF0E), which IDNA reads as ASCII."""
    return text.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789."})


def ideographic(text: str) -> str:
    """Dots as ideographic full stops (U+3002), which IDNA reads as dots."""
    return text.replace(".", "\u3002")


def port_of(receiver: Receiver) -> str:
    return receiver.base.rsplit(":", 1)[1]


# The host of a loopback receiver, spelled as clients have registered it.
LOOPBACK_SPELLINGS = {
    "fullwidth": fullwidth("127.0.0.1"),
    "ideographic": ideographic("127.0.0.1"),
    "fullwidth and ideographic": ideographic(fullwidth("127.0.0.1")),
}

REGISTRATION_REFUSED = {
    **LOOPBACK_SPELLINGS,
    "metadata, fullwidth": fullwidth("169.254.169.254"),
    "decimal": "2130706433",
    "short": "127.1",
    "hex": "0x7f000001",
    "octal": "0177.0.0.1",
    "trailing dot": "127.0.0.1.",
    "IPv4-mapped": "[::ffff:127.0.0.1]",
    "IPv6 loopback": "[::1]",
    "zone id": "[fe80::1%25eth0]",
}


class TestEndpointsOnPrivateAddresses:
    @pytest.mark.parametrize("host", ["127.0.0.1", "10.0.0.1", "169.254.169.254", "[::1]"])
    async def test_an_ip_literal_that_is_not_public_is_refused_when_added(
        self, client: httpx.AsyncClient, merchant: Shop, host: str
    ) -> None:
        response = await client.post(
            "/v2/webhooks", json={"url": f"http://{host}/hook"}, headers=merchant.headers
        )

        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "url"
        assert (await client.get("/v2/webhooks", headers=merchant.headers)).json()["results"] == []

    @pytest.mark.parametrize("host", REGISTRATION_REFUSED.values(), ids=REGISTRATION_REFUSED.keys())
    async def test_every_spelling_of_a_refused_address_is_refused_when_added_with_the_reason(
        self, client: httpx.AsyncClient, merchant: Shop, host: str
    ) -> None:
        response = await client.post(
            "/v2/webhooks", json={"url": f"http://{host}:8080/hook"}, headers=merchant.headers
        )

        assert response.status_code == 400, response.text
        body = response.json()
        assert [error["field"] for error in body["errors"]] == ["url"]
        assert any(
            reason in body["errors"][0]["message"]
            for reason in ("not a public address", "dotted quad", "zone")
        ), body
        assert (await client.get("/v2/webhooks", headers=merchant.headers)).json()["results"] == []

    async def test_a_url_changed_to_a_refused_spelling_is_refused(
        self, client: httpx.AsyncClient, merchant: Shop
    ) -> None:
        endpoint = await add_endpoint(client, merchant, "https://hooks.example.com/h")

        response = await client.patch(
            f"/v2/webhooks/{endpoint['id']}",
            json={"url": f"http://{LOOPBACK_SPELLINGS['fullwidth']}:8080/h"},
            headers=merchant.headers,
        )

        assert response.status_code == 400, response.text
        assert "127.0.0.1 is not a public address" in response.json()["errors"][0]["message"]
        got = await client.get(f"/v2/webhooks/{endpoint['id']}", headers=merchant.headers)
        assert got.json()["url"] == "https://hooks.example.com/h"

    async def test_a_name_resolving_to_loopback_is_never_called(
        self, client: httpx.AsyncClient, merchant: Shop, receiver: Receiver, dispatcher: Dispatcher
    ) -> None:
        port = port_of(receiver)
        endpoint = await add_endpoint(client, merchant, f"http://localhost:{port}/ok")
        await place(client, merchant, "ssrf-1")
        await move(client, merchant, "ssrf-1", "Processing")

        await turn(dispatcher)

        (attempt,) = await attempts_of(client, merchant, endpoint["id"])
        assert attempt["errorClass"] == "blocked"
        assert receiver.calls == []


async def attempts_of(client: httpx.AsyncClient, shop: Shop, endpoint_id: str) -> list[dict[str, Any]]:
    log = (await client.get(f"/v2/webhooks/{endpoint_id}/notifications", headers=shop.headers)).json()
    return [attempt for notification in log["results"] for attempt in notification["attemptLog"]]


class TestEndpointsRegisteredBeforeTheCheck:
    @pytest.mark.parametrize("host", LOOPBACK_SPELLINGS.values(), ids=LOOPBACK_SPELLINGS.keys())
    async def test_a_loopback_spelling_in_the_database_is_never_called_and_is_logged_blocked(
        self,
        client: httpx.AsyncClient,
        merchant: Shop,
        runtime: Runtime,
        receiver: Receiver,
        dispatcher: Dispatcher,
        host: str,
    ) -> None:
        port = port_of(receiver)
        endpoint = await add_endpoint(client, merchant, "https://hooks.example.com/h")
        async with runtime.db.write() as session:  # as if registered before the check
            await session.execute(
                update(WebhookEndpoint)
                .where(WebhookEndpoint.id == endpoint["id"])
                .values(url=f"http://{host}:{port}/sneaky")
            )
        await place(client, merchant, "spelled-1")
        await move(client, merchant, "spelled-1", "Processing")

        await turn(dispatcher)

        (attempt,) = await attempts_of(client, merchant, endpoint["id"])
        assert attempt["errorClass"] == "blocked"
        assert "127.0.0.1 is not a public address" in attempt["error"]
        assert receiver.calls == []


class TestAllowedNetworksInOtherSpellings:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        return TURNS

    async def test_are_stored_in_their_canonical_form_and_delivered(
        self, client: httpx.AsyncClient, merchant: Shop, receiver: Receiver, dispatcher: Dispatcher
    ) -> None:
        port = port_of(receiver)

        endpoint = await add_endpoint(
            client, merchant, f"http://{LOOPBACK_SPELLINGS['fullwidth']}:{port}/wide"
        )
        await place(client, merchant, "wide-1")
        await move(client, merchant, "wide-1", "Processing")
        await turn(dispatcher)

        assert endpoint["url"] == f"http://127.0.0.1:{port}/wide"
        assert len(receiver.to("/wide")) == 1


class LyingResolver(AbstractResolver):
    """Answers 127.0.0.1 for every name, as a poisoned or rebinding DNS server would."""

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        return [
            ResolveResult(hostname=host, host="127.0.0.1", port=port, family=socket.AF_INET, proto=0, flags=0)
        ]

    async def close(self) -> None:
        pass


async def post_through(connector: aiohttp.BaseConnector, url: str) -> int:
    async with aiohttp.ClientSession(connector=connector) as http, http.post(url, data=b"x") as response:
        return response.status


class TestTheConnectTimeCheck:
    @pytest.mark.parametrize(
        ("allow", "reached"), [((), False), (("127.0.0.0/8",), True)], ids=["production", "loopback allowed"]
    )
    async def test_an_address_a_resolver_lies_about_is_refused_unless_allowed(
        self, receiver: Receiver, allow: tuple[str, ...], reached: bool
    ) -> None:
        port = port_of(receiver)
        guard = OutboundGuard(parse_networks(allow))
        connector = aiohttp.TCPConnector(resolver=LyingResolver(), socket_factory=socket_factory(guard))
        url = f"http://hooks.example.com:{port}/lied"

        if reached:
            assert await post_through(connector, url) == 200
            assert len(receiver.to("/lied")) == 1
        else:
            with pytest.raises(aiohttp.ClientConnectorError) as refused:
                await post_through(connector, url)
            assert classify(refused.value).error_class == "blocked"
            assert receiver.calls == []

    @pytest.mark.parametrize(
        ("allow", "reached"), [((), False), (("127.0.0.0/8",), True)], ids=["production", "loopback allowed"]
    )
    async def test_the_session_refuses_an_ip_literal_that_skipped_the_url_check(
        self, receiver: Receiver, allow: tuple[str, ...], reached: bool
    ) -> None:
        http = create_session(
            OutboundGuard(parse_networks(allow)), timeout_seconds=2, user_agent="printapi-test"
        )
        try:
            if reached:
                async with http.post(receiver.url("/literal"), data=b"x") as response:
                    assert response.status == 200
                assert len(receiver.to("/literal")) == 1
            else:
                with pytest.raises(aiohttp.ClientConnectorError) as refused:
                    await http.post(receiver.url("/literal"), data=b"x")
                assert classify(refused.value).error_class == "blocked"
                assert receiver.calls == []
        finally:
            await http.close()


class TestTheCommandLine:
    async def test_webhooks_add_refuses_a_loopback_spelling_with_the_reason(self) -> None:
        with tempfile.TemporaryDirectory(prefix="printapi-guard-") as folder:
            cli = Cli(Path(folder), f"sqlite+aiosqlite:///{Path(folder) / 'cli.db'}")
            await cli.ok("migrate")
            await cli.ok("accounts", "create", "--email", "guard@example.nl", "--password", "password-123")

            result = await cli.run(
                "webhooks",
                "add",
                "--account",
                "guard@example.nl",
                "--environment",
                "live",
                "--url",
                f"http://{LOOPBACK_SPELLINGS['ideographic']}:8080/h",
                PRINTAPI_MODE="production",
            )

        assert result.returncode == 1, result
        assert "error: url: " in result.stderr
        assert "127.0.0.1 is not a public address" in result.stderr
        assert result.stdout == ""
