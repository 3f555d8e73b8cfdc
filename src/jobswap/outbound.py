"""The outbound request policy: where the service's own HTTP requests may go.

Scrapers, geocoders and routers fetch URLs that come partly from people (a career page's
address, a board's name). Without a check, such a URL can make the service fetch from its own
machine, its private network, or a cloud metadata service (server-side request forgery).

The check runs where the connection is made: the host name is resolved once, every address
it resolves to is checked, and the connection goes to a checked address, so a name that
answers differently the second time (DNS rebinding) cannot slip through. Each redirect is a
new connection and is checked again. Loopback, private, link-local, shared (CGNAT),
multicast, reserved and unspecified addresses are refused unless `JOBSWAP_OUTBOUND_ALLOW`
names them (hosts, addresses or CIDR blocks); proxies set by the operator are allowed.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from typing import Any

import anyio
import httpcore
import httpx

from jobswap.config import Settings

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class OutboundBlocked(Exception):
    """The policy refused a destination; the message says which and why."""


def why_refused(ip: Address) -> str | None:
    """Why an address is not on the public internet (None if it is)."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for test, name in (
        (ip.is_loopback, "loopback"),
        (ip.is_link_local, "link-local"),
        (ip.is_multicast, "multicast"),
        (ip.is_unspecified, "unspecified"),
        (ip.is_reserved, "reserved"),
        (ip.is_private, "private"),
    ):
        if test:
            return name
    if not ip.is_global:
        return "not public"
    return None


class Policy:
    def __init__(self, allow: Iterable[str]) -> None:
        self.hosts: set[str] = set()
        self.networks: list[Network] = []
        for raw in allow:
            entry = raw.strip().lower()
            if not entry:
                continue
            try:
                self.networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                self.hosts.add(entry.rstrip("."))

    @classmethod
    def from_settings(cls, settings: Settings) -> Policy:
        proxies = [httpx.URL(p).host for p in settings.scrape_proxies if p]
        return cls([*settings.outbound_allow, *proxies])

    def allowed_address(self, ip: Address) -> bool:
        return why_refused(ip) is None or any(ip in net for net in self.networks if net.version == ip.version)

    def check_url(self, url: str) -> None:
        """A literal address in a URL is refused at once (a host name is checked at connect)."""
        host = httpx.URL(url).host
        try:
            ip = ipaddress.ip_address(host)
        except ValueError:
            return
        if not self.allowed_address(ip):
            raise OutboundBlocked(
                f"{host} is a {why_refused(ip)} address; outbound requests may not go there"
            )

    async def resolve(self, host: str, port: int) -> str:
        """An address to connect to for `host`, after checking every address it resolves to."""
        name = host.strip("[]").lower().rstrip(".")
        if name in self.hosts:
            return host
        try:
            literal: Address | None = ipaddress.ip_address(name)
        except ValueError:
            literal = None
        if literal is not None:
            candidates = [literal]
        else:
            try:
                infos = await anyio.getaddrinfo(name, port, type=socket.SOCK_STREAM)
            except OSError as exc:
                raise httpcore.ConnectError(f"could not resolve {host}: {exc}") from exc
            candidates = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
        refused = [(ip, why_refused(ip)) for ip in candidates if not self.allowed_address(ip)]
        if refused:
            ip, reason = refused[0]
            raise OutboundBlocked(
                f"{host} resolves to {ip}, a {reason} address; outbound requests may not go there "
                f"(JOBSWAP_OUTBOUND_ALLOW can allow it)"
            )
        return str(candidates[0])


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend, connecting only to addresses the policy allows."""

    def __init__(self, policy: Policy, inner: httpcore.AsyncNetworkBackend | None = None) -> None:
        self.policy = policy
        self.inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109  (httpcore's interface)
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        address = await self.policy.resolve(host, port)
        # TLS still verifies the certificate against `host`: httpcore passes the request's
        # host name as the server name when it upgrades this stream.
        return await self.inner.connect_tcp(address, port, timeout, local_address, socket_options)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109  (httpcore's interface)
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise OutboundBlocked("outbound requests may not use Unix sockets")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


def transport(settings: Settings, **options: Any) -> httpx.AsyncHTTPTransport:
    """An httpx transport whose every connection (redirects included) obeys the policy."""
    made = httpx.AsyncHTTPTransport(**options)
    pool = made._pool  # httpx builds the pool; the backend is the one part it does not expose
    pool._network_backend = GuardedBackend(Policy.from_settings(settings), pool._network_backend)
    return made
