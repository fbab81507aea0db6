"""A scripted hostile feed server on 127.0.0.1 (bombs, trickles, lies, redirect loops, entity
tricks) beside a healthy feed, for the poller's hostile-input tests."""

import asyncio
import functools
import zlib
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from shared.config import PollerSettings

MB = 1 << 20
SETTINGS = PollerSettings(allow_private_hosts=["127.0.0.1"], timeout=2.0, max_bytes=MB,
                          max_redirects=5)
CHUNK = b"x" * 65536
HEALTHY = (b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>ok</title>'
           + b"".join(b"<item><title>Item %d</title><guid>g%d</guid></item>" % (n, n)
                      for n in range(3)) + b"</channel></rss>")
Writer = asyncio.StreamWriter
Route = Callable[["FeedServer", Writer, dict[str, str]], Awaitable[None]]


@functools.cache
def bomb(wbits: int) -> bytes:
    """200 MiB of zeros compressed (gzip for wbits 31, zlib for 15): about 200 KB on the wire."""
    packer = zlib.compressobj(9, zlib.DEFLATED, wbits)
    zeros = bytes(MB)
    return b"".join(packer.compress(zeros) for _ in range(200)) + packer.flush()


def feed_with_prolog(prolog: str, title: str) -> bytes:
    return (f'<?xml version="1.0"?>\n{prolog}<rss version="2.0"><channel><title>x</title>'
            f"<item><title>{title}</title><guid>h</guid></item></channel></rss>").encode()


LAUGHS = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
XML = {
    "/billion": feed_with_prolog(f'<!DOCTYPE r [<!ENTITY l0 "lol">{LAUGHS}]>\n', "&l9;"),
    "/quadratic": feed_with_prolog(f'<!DOCTYPE r [<!ENTITY b "{"A" * 10_000}">]>\n',
                                   "&b;" * 20_000),
    "/bad_utf8": HEALTHY.replace(b"Item 1", b"Item \xff\xfe\xc3 1"),
    "/utf16": HEALTHY.decode().replace('"utf-8"', '"utf-16"').encode("utf-16"),
}


async def send(writer: Writer, status: int, headers: dict[str, str], body: bytes = b"") -> None:
    lines = [f"HTTP/1.1 {status} X", "Connection: close", *(f"{k}: {v}" for k, v in
                                                           headers.items())]
    if "Content-Length" not in headers and "Transfer-Encoding" not in headers:
        lines.append(f"Content-Length: {len(body)}")
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
    await writer.drain()


async def stream_100mb(writer: Writer, chunked: bool) -> None:
    for _ in range(100 * MB // len(CHUNK)):
        writer.write(b"%x\r\n%s\r\n" % (len(CHUNK), CHUNK) if chunked else CHUNK)
        await writer.drain()


class FeedServer:
    """A scripted HTTP/1.1 server: one coroutine per path, every request recorded."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.tasks: set[asyncio.Task[None]] = set()
        self.port = 0

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def hits(self, *paths: str) -> int:
        return sum(1 for path, _ in self.requests if path in paths)

    async def handle(self, reader: asyncio.StreamReader, writer: Writer) -> None:
        task = asyncio.current_task()
        assert task is not None
        self.tasks.add(task)
        try:
            head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
            path = head[0].split(" ")[1]
            headers = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":")
                                                                    for h in head[1:] if h)}
            self.requests.append((path, headers))
            await ROUTES[path](self, writer, headers)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass
        finally:
            writer.close()
            self.tasks.discard(task)


async def _conditional(srv: FeedServer, w: Writer, h: dict[str, str]) -> None:
    validators = {"ETag": '"v1"', "Last-Modified": "Thu, 01 Jan 2026 00:00:00 GMT"}
    if h.get("if-none-match") == '"v1"':
        await send(w, 304, validators)
    else:
        await send(w, 200, validators, HEALTHY)


async def _trickle(srv: FeedServer, w: Writer, h: dict[str, str]) -> None:
    await send(w, 200, {"Content-Length": "1000"})
    for _ in range(1000):
        w.write(b"<")
        await w.drain()
        await asyncio.sleep(1.0)


def _redirect(target: str | Callable[[FeedServer], str], status: int = 302) -> Route:
    async def route(srv: FeedServer, w: Writer, h: dict[str, str]) -> None:
        await send(w, status, {"Location": target(srv) if callable(target) else target})
    return route


def _body(data: bytes, **headers: str) -> Route:
    async def route(srv: FeedServer, w: Writer, h: dict[str, str]) -> None:
        await send(w, 200, {k.replace("_", "-"): v for k, v in headers.items()}, data)
    return route


async def _lying_small(srv: FeedServer, w: Writer, h: dict[str, str]) -> None:
    await send(w, 200, {"Content-Length": "1000"})
    await stream_100mb(w, chunked=False)


async def _lying_big(srv: FeedServer, w: Writer, h: dict[str, str]) -> None:
    await send(w, 200, {"Content-Length": str(100 * MB)})
    await stream_100mb(w, chunked=False)


async def _chunked(srv: FeedServer, w: Writer, h: dict[str, str]) -> None:
    await send(w, 200, {"Transfer-Encoding": "chunked"})
    await stream_100mb(w, chunked=True)


def _in_a_minute() -> str:
    return format_datetime(datetime.now(UTC) + timedelta(seconds=60), usegmt=True)


async def _status(srv: FeedServer, w: Writer, h: dict[str, str], code: int = 429,
                  retry: Callable[[], str] = lambda: "120") -> None:
    await send(w, code, {"Retry-After": retry()})


ROUTES: dict[str, Route] = {
    "/healthy": _body(HEALTHY, Content_Type="application/rss+xml"),
    "/conditional": _conditional,
    "/trickle": _trickle,
    "/never": lambda srv, w, h: asyncio.sleep(60),
    "/huge": _chunked,
    "/lying_small": _lying_small,
    "/lying_big": _lying_big,
    "/gzip_bomb": lambda srv, w, h: send(w, 200, {"Content-Encoding": "gzip"}, bomb(31)),
    "/deflate_bomb": lambda srv, w, h: send(w, 200, {"Content-Encoding": "deflate"}, bomb(15)),
    "/loop_a": _redirect("/loop_b"),
    "/loop_b": _redirect("/loop_a"),
    **{f"/chain{n}": _redirect(f"/chain{n + 1}", 301) for n in range(10)},
    "/to_private": _redirect("http://10.0.0.1/feed"),
    "/to_metadata": _redirect("http://169.254.169.254/latest/meta-data/"),
    "/to_127_0_0_2": _redirect(lambda srv: f"http://127.0.0.2:{srv.port}/healthy"),
    "/to_decimal": _redirect(lambda srv: f"http://2130706434:{srv.port}/healthy"),
    "/429": _status,
    "/503": functools.partial(_status, code=503, retry=_in_a_minute),
    "/canary": _body(b"<!ENTITY leaked 'x'>"),
    "/xxe": _body(feed_with_prolog('<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n',
                                   "&x;")),
    **{path: _body(data, Content_Type="application/rss+xml; charset=utf-8")
       for path, data in XML.items()},
}
