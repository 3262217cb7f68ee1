"""Outbound HTTP to addresses our users chose (webhook endpoints, file URLs), made safe.

Allowed: public (globally routable) addresses, plus the networks of
``PRINTAPI_OUTBOUND_ALLOW_NETWORKS``. Refused: loopback, private, link-local (cloud metadata
169.254.169.254 included), carrier-grade NAT, multicast, reserved and unspecified addresses, also
when wrapped in IPv6 (IPv4-mapped, IPv4-compatible, NAT64 ``64:ff9b::/96``, 6to4 ``2002::/16``).

Checked in three places, each on what the client will really use:

1. The URL (``OutboundGuard.check_url``: at registration, at order placement for the spelling,
   before each call and each redirect hop). Its host is read with yarl, aiohttp's own URL parser,
   which IDNA-normalises it: ``１２７.０.０.１`` (fullwidth digits) and ``127。0。0。1``
   (ideographic full stops) *are* ``127.0.0.1`` to the client, an IP literal that never reaches
   the resolver. An IP literal is judged by the guard. A host that ends in a number but is not a
   dotted quad (``2130706433``, ``127.1``, ``0x7f000001``, ``0177.0.0.1``, ``127.0.0.1.``) is
   refused as ambiguous: browsers and ``inet_aton`` read it as an address; aiohttp refuses the
   all-decimal ones (they could never be delivered) and resolves the others as names, where
   ``getaddrinfo`` reads them as addresses again. So are IPv6 zone ids, port 0 and hosts that
   are no DNS name. Allowed literals come back in their canonical form (``check_url(...).url``).
2. Every address a name resolves to (``GuardedResolver``); only the allowed ones are handed to
   the connector.
3. The address each socket is about to connect to (``socket_factory``, aiohttp's
   ``TCPConnector(socket_factory=...)``), before the first packet: whatever the spelling, the
   redirect or the resolver, no connection to a refused address is opened.

One ``aiohttp.ClientSession`` per process; every failure is put in a small set of classes
(``classify``) for logs, owner mails and metrics: ``BlockedAddress`` is ``blocked``, ``BadUrl``
is ``invalid_url``.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
import ssl
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver
from yarl import URL

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

_SCHEMES = ("http", "https")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")
# A host that ends in a number is an IPv4 address to the WHATWG URL parser and to inet_aton.
_NUMBER = re.compile(r"[0-9]+|0x[0-9a-f]*")
_LABEL = re.compile(r"[a-z0-9_-]{1,63}")
# The same text for every refused socket: aiohappyeyeballs raises the first of several failed
# attempts only when all of their messages are equal, and merges different ones into a plain
# OSError, which would lose the ``blocked`` class.
_REFUSED_SOCKET = "refused to connect: the address is not public"


class BlockedAddress(OSError):
    """The destination is not allowed (private, loopback, metadata, ...)."""


class BadUrl(ValueError):
    """Not an http(s) URL with a host the client can call."""


def parse_networks(cidrs: Iterable[str]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(cidr.strip(), strict=False) for cidr in cidrs if cidr.strip())


@dataclass(frozen=True)
class Destination:
    """Where a URL leads the HTTP client: ``url`` as it will be called, the ``host`` it connects
    to (yarl's ``raw_host``: IDNA, lower case), and the ``address`` when that host is an IP literal."""

    url: str
    host: str
    address: IPAddress | None


def _legacy_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """What ``inet_aton`` (and the WHATWG URL parser) reads into a numeric host, if anything."""
    parts = host.removesuffix(".").split(".")
    if len(parts) > 4 or not all(_NUMBER.fullmatch(part) for part in parts):
        return None
    numbers = []
    for part in parts:
        if part.startswith("0x"):
            numbers.append(int(part[2:] or "0", 16))
        elif len(part) > 1 and part.startswith("0"):
            if not set(part) <= set("01234567"):
                return None
            numbers.append(int(part, 8))
        else:
            numbers.append(int(part))
    *head, last = numbers
    if any(number > 255 for number in head) or last >= 256 ** (5 - len(numbers)):
        return None
    value = sum(number << (8 * (3 - index)) for index, number in enumerate(head)) + last
    return ipaddress.IPv4Address(value)


def _numeric_host(host: str) -> ipaddress.IPv4Address:
    """A host that ends in a number: a canonical dotted quad, or ``BadUrl``."""
    try:
        return ipaddress.IPv4Address(host)
    except ValueError:
        pass
    legacy = _legacy_ipv4(host)
    read_as = f" (some clients read it as {legacy}, others as a name or not at all)" if legacy else ""
    raise BadUrl(
        f"host '{host}' is ambiguous{read_as}: an IPv4 address must be written as a dotted quad "
        "like 203.0.113.7, and a host name cannot end in a number"
    )


def _ipv6_host(host: str) -> ipaddress.IPv6Address:
    bare, percent, _zone = host.partition("%")
    try:
        address = ipaddress.IPv6Address(bare)
    except ValueError as exc:
        raise BadUrl(f"host '[{host}]' is not an IPv6 address") from exc
    if percent:
        raise BadUrl(f"host '[{host}]' has a zone id (%...), which names a network interface of this server")
    return address


def _check_name(host: str) -> None:
    labels = host.removesuffix(".").split(".")
    if len(host) > 254 or not all(_LABEL.fullmatch(label) for label in labels):
        raise BadUrl(f"host '{host}' is not a valid host name")


def parse_url(url: str) -> Destination:
    """Where ``url`` leads, read exactly as aiohttp reads it, or ``BadUrl`` when it can never be
    called. Only the spelling is judged here; ``OutboundGuard.check_url`` judges the address."""
    try:
        parsed = URL(url)
        host = parsed.raw_host
        port = parsed.port
    except ValueError as exc:  # UnicodeError (IDNA) is a ValueError too
        raise BadUrl(f"is not a valid URL ({exc})") from exc
    if parsed.scheme not in _SCHEMES or not host:
        raise BadUrl("must be an http:// or https:// URL with a host")
    if not port:
        raise BadUrl("port 0 cannot be called")
    address: IPAddress | None = None
    if ":" in host:
        address = _ipv6_host(host)
    elif _NUMBER.fullmatch(host.removesuffix(".").rsplit(".", 1)[-1]):
        address = _numeric_host(host)
    else:
        _check_name(host)
    if address is not None and _written_host(url) != address.compressed:
        url = str(parsed)  # the canonical spelling: what the client would send anyway
    return Destination(url, host, address)


def _written_host(url: str) -> str | None:
    try:
        return urlsplit(url).hostname
    except ValueError:
        return None


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries to, if it is one of the forms that do."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64 or address in _IPV4_COMPATIBLE:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


@dataclass(frozen=True)
class OutboundGuard:
    allow: tuple[Network, ...] = ()

    def allowed(self, address: IPAddress) -> bool:
        if any(address in network for network in self.allow):
            return True
        if isinstance(address, ipaddress.IPv6Address) and (embedded := _embedded_ipv4(address)):
            return self.allowed(embedded)
        return address.is_global and not address.is_multicast

    def check_url(self, url: str) -> Destination:
        """Where ``url`` leads, or ``BadUrl`` / ``BlockedAddress``. A name passes: what it
        resolves to is checked when it is resolved, and again when a socket connects."""
        destination = parse_url(url)
        address = destination.address
        if address is not None and not self.allowed(address):
            shown = _embedded_ipv4(address) if isinstance(address, ipaddress.IPv6Address) else None
            raise BlockedAddress(f"{shown or address} is not a public address")
        return destination


def socket_factory(guard: OutboundGuard) -> aiohttp.SocketFactoryType:
    """Makes the socket for each connection attempt, after checking the address it is about to
    connect to: the last check, below every spelling, redirect and resolver."""

    def make(addr_info: aiohttp.AddrInfoType) -> socket.socket:
        family, kind, proto, _, sockaddr = addr_info
        try:
            address = ipaddress.ip_address(sockaddr[0])
        except ValueError:
            raise BlockedAddress(_REFUSED_SOCKET) from None
        if not guard.allowed(address):
            raise BlockedAddress(_REFUSED_SOCKET)
        return socket.socket(family=family, type=kind, proto=proto)

    return make


class GuardedResolver(AbstractResolver):
    """Resolves with the system resolver and drops every address the guard refuses."""

    def __init__(self, guard: OutboundGuard, inner: AbstractResolver | None = None) -> None:
        self._guard = guard
        self._inner = inner or ThreadedResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await self._inner.resolve(host, port, family)
        allowed = [result for result in results if self._allows(result["host"])]
        if not allowed:
            raise BlockedAddress(f"{host} resolves only to addresses that are not public")
        return allowed

    def _allows(self, host: str) -> bool:
        try:
            return self._guard.allowed(ipaddress.ip_address(host))
        except ValueError:  # not an address: nothing we could check
            return False

    async def close(self) -> None:
        await self._inner.close()


def create_session(
    guard: OutboundGuard,
    *,
    timeout_seconds: float,
    connect_seconds: float | None = None,
    read_seconds: float | None = None,
    per_host: int = 0,
    user_agent: str,
) -> aiohttp.ClientSession:
    connector = aiohttp.TCPConnector(
        resolver=GuardedResolver(guard),
        socket_factory=socket_factory(guard),
        limit=0,
        limit_per_host=per_host,
        ttl_dns_cache=10,
    )
    return aiohttp.ClientSession(
        connector=connector,
        timeout=aiohttp.ClientTimeout(
            total=timeout_seconds, connect=connect_seconds or timeout_seconds, sock_read=read_seconds
        ),
        headers={"User-Agent": user_agent},
        auto_decompress=False,
        trust_env=False,
    )


@dataclass(frozen=True)
class Failure:
    error_class: str
    message: str


def _root(exc: BaseException) -> BaseException | None:
    os_error = getattr(exc, "os_error", None)
    return os_error if isinstance(os_error, BaseException) else exc.__cause__


def classify(exc: BaseException) -> Failure:  # noqa: PLR0911 - one return per class
    """The error class of a failed request: what the owner mail and the delivery log say."""
    root = _root(exc)
    text = str(exc) or exc.__class__.__name__
    if isinstance(exc, BlockedAddress) or isinstance(root, BlockedAddress):
        return Failure("blocked", str(root if isinstance(root, BlockedAddress) else exc))
    if isinstance(exc, BadUrl | aiohttp.InvalidURL):
        return Failure("invalid_url", text)
    if isinstance(exc, asyncio.TimeoutError | aiohttp.ServerTimeoutError):
        return Failure("timeout", "no answer within the timeout")
    if isinstance(exc, aiohttp.ClientConnectorCertificateError | aiohttp.ClientSSLError) or isinstance(
        root, ssl.SSLError
    ):
        return Failure("tls", text)
    if isinstance(exc, aiohttp.ClientConnectorDNSError) or isinstance(root, socket.gaierror):
        return Failure("dns", text)
    if isinstance(root, ConnectionRefusedError):
        return Failure("connection_refused", text)
    if isinstance(exc, aiohttp.ClientError | OSError):
        return Failure("connection", text)
    return Failure("error", f"{exc.__class__.__name__}: {text}")


async def read_capped(response: aiohttp.ClientResponse, cap: int) -> tuple[bytes, bool]:
    """At most ``cap`` bytes of the body, and whether that was all of it."""
    data = await response.content.read(cap)
    return data, response.content.at_eof()
