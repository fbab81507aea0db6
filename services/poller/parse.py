"""Feed parsing: hostile-markup pre-filter, feedparser on BytesIO, clean items with stable keys."""

import io
import re

import feedparser  # type: ignore[import-untyped, unused-ignore]

from services.poller.items import TITLE_MAX, ParsedFeed, clean_text, failed, unique_items
from services.poller.prefilter import declares_entities, decode_undeclared
from shared.failures import FailureReason

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
    elif (legacy := decode_undeclared(body, content_type)) is not None:
        body, content_type = legacy
    return _CHARREF.sub(_safe_charref, body), content_type


def has_entity_declarations(body: bytes) -> bool:
    """True when the prolog declares entities or a DOCTYPE internal subset (the same text
    quoted inside an item, CDATA or not, is content and passes)."""
    return declares_entities(ascii_view(body))


def channel_hints(body: bytes) -> tuple[float | None, frozenset[int]]:
    """RSS ``<ttl>`` (minutes, returned in seconds) and ``<skipHours>`` (0–23)."""
    view = ascii_view(body)
    ttl = _TTL.search(view)
    skip = _SKIP.search(view)
    hours = {int(h) for h in _HOUR.findall(skip.group(1))} if skip else set()
    seconds = float(ttl.group(1)) * 60 if ttl and int(ttl.group(1)) > 0 else None
    return seconds, frozenset(h for h in hours if 0 <= h <= 23)


def parse_unfiltered(body: bytes, url: str, content_type: str = "") -> ParsedFeed:
    """feedparser on the body as-is (no entity pre-filter): only for bounded workers and tests."""
    body, content_type = normalise(body, content_type)
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    try:
        parsed = feedparser.parse(io.BytesIO(body), response_headers=headers)
    except (ValueError, LookupError, TypeError, AttributeError, IndexError):
        # feedparser's own bugs on odd input: a failed feed, never a crashed poller
        return failed(FailureReason.PARSE_ERROR)
    entries = list(parsed.get("entries") or [])
    if not parsed.get("version") and not entries:
        return failed(FailureReason.NOT_A_FEED)
    ttl, skip_hours = channel_hints(body)
    title = clean_text((parsed.get("feed") or {}).get("title"), TITLE_MAX)
    return ParsedFeed(unique_items(entries), title, None, ttl, skip_hours)


def parse_feed(body: bytes, url: str, content_type: str = "") -> ParsedFeed:
    """Parse a fetched body; entity/DTD-subset declarations are refused before feedparser."""
    if has_entity_declarations(body):
        return failed(FailureReason.DOCTYPE_REFUSED)
    return parse_unfiltered(body, url, content_type)
