"""Feed items: the clean, size-capped record a poll publishes, and its stable identity key."""

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import unquote_plus, urlsplit, urlunsplit

from shared.failures import FailureReason

TITLE_MAX, SUMMARY_MAX, LINK_MAX, KEY_MAX = 500, 2000, 2048, 300
_HTML_SCAN = 20 * SUMMARY_MAX  # never run the HTML stripper over megabytes of one field
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_SPACE = re.compile(r"\s+")
_TRACKING = frozenset({"fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid",
                       "mc_cid", "mc_eid", "igshid", "_ga", "_gl", "ocid", "ref_src", "cmpid"})


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
    error: FailureReason | None
    ttl_seconds: float | None
    skip_hours: frozenset[int]


def failed(error: FailureReason) -> ParsedFeed:
    """An empty result carrying only an error reason."""
    return ParsedFeed(items=[], title="", error=error, ttl_seconds=None, skip_hours=frozenset())


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


# When an item has no usable main link: its page (alternate), a page about it (related), the
# file itself (a podcast episode with only an enclosure), then where it came from (via).
_LINK_RELS = ("alternate", "related", "enclosure", "via")


def best_link(entry: Any) -> str:
    """The item's http(s) link; falls back on its other links (feedparser sets ``link`` to a
    non-URL id, or nothing, when there is no alternate link)."""
    link = safe_link(entry.get("link"))
    links = [x for x in entry.get("links") or [] if isinstance(x, dict)]
    for rel in _LINK_RELS:
        if link:
            break
        link = next((url for x in links if (x.get("rel") or "alternate") == rel
                     and (url := safe_link(x.get("href")))), "")
    return link


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


def _published(entry: Any) -> datetime | None:
    for field in ("published_parsed", "updated_parsed"):
        # dict.get, not entry.get: FeedParserDict maps a missing updated_parsed to
        # published_parsed with a DeprecationWarning (found by the hypothesis fuzz test).
        stamp = dict.get(entry, field) if isinstance(entry, dict) else None
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
    link = best_link(entry)
    if not (title or summary or link):
        return None
    content_hash = _sha256(title, summary)
    key = item_key(entry.get("id"), link, content_hash)
    return FeedItem(key, title, link, summary, _published(entry), content_hash)


def unique_items(entries: list[Any]) -> list[FeedItem]:
    items: dict[str, FeedItem] = {}
    for entry in entries:
        item = to_item(entry)
        if item is not None and item.key not in items:
            items[item.key] = item
    return list(items.values())
