"""Unit tests for services.poller.fetch and .ssrf: the SSRF guard and connection pinning
(no sockets)."""

import ipaddress

import httpx
import pytest

from services.poller.ssrf import is_forbidden, literal_ip
from shared.config import PollerSettings
from tests.unit.poller.test_poller_fetch import PUBLIC, StubResolver, fetch, resp

SSRF_HOSTS = [
    "127.0.0.1", "2130706433", "0x7f000001", "017700000001", "127.1", "0", "0.0.0.0",
    "[::1]", "[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "169.254.169.254", "10.0.0.1",
    "192.168.1.1", "172.16.0.1", "[fd00::1]", "100.100.100.200", "[fe80::1]", "224.0.0.1",
    "[64:ff9b::a00:1]", "255.255.255.255",
]


@pytest.mark.parametrize("host", SSRF_HOSTS)
async def test_poller_ssrf_literal_forms_refused_without_connecting(host: str) -> None:
    """Every private/loopback/metadata IP form is refused with an ssrf error and 0 requests."""
    result, seen = await fetch(f"http://{host}/feed")
    assert result.error is not None and result.error.startswith("ssrf: ")
    assert result.status == 0 and result.body is None
    assert seen == []


async def test_poller_ssrf_hostname_resolving_private_refused() -> None:
    """A host name that resolves to 10.x is refused; the error names the address and rule."""
    resolver = StubResolver({"intranet.example": [["10.1.2.3"]]})
    result, seen = await fetch("http://intranet.example/rss", resolver=resolver)
    assert result.error == "ssrf: 10.1.2.3 is private"
    assert seen == [] and resolver.calls == ["intranet.example"]


async def test_poller_ssrf_any_private_answer_refuses_host() -> None:
    """A name resolving to both a public and a private address is refused."""
    resolver = StubResolver({"mixed.example": [[PUBLIC, "127.0.0.1"]]})
    result, seen = await fetch("http://mixed.example/rss", resolver=resolver)
    assert result.error == "ssrf: 127.0.0.1 is loopback" and seen == []


@pytest.mark.parametrize(("allow", "url", "answer"), [
    (["127.0.0.1"], "http://127.0.0.1:8080/f", None),
    (["10.0.0.0/8"], "http://intranet.example/f", "10.9.8.7"),
    (["Intranet.Example"], "http://intranet.example/f", "10.9.8.7"),
    (["::1"], "http://[::1]/f", None),
])
async def test_poller_ssrf_allow_list_permits_listed(allow: list[str], url: str,
                                                     answer: str | None) -> None:
    """Hosts, IPs and CIDRs in allow_private_hosts are fetched despite being private."""
    settings = PollerSettings(allow_private_hosts=allow, timeout=2.0, max_bytes=1 << 20)
    resolver = StubResolver({"intranet.example": [[answer]]} if answer else {})
    result, seen = await fetch(url, settings=settings, resolver=resolver)
    assert result.error is None and result.status == 200 and len(seen) == 1


async def test_poller_ssrf_allow_list_is_exact() -> None:
    """Allowing 127.0.0.1 does not allow 127.0.0.2."""
    settings = PollerSettings(allow_private_hosts=["127.0.0.1"], timeout=2.0)
    result, seen = await fetch("http://127.0.0.2/f", settings=settings)
    assert result.error == "ssrf: 127.0.0.2 is loopback" and seen == []


async def test_poller_connection_pinned_to_checked_ip() -> None:
    """DNS rebinding fails: one lookup, the request goes to that IP with Host and SNI kept."""
    resolver = StubResolver({"feeds.example": [[PUBLIC], ["127.0.0.1"]]})
    result, seen = await fetch("https://feeds.example:8443/rss", resolver=resolver)
    assert result.status == 200 and resolver.calls == ["feeds.example"]
    assert seen[0].url.host == PUBLIC and seen[0].url.port == 8443
    assert seen[0].headers["host"] == "feeds.example:8443"
    assert seen[0].extensions["sni_hostname"] == "feeds.example"
    assert result.final_url == "https://feeds.example:8443/rss"


async def test_poller_redirect_to_metadata_refused() -> None:
    """A public feed redirecting to 169.254.169.254 is refused before any request goes there."""
    resolver = StubResolver({"feeds.example": [[PUBLIC]]})

    def handler(request: httpx.Request) -> httpx.Response:
        return resp(302, headers={"Location": "http://169.254.169.254/latest/"})

    result, seen = await fetch("http://feeds.example/rss", handler, resolver=resolver)
    assert result.error == "ssrf: 169.254.169.254 is link-local"
    assert [r.url.host for r in seen] == [PUBLIC]


async def test_poller_non_http_schemes_refused() -> None:
    """file:, ftp: and similar schemes never reach the transport, even as redirect targets."""
    result, seen = await fetch("file:///etc/passwd")
    assert result.error == "scheme: file" and seen == []
    resolver = StubResolver({"feeds.example": [[PUBLIC]]})
    moved, seen = await fetch("http://feeds.example/", lambda r: resp(
        301, headers={"Location": "ftp://feeds.example/x"}), resolver=resolver)
    assert moved.error == "scheme: ftp" and len(seen) == 1


async def test_poller_dns_failure_reported() -> None:
    """An unresolvable host gives error 'dns' and no request."""
    result, seen = await fetch("http://nowhere.example/")
    assert result.error == "dns" and seen == []


def test_poller_literal_ip_normalises_short_forms() -> None:
    """Decimal, hex, octal and short IPv4 forms are read the way inet_aton reads them."""
    forms = ["2130706433", "0x7f000001", "017700000001", "0177.0.0.1", "127.1"]
    assert {str(literal_ip(f)) for f in forms} == {"127.0.0.1"}
    assert literal_ip("feeds.example") is None


def test_poller_is_forbidden_classifies_addresses() -> None:
    """Public unicast passes; CGNAT, mapped loopback, NAT64-wrapped private and multicast fail."""
    bad = ["100.64.0.1", "::ffff:10.0.0.1", "64:ff9b::7f00:1", "ff02::1", "240.0.0.1", "::"]
    assert all(is_forbidden(ipaddress.ip_address(a)) for a in bad)
    assert not is_forbidden(ipaddress.ip_address(PUBLIC))
    assert not is_forbidden(ipaddress.ip_address("2606:4700::1111"))
