"""The outbound guard's reading of URLs (kit/outbound.py): every spelling of a host, as the client reads it.

aiohttp parses URLs with yarl, which IDNA-normalises the host: ``１２７.０.０.１`` (fullwidth
digits) and ``127。0。0。1`` (ideographic full stops) become ``127.0.0.1``, an IP literal that never
goes through the resolver. The guard must see the host the client connects to, not the one written.
"""

from __future__ import annotations

import ipaddress
import re
import socket

import pytest
import yarl

from printapi.kit.outbound import (
    BadUrl,
    BlockedAddress,
    OutboundGuard,
    parse_networks,
    parse_url,
    socket_factory,
)

PRODUCTION = OutboundGuard()
LOOPBACK_ALLOWED = OutboundGuard(parse_networks(["127.0.0.0/8", "::1/128"]))

# Loopback and other refused networks, written so that the client reads them as an IP literal.
BLOCKED = {
    "dotted quad": "http://127.0.0.1:8080/h",
    "fullwidth digits": "http://１２７.０.０.１:8080/h",
    "ideographic full stops": "http://127。0。0。1:8080/h",
    "fullwidth full stops": "http://127．0．0．1:8080/h",
    "halfwidth ideographic full stops": "http://127｡0｡0｡1:8080/h",
    "fullwidth digits and ideographic stops": "http://１２７。０。０。１/h",
    "circled digits": "http://①②⑦.0.0.1/h",
    "upper-case scheme": "HTTP://127.0.0.1/h",
    "user info before the host": "http://hooks.example.com@127.0.0.1/h",
    "metadata": "http://169.254.169.254/latest/meta-data",
    "metadata, fullwidth": "http://１６９.２５４.１６９.２５４/latest",
    "unspecified": "http://0.0.0.0/h",
    "private": "http://10.0.0.1/h",
    "IPv6 loopback": "http://[::1]/h",
    "IPv6 loopback, long form": "http://[0:0:0:0:0:0:0:1]/h",
    "IPv4-mapped loopback": "http://[::ffff:127.0.0.1]/h",
    "IPv4-mapped loopback, hex": "http://[::ffff:7f00:1]/h",
    "IPv4-mapped metadata": "http://[::ffff:169.254.169.254]/h",
    "IPv4-compatible loopback": "http://[::127.0.0.1]/h",
    "NAT64 loopback": "http://[64:ff9b::127.0.0.1]/h",
    "6to4 loopback": "http://[2002:7f00:1::]/h",
    "IPv6 unique local": "http://[fd00::1]/h",
    "IPv6 link-local": "http://[fe80::1]/h",
}

# Hosts no client reads the same way (or at all): refused whatever the allow-list says.
UNDELIVERABLE = {
    "decimal integer": "http://2130706433:8080/h",
    "short form": "http://127.1/h",
    "hex integer": "http://0x7f000001/h",
    "hex parts": "http://0x7f.0.0.1/h",
    "octal part": "http://0177.0.0.1/h",
    "leading zeros": "http://127.000.000.001/h",
    "trailing dot": "http://127.0.0.1./h",
    "fullwidth with a fullwidth trailing dot": "http://１２７.０.０.１．/h",
    "zero": "http://0/h",
    "five parts": "http://1.2.3.4.5/h",
    "part over 255": "http://256.0.0.1/h",
    "name ending in a number": "http://files.example.123/h",
    "name ending in hex": "http://files.example.0x1f/h",
    "IPv6 zone id": "http://[::1%25lo]/h",
    "IPv6 zone id, raw": "http://[fe80::1%lo]/h",
    "percent in the host": "http://127.0.0.1%2f/h",
    "space in the host": "http://files example.com/h",
    "empty label": "http://files..example.com/h",
    "empty label between ideographic stops": "http://files。。example.com/h",
    "port zero": "http://files.example.com:0/h",
    "port out of range": "http://files.example.com:65536/h",
    "port not a number": "http://files.example.com:http/h",
    "unclosed IPv6 bracket": "http://[::1/h",
    "backslash in the authority": "http://files.example.com\\@127.0.0.1/h",
    "ftp": "ftp://files.example.com/a.pdf",
    "file": "file:///etc/passwd",
    "no scheme": "files.example.com/a.pdf",
    "scheme-relative": "//files.example.com/a.pdf",
    "no host": "http:///a.pdf",
    "empty": "",
}

# Allowed as written: public literals, and names (the resolver and the connect-time check decide).
ALLOWED = {
    "name": "https://hooks.example.com/h",
    "upper-case name": "https://Hooks.Example.COM/h",
    "name with a trailing dot": "https://hooks.example.com./h",
    "international name": "https://bücher.example/h",
    "name starting with digits": "https://1password.example/h",
    "name that resolves later": "http://localhost:8080/h",
    "public IPv4": "http://93.184.216.34/h",
    "public IPv6": "http://[2606:2800:220:1:248:1893:25c8:1946]/h",
    "public 6to4": "http://[2002:5db8:d822::]/h",
}


class TestRefusedNetworksInAnySpelling:
    @pytest.mark.parametrize("url", BLOCKED.values(), ids=BLOCKED.keys())
    def test_are_refused_without_an_allow_list(self, url: str) -> None:
        with pytest.raises(BlockedAddress, match="not a public address"):
            PRODUCTION.check_url(url)

    @pytest.mark.parametrize("url", BLOCKED.values(), ids=BLOCKED.keys())
    def test_the_guard_sees_the_host_the_client_connects_to(self, url: str) -> None:
        assert parse_url(url).host == yarl.URL(url).raw_host


class TestHostsThatCanNeverBeDelivered:
    @pytest.mark.parametrize("url", UNDELIVERABLE.values(), ids=UNDELIVERABLE.keys())
    @pytest.mark.parametrize("guard", [PRODUCTION, LOOPBACK_ALLOWED], ids=["production", "loopback allowed"])
    def test_are_refused_with_or_without_an_allow_list(self, url: str, guard: OutboundGuard) -> None:
        with pytest.raises(BadUrl):
            guard.check_url(url)

    @pytest.mark.parametrize(
        ("host", "read_as"),
        [
            ("2130706433", "127.0.0.1"),
            ("127.1", "127.0.0.1"),
            ("0x7f000001", "127.0.0.1"),
            ("0177.0.0.1", "127.0.0.1"),
            ("127.0.0.1.", "127.0.0.1"),
            ("0x7f.1", "127.0.0.1"),
        ],
    )
    def test_numeric_forms_say_how_some_clients_would_read_them(self, host: str, read_as: str) -> None:
        with pytest.raises(BadUrl, match=f"read it as {re.escape(read_as)}.*dotted quad"):
            parse_url(f"http://{host}/h")

    def test_a_zone_id_says_why(self) -> None:
        with pytest.raises(BadUrl, match="zone"):
            parse_url("http://[fe80::1%25eth0]/h")

    def test_a_bad_scheme_says_what_is_expected(self) -> None:
        with pytest.raises(BadUrl, match=r"http:// or https://"):
            parse_url("ftp://files.example.com/a.pdf")


class TestAllowedUrls:
    @pytest.mark.parametrize("url", ALLOWED.values(), ids=ALLOWED.keys())
    def test_pass_unchanged(self, url: str) -> None:
        checked = PRODUCTION.check_url(url)

        assert checked.url == url
        assert checked.host == yarl.URL(url).raw_host

    def test_a_name_is_checked_in_its_idna_form(self) -> None:
        checked = PRODUCTION.check_url("https://bücher.example/h")

        assert checked.host == "xn--bcher-kva.example"
        assert checked.address is None


class TestTheAllowList:
    @pytest.mark.parametrize(
        ("url", "canonical"),
        [
            ("http://127.0.0.1:8080/h", "http://127.0.0.1:8080/h"),
            ("http://１２７.０.０.１:8080/h", "http://127.0.0.1:8080/h"),
            ("http://127。0。0。1:8080/h?a=1", "http://127.0.0.1:8080/h?a=1"),
            ("http://[0:0:0:0:0:0:0:1]:8080/h", "http://[::1]:8080/h"),
            ("http://[::ffff:127.0.0.1]:8080/h", "http://[::ffff:7f00:1]:8080/h"),
        ],
    )
    def test_allowed_networks_pass_in_every_spelling_in_their_canonical_form(
        self, url: str, canonical: str
    ) -> None:
        checked = LOOPBACK_ALLOWED.check_url(url)

        assert checked.url == canonical
        assert checked.address is not None
        assert parse_url(checked.url).host == checked.host

    def test_opens_only_its_networks(self) -> None:
        with pytest.raises(BlockedAddress):
            LOOPBACK_ALLOWED.check_url("http://１６９.２５４.１６９.２５４/latest")


class TestAddresses:
    @pytest.mark.parametrize(
        "address",
        ["::ffff:127.0.0.1", "::127.0.0.1", "64:ff9b::7f00:1", "2002:7f00:1::", "2002:a9fe:a9fe::", "::"],
    )
    def test_ipv4_inside_ipv6_is_judged_as_the_ipv4_address(self, address: str) -> None:
        assert not PRODUCTION.allowed(ipaddress.ip_address(address))

    def test_an_allowed_network_opens_its_ipv6_wrappings_too(self) -> None:
        assert LOOPBACK_ALLOWED.allowed(ipaddress.ip_address("::ffff:127.0.0.1"))


def _info(host: str) -> tuple[socket.AddressFamily, socket.SocketKind, int, str, tuple[str, int]]:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    return (family, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (host, 80))


class TestTheConnectTimeCheck:
    @pytest.mark.parametrize("host", ["127.0.0.1", "169.254.169.254", "::1", "::ffff:127.0.0.1", "localhost"])
    def test_refuses_a_socket_for_an_address_that_is_not_allowed(self, host: str) -> None:
        make = socket_factory(PRODUCTION)

        with pytest.raises(BlockedAddress):
            make(_info(host))

    @pytest.mark.parametrize(
        ("guard", "host"), [(PRODUCTION, "93.184.216.34"), (LOOPBACK_ALLOWED, "127.0.0.1")]
    )
    def test_makes_the_socket_for_an_allowed_address(self, guard: OutboundGuard, host: str) -> None:
        with socket_factory(guard)(_info(host)) as sock:
            assert sock.family == socket.AF_INET
            assert sock.type == socket.SOCK_STREAM
