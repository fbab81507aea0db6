"""Bounded, SSRF-guarded feed fetching: every hop resolved, checked, pinned; body size capped."""

import asyncio
from dataclasses import dataclass

import httpx

from services.poller.body import read_bounded
from services.poller.ssrf import FetchError, Resolver, SystemResolver, checked_ip, pinned_request
from shared.config import PollerSettings
from shared.durations import parse_retry_after
from shared.failures import FailureReason

ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.8, text/xml;q=0.8, */*;q=0.5"
)
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_PERMANENT = frozenset({301, 308})


@dataclass(frozen=True)
class FetchResult:
    """The outcome of one fetch; ``error`` is a short reason, never an exception."""

    status: int
    body: bytes | None
    final_url: str
    permanent_url: str | None
    etag: str | None
    last_modified: str | None
    content_type: str
    retry_after: float | None
    error: str | None


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


# --- the fetch --------------------------------------------------------------------------


@dataclass
class _Hops:
    url: httpx.URL
    count: int = 0
    permanent: bool = True


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
        return _result(hops, status, error=FailureReason.HTTP.text(status), response=response)
    body = await read_bounded(response, settings.max_bytes)
    return _result(hops, status, response=response, body=body)


def _next_url(hops: _Hops, response: httpx.Response) -> httpx.URL | None:
    location = response.headers.get("location")
    if response.status_code not in _REDIRECTS or not location:
        return None
    try:
        return hops.url.join(location.strip())
    except (httpx.InvalidURL, ValueError, UnicodeError):
        raise FetchError(FailureReason.REDIRECT_INVALID) from None


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
            raise FetchError(FailureReason.REDIRECT_LIMIT)
        hops.permanent = hops.permanent and response.status_code in _PERMANENT
        hops.url, hops.count = target, hops.count + 1


_TRANSPORT_ERRORS: tuple[tuple[type[Exception], FailureReason], ...] = (
    (httpx.TimeoutException, FailureReason.TIMEOUT),
    (httpx.ConnectError, FailureReason.CONNECT),
    (httpx.TransportError, FailureReason.NETWORK),
    (httpx.InvalidURL, FailureReason.URL),
    (OSError, FailureReason.NETWORK),
    (ValueError, FailureReason.URL),
)


async def fetch_feed(client: httpx.AsyncClient, url: str, settings: PollerSettings, *,
                     etag: str | None = None, last_modified: str | None = None,
                     resolver: Resolver | None = None) -> FetchResult:
    """Fetch one feed within ``settings`` limits; failures come back as ``error``, never raised."""
    try:
        hops = _Hops(httpx.URL(url))
    except (httpx.InvalidURL, ValueError, UnicodeError, TypeError):
        return FetchResult(0, None, url, None, None, None, "", None, FailureReason.URL.text())
    try:
        async with asyncio.timeout(settings.timeout):
            return await _follow(client, hops, settings, (etag, last_modified),
                                 resolver or SystemResolver())
    except FetchError as exc:
        return _result(hops, error=str(exc))
    except TimeoutError:
        return _result(hops, error=FailureReason.TIMEOUT.text())
    except Exception as exc:  # transport failures only; anything else is a bug and re-raised
        for kind, reason in _TRANSPORT_ERRORS:
            if isinstance(exc, kind):
                return _result(hops, error=reason.text())
        raise
