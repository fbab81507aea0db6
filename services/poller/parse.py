"""Feed parsing: hostile-markup pre-filter, feedparser on BytesIO, clean items with stable keys."""

import asyncio
import hashlib
import io
import re
import resource
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from multiprocessing import get_context
from typing import Any
from urllib.parse import unquote_plus, urlsplit, urlunsplit

import feedparser  # type: ignore[import-untyped, unused-ignore]

TITLE_MAX, SUMMARY_MAX, LINK_MAX, KEY_MAX = 500, 2000, 2048, 300
_HTML_SCAN = 20 * SUMMARY_MAX  # never run the HTML stripper over megabytes of one field
_DANGEROUS = re.compile(rb"<!\s*entity|<!\s*doctype[^>\[]*\[", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_SPACE = re.compile(r"\s+")
_TRACKING = frozenset({"fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid",
                       "mc_cid", "mc_eid", "igshid", "_ga", "_gl", "ocid", "ref_src", "cmpid"})
_TTL = re.compile(rb"<ttl>\s*(\d{1,7})\s*</ttl>", re.IGNORECASE)
_SKIP = re.compile(rb"<skipHours>(.{0,2000}?)</skipHours>", re.IGNORECASE | re.DOTALL)
_HOUR = re.compile(rb"<hour>\s*(\d{1,2})\s*</hour>", re.IGNORECASE)
_CHARREF = re.compile(rb"&#([xX][0-9a-fA-F]{1,8}|[0-9]{1,10});")
_DECL_ENCODING = re.compile(r"""^(<\?xml[^>]{0,200}?encoding\s*=\s*)["'][^"']*["']""")
_CHARSET = re.compile(r";\s*charset\s*=[^;]*", re.IGNORECASE)
_WIDE = ((b"\x00\x00\xfe\xff", "utf-32-be"), (b"\xff\xfe\x00\x00", "utf-32-le"),
         (b"\xfe\xff", "utf-16-be"), (b"\xff\xfe", "utf-16-le"),
         (b"\x00\x00\x00<", "utf-32-be"), (b"<\x00\x00\x00", "utf-32-le"),
         (b"\x00<", "utf-16-be"), (b"<\x00", "utf-16-le"), (b"\x4c\x6f\xa7\x94", "cp037"))


@dataclass(frozen=True)
class FeedItem:
    key: str
    title: str
    link: str
    summary: str
    published: datetime | None
    content_hash: str


@dataclass(frozen=True)
class ParsedFeed:
    items: list[FeedItem]
    title: str
    error: str | None
    ttl_seconds: float | None
    skip_hours: frozenset[int]


def failed(error: str) -> ParsedFeed:
    """An empty result carrying only an error reason."""
    return ParsedFeed(items=[], title="", error=error, ttl_seconds=None, skip_hours=frozenset())


# --- markup pre-filter ------------------------------------------------------------------


def ascii_view(body: bytes) -> bytes:
    """The body re-encoded so ASCII markup is searchable whatever the (wide) encoding."""
    codec = _wide_codec(body)
    if codec is None:
        return body
    return body.decode(codec, errors="replace").encode("utf-8", errors="replace")


def _wide_codec(body: bytes) -> str | None:
    return next((codec for prefix, codec in _WIDE if body.startswith(prefix)), None)


def _safe_charref(match: re.Match[bytes]) -> bytes:
    ref = match.group(1)
    value = int(ref[1:], 16) if ref[:1] in (b"x", b"X") else int(ref)
    bad = value == 0 or 0xD800 <= value <= 0xDFFF or value > 0x10FFFF
    return b"&#xFFFD;" if bad else match.group(0)


def normalise(body: bytes, content_type: str) -> tuple[bytes, str]:
    """UTF-8 bytes for wide/EBCDIC bodies (BOM wins over the header) and no char refs that
    would crash feedparser (surrogates, NUL, beyond U+10FFFF)."""
    codec = _wide_codec(body)
    if codec is not None:
        text = body.decode(codec, errors="replace").lstrip("\ufeff")
        body = _DECL_ENCODING.sub(r'\1"utf-8"', text).encode("utf-8", errors="replace")
        content_type = _CHARSET.sub("", content_type) + ("; charset=utf-8" if content_type else "")
    return _CHARREF.sub(_safe_charref, body), content_type


def has_entity_declarations(body: bytes) -> bool:
    """True when the document declares entities or a DOCTYPE internal subset, anywhere."""
    return _DANGEROUS.search(ascii_view(body)) is not None


def channel_hints(body: bytes) -> tuple[float | None, frozenset[int]]:
    """RSS ``<ttl>`` (minutes, returned in seconds) and ``<skipHours>`` (0–23)."""
    view = ascii_view(body)
    ttl = _TTL.search(view)
    skip = _SKIP.search(view)
    hours = {int(h) for h in _HOUR.findall(skip.group(1))} if skip else set()
    seconds = float(ttl.group(1)) * 60 if ttl and int(ttl.group(1)) > 0 else None
    return seconds, frozenset(h for h in hours if 0 <= h <= 23)


# --- text and link cleaning -------------------------------------------------------------


class _TextOnly(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.hidden += tag in ("script", "style")
        if tag in ("br", "p", "div", "li", "tr"):
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        self.hidden -= tag in ("script", "style") and self.hidden > 0

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def clean_text(value: Any, limit: int) -> str:
    """Plain text: tags stripped, control characters removed, whitespace collapsed, capped."""
    text = value if isinstance(value, str) else ""
    if "<" in text or "&" in text:
        stripper = _TextOnly()
        stripper.feed(text[:_HTML_SCAN])
        stripper.close()
        text = "".join(stripper.parts)
    text = _SPACE.sub(" ", _CONTROL.sub("", text)).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def safe_link(value: Any) -> str:
    """The link when it is a plausible http(s) URL, else ""."""
    link = value.strip() if isinstance(value, str) else ""
    if not link or len(link) > LINK_MAX or _CONTROL.search(link) or _SPACE.search(link):
        return ""
    try:
        parts = urlsplit(link)
    except ValueError:
        return ""
    return link if parts.scheme.lower() in ("http", "https") and parts.hostname else ""


def _tracking(param: str) -> bool:
    name = unquote_plus(param.split("=", 1)[0]).lower()
    return name.startswith("utm_") or name in _TRACKING


def canonical_link(link: str) -> str:
    """The link without tracking parameters and fragment; scheme and host lower-cased."""
    parts = urlsplit(link)
    netloc = parts.netloc.lower()
    default = {"http": ":80", "https": ":443"}.get(parts.scheme.lower(), "")
    if default and netloc.endswith(default):
        netloc = netloc[: -len(default)]
    query = "&".join(p for p in parts.query.split("&") if p and not _tracking(p))
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", query, ""))


def _sha256(*parts: str) -> str:
    data = "\x00".join(parts).encode("utf-8", errors="surrogatepass")
    return hashlib.sha256(data).hexdigest()


def item_key(guid: Any, link: str, content_hash: str) -> str:
    """GUID (case and whitespace insensitive), else canonical link, else the content hash."""
    ident = _SPACE.sub(" ", _CONTROL.sub("", guid)).strip().casefold() if isinstance(
        guid, str) else ""
    if ident:
        return f"guid:{ident}" if len(ident) <= KEY_MAX else f"guid#{_sha256(ident)}"
    if link:
        canon = canonical_link(link)
        return f"link:{canon}" if len(canon) <= KEY_MAX else f"link#{_sha256(canon)}"
    return f"hash:{content_hash}"


# --- parsing ----------------------------------------------------------------------------


def _published(entry: Any) -> datetime | None:
    for field in ("published_parsed", "updated_parsed"):
        stamp = entry.get(field)
        if stamp:
            try:
                year, month, day, hour, minute, second = stamp[:6]
                return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
            except (TypeError, ValueError, OverflowError):
                continue
    return None


def to_item(entry: Any) -> FeedItem | None:
    """A clean FeedItem from a feedparser entry, or None when it carries nothing to show."""
    title = clean_text(entry.get("title"), TITLE_MAX)
    content = entry.get("content") or [{}]
    summary = clean_text(entry.get("summary") or content[0].get("value"), SUMMARY_MAX)
    link = safe_link(entry.get("link"))
    if not (title or summary or link):
        return None
    content_hash = _sha256(title, summary)
    key = item_key(entry.get("id"), link, content_hash)
    return FeedItem(key, title, link, summary, _published(entry), content_hash)


def _unique_items(entries: list[Any]) -> list[FeedItem]:
    items: dict[str, FeedItem] = {}
    for entry in entries:
        item = to_item(entry)
        if item is not None and item.key not in items:
            items[item.key] = item
    return list(items.values())


def parse_unfiltered(body: bytes, url: str, content_type: str = "") -> ParsedFeed:
    """feedparser on the body as-is (no entity pre-filter): only for bounded workers and tests."""
    body, content_type = normalise(body, content_type)
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    try:
        parsed = feedparser.parse(io.BytesIO(body), response_headers=headers)
    except (ValueError, LookupError, TypeError, AttributeError, IndexError):
        return failed("parse_error")  # feedparser bugs on odd input; never crash the poller
    entries = list(parsed.get("entries") or [])
    if not parsed.get("version") and not entries:
        return failed("not_a_feed")
    ttl, skip_hours = channel_hints(body)
    title = clean_text((parsed.get("feed") or {}).get("title"), TITLE_MAX)
    return ParsedFeed(_unique_items(entries), title, None, ttl, skip_hours)


def parse_feed(body: bytes, url: str, content_type: str = "") -> ParsedFeed:
    """Parse a fetched body; entity/DTD-subset declarations are refused before feedparser."""
    if has_entity_declarations(body):
        return failed("doctype_refused")
    return parse_unfiltered(body, url, content_type)


# --- bounded parsing in worker processes ------------------------------------------------

PARSE_MEMORY_LIMIT = 256 << 20  # RLIMIT_AS per parser process (reliability plan R6)
PARSE_WORKERS = 2


def _limit_memory(limit: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _parse_in_worker(body: bytes, url: str, content_type: str, prefilter: bool) -> ParsedFeed:
    try:
        return (parse_feed if prefilter else parse_unfiltered)(body, url, content_type)
    except MemoryError:
        return failed("parse_memory")
    except RecursionError:
        return failed("parse_error")


class ParserPool:
    """Spawned, memory-capped parser processes; a pool that overruns a deadline is killed."""

    def __init__(self, workers: int = PARSE_WORKERS, memory: int = PARSE_MEMORY_LIMIT) -> None:
        self.workers, self.memory = workers, memory
        self._pool: ProcessPoolExecutor | None = None

    def executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(self.workers, mp_context=get_context("spawn"),
                                             initializer=_limit_memory, initargs=(self.memory,))
        return self._pool

    def discard(self, pool: ProcessPoolExecutor) -> None:
        """Kill the pool's processes (a runaway parse cannot be cancelled any other way)."""
        if self._pool is pool:
            self._pool = None
        for process in list(pool._processes.values()):
            process.kill()
        pool.shutdown(wait=False, cancel_futures=True)

    def shutdown(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    async def parse(self, body: bytes, url: str, content_type: str, deadline: float,
                    prefilter: bool = True) -> ParsedFeed:
        loop = asyncio.get_running_loop()
        for _attempt in range(2):  # a pool broken by someone else's feed gets one retry
            pool = self.executor()
            job = loop.run_in_executor(pool, _parse_in_worker, body, url, content_type, prefilter)
            try:
                return await asyncio.wait_for(job, deadline)
            except TimeoutError:
                self.discard(pool)
                return failed("parse_timeout")
            except BrokenProcessPool:
                self.discard(pool)
        return failed("parse_crashed")


PARSERS = ParserPool()


async def parse_feed_bounded(body: bytes, url: str, content_type: str = "",
                             timeout: float = 10.0) -> ParsedFeed:  # noqa: ASYNC109 (API)
    """``parse_feed`` off the event loop, in a process capped at PARSE_MEMORY_LIMIT and timeout."""
    if has_entity_declarations(body):
        return failed("doctype_refused")
    return await PARSERS.parse(body, url, content_type, timeout)
