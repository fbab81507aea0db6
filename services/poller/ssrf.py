"""SSRF guard: resolve every hop, refuse non-public addresses, pin the connection to that IP.

A string check is not enough (``2130706433`` and ``127.1`` are loopback too), so the decision is
made on resolved addresses, and the request then goes to exactly that address.
"""

import asyncio
import ipaddress
import socket
from typing import Protocol

import httpx

from shared.config import PollerSettings
from shared.failures import FailureReason

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class FetchError(Exception):
    """A fetch failure: its reason and detail as error text; never escapes ``fetch_feed``."""

    def __init__(self, reason: FailureReason, detail: object = "") -> None:
        super().__init__(reason.text(detail))
        self.reason = reason


class Resolver(Protocol):
    """Turns a host name into IP address strings (injectable so tests never touch DNS)."""

    async def resolve(self, host: str, port: int) -> list[str]: ...


class SystemResolver:
    """The default resolver: the event loop's getaddrinfo."""

    async def resolve(self, host: str, port: int) -> list[str]:
        infos = await asyncio.get_running_loop().getaddrinfo(
            host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
        )
        return [str(info[4][0]) for info in infos]


def literal_ip(host: str) -> IPAddress | None:
    """The IP a host string denotes by itself, including 2130706433, 0x7f000001 and 127.1."""
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        pass
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except (OSError, UnicodeError, ValueError):
        return None


def is_forbidden(ip: IPAddress) -> bool:
    """True for anything that is not a public unicast address (v4-mapped/NAT64 unwrapped)."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return is_forbidden(ip.ipv4_mapped)
        if ip in _NAT64:
            return is_forbidden(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return (not ip.is_global or ip.is_private or ip.is_loopback or ip.is_link_local
            or ip.is_multicast or ip.is_reserved or ip.is_unspecified)


def _allowed(host: str, ip: IPAddress, allow: list[str]) -> bool:
    name = host.lower().rstrip(".")
    for entry in allow:
        entry = entry.strip().lower().rstrip(".")
        try:
            if ip in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            if entry == name:
                return True
    return False


async def _resolve(host: str, port: int, resolver: Resolver) -> list[IPAddress]:
    ip = literal_ip(host)
    if ip is not None:
        return [ip]
    try:
        found = await resolver.resolve(host, port)
    except (OSError, UnicodeError) as exc:
        raise FetchError(FailureReason.DNS) from exc
    ips = [ipaddress.ip_address(a.split("%", 1)[0]) for a in found]
    if not ips:
        raise FetchError(FailureReason.DNS)
    return sorted(ips, key=lambda a: a.version)  # IPv4 first: the most reliable route


async def checked_ip(url: httpx.URL, settings: PollerSettings, resolver: Resolver) -> IPAddress:
    """Resolve the URL's host and return the IP to connect to; every address must pass."""
    if url.scheme not in ("http", "https") or not url.host:
        raise FetchError(FailureReason.SCHEME, url.scheme or "none")
    port = url.port or (443 if url.scheme == "https" else 80)
    ips = await _resolve(url.host, port, resolver)
    for ip in ips:
        if is_forbidden(ip) and not _allowed(url.host, ip, settings.allow_private_hosts):
            raise FetchError(FailureReason.SSRF, f"{ip} is {_label(ip)}")
    return ips[0]


def _label(ip: IPAddress) -> str:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return f"mapped {_label(ip.ipv4_mapped)}"
    for name in ("loopback", "link_local", "multicast", "unspecified", "reserved", "private"):
        if getattr(ip, f"is_{name}"):
            return name.replace("_", "-")
    return "not global"


def pinned_request(client: httpx.AsyncClient, url: httpx.URL, ip: IPAddress,
                   headers: dict[str, str]) -> httpx.Request:
    """A request aimed at the checked IP, with Host header and TLS SNI naming the real host."""
    host_header = url.netloc.decode("ascii")
    extensions = {"sni_hostname": url.host} if url.scheme == "https" else {}
    return client.build_request("GET", url.copy_with(host=str(ip)),
                                headers={**headers, "Host": host_header}, extensions=extensions)
