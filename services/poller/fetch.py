"""Bounded, SSRF-guarded feed fetching: every hop resolved, checked, pinned; body size capped."""

import asyncio
import ipaddress
import socket
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Protocol

import httpx

from shared.config import PollerSettings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.8, text/xml;q=0.8, */*;q=0.5"
)
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_PERMANENT = frozenset({301, 308})
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


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


@dataclass(frozen=True)
class FetchResult:
    status: int
    body: bytes | None
    final_url: str
    permanent_url: str | None
    etag: str | None
    last_modified: str | None
    content_type: str
    retry_after: float | None
    error: str | None


class FetchError(Exception):
    """A fetch failure with a short reason; never escapes ``fetch_feed``."""


def make_client(settings: PollerSettings) -> httpx.AsyncClient:
    """A client with per-phase timeouts, our User-Agent, no env proxies, no auto-redirects."""
    total = settings.timeout
    timeout = httpx.Timeout(connect=min(5.0, total), read=min(10.0, total),
                            write=min(5.0, total), pool=min(5.0, total))
    # No keep-alive: the pool is keyed by the pinned IP, so a kept TLS connection verified for
    # one host name could otherwise be reused for another name on the same IP.
    limits = httpx.Limits(max_connections=settings.concurrency * 2, max_keepalive_connections=0)
    return httpx.AsyncClient(
        timeout=timeout, limits=limits, follow_redirects=False, trust_env=False,
        headers={"User-Agent": settings.user_agent, "Accept": ACCEPT,
                 "Accept-Encoding": "gzip, deflate"},
    )


# --- SSRF guard -------------------------------------------------------------------------


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
        raise FetchError("dns") from exc
    ips = [ipaddress.ip_address(a.split("%", 1)[0]) for a in found]
    if not ips:
        raise FetchError("dns")
    return sorted(ips, key=lambda a: a.version)  # IPv4 first: the most reliable route


async def checked_ip(url: httpx.URL, settings: PollerSettings, resolver: Resolver) -> IPAddress:
    """Resolve the URL's host and return the IP to connect to; every address must pass."""
    if url.scheme not in ("http", "https") or not url.host:
        raise FetchError(f"scheme: {url.scheme or 'none'}")
    port = url.port or (443 if url.scheme == "https" else 80)
    ips = await _resolve(url.host, port, resolver)
    for ip in ips:
        if is_forbidden(ip) and not _allowed(url.host, ip, settings.allow_private_hosts):
            raise FetchError(f"ssrf: {ip} is {_label(ip)}")
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


# --- body limits ------------------------------------------------------------------------


class _Decoder:
    """Incremental gzip/deflate/identity decoding that never produces more than ``cap`` bytes."""

    def __init__(self, encoding: str, cap: int) -> None:
        if encoding not in ("", "identity", "gzip", "x-gzip", "deflate"):
            raise FetchError(f"encoding: {encoding[:40]}")
        self.cap, self.out = cap, bytearray()
        self.raw_deflate = encoding == "deflate"
        self.zobj = None if encoding in ("", "identity") else zlib.decompressobj(wbits=47)
        self.started = False

    def feed(self, data: bytes) -> None:
        if self.zobj is None:
            self.out += data
        else:
            self._inflate(data)
        if len(self.out) > self.cap:
            raise FetchError("too_large")

    def _inflate(self, data: bytes) -> None:
        assert self.zobj is not None
        while data:
            try:
                chunk = self.zobj.decompress(data, self.cap + 1 - len(self.out))
            except zlib.error:
                if not (self.raw_deflate and not self.started):
                    raise FetchError("decode") from None
                self.zobj, self.raw_deflate = zlib.decompressobj(wbits=-15), False
                continue  # "deflate" sent as raw deflate without the zlib header
            self.started = True
            self.out += chunk
            if len(self.out) > self.cap:
                raise FetchError("too_large")
            data = self.zobj.unconsumed_tail
            if self.zobj.eof:
                return

    def result(self) -> bytes:
        if self.zobj is not None and self.started and not self.zobj.eof:
            raise FetchError("decode")
        return bytes(self.out)


async def read_bounded(response: httpx.Response, cap: int) -> bytes:
    """Raw wire bytes decoded by us, so a compression bomb stops at exactly ``cap`` bytes."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > cap:
        raise FetchError("too_large")
    decoder = _Decoder(response.headers.get("content-encoding", "").strip().lower(), cap)
    wire = 0
    chunks: AsyncIterator[bytes] = response.aiter_raw()
    async for raw in chunks:
        wire += len(raw)
        if wire > cap:
            raise FetchError("too_large")
        decoder.feed(raw)
    return decoder.result()


# --- the fetch --------------------------------------------------------------------------


@dataclass
class _Hops:
    url: httpx.URL
    count: int = 0
    permanent: bool = True


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date."""
    value = (value or "").strip()
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _result(hops: _Hops, status: int = 0, *, error: str | None = None,
            response: httpx.Response | None = None, body: bytes | None = None,
            validators: tuple[str | None, str | None] = (None, None)) -> FetchResult:
    headers = response.headers if response is not None else httpx.Headers()
    retry = headers.get("retry-after") if status in (429, 503) else None
    moved = hops.count > 0 and hops.permanent and error is None
    return FetchResult(
        status=status, body=body, final_url=str(hops.url),
        permanent_url=str(hops.url) if moved else None,
        etag=headers.get("etag") or validators[0],
        last_modified=headers.get("last-modified") or validators[1],
        content_type=headers.get("content-type", ""),
        retry_after=parse_retry_after(retry), error=error,
    )


async def _finish(response: httpx.Response, hops: _Hops, settings: PollerSettings,
                  validators: tuple[str | None, str | None]) -> FetchResult:
    status = response.status_code
    if status == 304:
        return _result(hops, status, response=response, validators=validators)
    if status != 200:
        return _result(hops, status, error=f"http {status}", response=response)
    body = await read_bounded(response, settings.max_bytes)
    return _result(hops, status, response=response, body=body)


def _next_url(hops: _Hops, response: httpx.Response) -> httpx.URL | None:
    location = response.headers.get("location")
    if response.status_code not in _REDIRECTS or not location:
        return None
    try:
        return hops.url.join(location.strip())
    except (httpx.InvalidURL, ValueError, UnicodeError):
        raise FetchError("redirect_invalid") from None


async def _follow(client: httpx.AsyncClient, hops: _Hops, settings: PollerSettings,
                  validators: tuple[str | None, str | None], resolver: Resolver) -> FetchResult:
    headers = {k: v for k, v in zip(("If-None-Match", "If-Modified-Since"), validators,
                                    strict=True) if v}
    while True:
        ip = await checked_ip(hops.url, settings, resolver)
        request = pinned_request(client, hops.url, ip, headers)
        response = await client.send(request, stream=True)
        try:
            target = _next_url(hops, response)
            if target is None:
                return await _finish(response, hops, settings, validators)
        finally:
            await response.aclose()
        if hops.count >= settings.max_redirects:
            raise FetchError("redirect_limit")
        hops.permanent = hops.permanent and response.status_code in _PERMANENT
        hops.url, hops.count = target, hops.count + 1


_TRANSPORT_ERRORS: tuple[tuple[type[Exception], str], ...] = (
    (httpx.TimeoutException, "timeout"),
    (httpx.ConnectError, "connect"),
    (httpx.TransportError, "network"),
    (httpx.InvalidURL, "url"),
    (OSError, "network"),
    (ValueError, "url"),
)


async def fetch_feed(client: httpx.AsyncClient, url: str, settings: PollerSettings, *,
                     etag: str | None = None, last_modified: str | None = None,
                     resolver: Resolver | None = None) -> FetchResult:
    """Fetch one feed within ``settings`` limits; failures come back as ``error``, never raised."""
    try:
        hops = _Hops(httpx.URL(url))
    except (httpx.InvalidURL, ValueError, UnicodeError, TypeError):
        return FetchResult(0, None, url, None, None, None, "", None, "url")
    try:
        async with asyncio.timeout(settings.timeout):
            return await _follow(client, hops, settings, (etag, last_modified),
                                 resolver or SystemResolver())
    except FetchError as exc:
        return _result(hops, error=str(exc))
    except TimeoutError:
        return _result(hops, error="timeout")
    except Exception as exc:  # transport failures only; anything else is a bug and re-raised
        for kind, reason in _TRANSPORT_ERRORS:
            if isinstance(exc, kind):
                return _result(hops, error=reason)
        raise
