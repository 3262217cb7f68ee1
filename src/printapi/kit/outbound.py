"""Outbound HTTP to addresses our users chose (webhook endpoints, file URLs), made safe.

- Only http(s) URLs.
- Every address a name resolves to is checked, and only the allowed ones are handed to the
  connector, so the check applies to the address actually connected to (no DNS-rebinding gap);
  IP literals in URLs are checked before the request.
- Allowed: public (globally routable) addresses, plus the networks of
  ``PRINTAPI_OUTBOUND_ALLOW_NETWORKS``. Refused: loopback, private, link-local (cloud metadata
  169.254.169.254 included), carrier-grade NAT, multicast, reserved and unspecified addresses,
  also when wrapped in IPv4-mapped IPv6.
- One ``aiohttp.ClientSession`` per process; every failure is put in a small set of classes
  (``classify``) for logs, owner mails and metrics.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class BlockedAddress(OSError):
    """The destination is not allowed (private, loopback, metadata, ...)."""


class BadUrl(ValueError):
    """Not an http(s) URL with a host."""


def parse_networks(cidrs: Iterable[str]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(cidr.strip(), strict=False) for cidr in cidrs if cidr.strip())


@dataclass(frozen=True)
class OutboundGuard:
    allow: tuple[Network, ...] = ()

    def allowed(self, address: IPAddress) -> bool:
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        if any(address in network for network in self.allow):
            return True
        return address.is_global and not address.is_multicast

    def check_url(self, url: str) -> str:
        """The URL's host, or ``BadUrl`` / ``BlockedAddress``."""
        try:
            parts = urlsplit(url)
            host = parts.hostname
            parts.port  # noqa: B018 - raises ValueError for a port that is not a number
        except ValueError as exc:
            raise BadUrl(f"is not a valid URL ({exc})") from exc
        if parts.scheme.lower() not in ("http", "https") or not host:
            raise BadUrl("must be an http:// or https:// URL with a host")
        try:
            literal = ipaddress.ip_address(host)
        except ValueError:
            return host
        if not self.allowed(literal):
            raise BlockedAddress(f"{literal} is not a public address")
        return host


class GuardedResolver(AbstractResolver):
    """Resolves with the system resolver and drops every address the guard refuses."""

    def __init__(self, guard: OutboundGuard, inner: AbstractResolver | None = None) -> None:
        self._guard = guard
        self._inner = inner or ThreadedResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await self._inner.resolve(host, port, family)
        allowed = [result for result in results if self._guard.allowed(ipaddress.ip_address(result["host"]))]
        if not allowed:
            raise BlockedAddress(f"{host} resolves only to addresses that are not public")
        return allowed

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
