"""Per-channel formatting of events; the escaping of untrusted text lives in escaping.py."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from services.notifier.escaping import ELLIPSIS, MARKDOWN, clean, escape, link
from shared.schemas import FEED_HEALTH, Event, Tag

TITLE_LIMIT = 250
TITLE_LIMITS = {"ntfy": 200}
# Body caps per channel kind: the platform limit with a little headroom where apprise
# adds its own decoration (Discord 2000, Slack block ~3000, Telegram/ntfy 4096).
BODY_LIMITS = {
    "discord": 1700,  # apprise counts Discord's title inside the 2000 characters
    "slack": 3000,
    "telegram": 4000,
    "matrix": 4000,
    "ntfy": 4000,
    "email": 50_000,
    "json": 8000,
    "console": 4000,
    "text": 4000,
}
# Our rendering dialect per channel kind; "slack" is Markdown that apprise turns into mrkdwn.
FORMATS = {
    "discord": "markdown",
    "slack": "slack",
    "telegram": "markdown",
    "matrix": "markdown",
    "email": "html",
}
# apprise sends these titles as plain text: Slack's and e-mail's escaping only &<> itself,
# Matrix's HTML-escaped inside <h1> (a Markdown escape there shows as a visible backslash).
_PLAIN_TITLE = {"slack", "email", "matrix"}
# Link label = the URL itself where a plain-text copy is derived from the markup (the e-mail
# plain part, Matrix's fallback "text"): a label like "Open article" would lose the address.
_URL_LABEL = {"email", "matrix"}
_SCHEMES = {
    "discord": "discord",
    "slack": "slack",
    "tgram": "telegram",
    "matrix": "matrix",
    "matrixs": "matrix",
    "mailto": "email",
    "mailtos": "email",
    "json": "json",
    "jsons": "json",
    "form": "json",
    "forms": "json",
    "xml": "json",
    "xmls": "json",
    "ntfy": "ntfy",
    "ntfys": "ntfy",
    "console": "console",
}
TAG_LABELS = {"military_strike": "strike", "sanction": "sanction"}
FIELD_ORDER = ("actor", "target", "targets", "location", "country", "weapon", "authority")

# Raw-text caps applied BEFORE escaping, so truncation never splits an escape sequence.
_CAP_TITLE, _CAP_SENTENCE, _CAP_VALUE, _MAX_VALUES, _MAX_CUES = 200, 300, 80, 5, 8



@dataclass(frozen=True)
class Rendered:
    title: str
    body: str
    body_format: str  # apprise NotifyFormat value: "text" | "markdown" | "html"
    headers: tuple[tuple[str, str], ...] = ()  # extra e-mail headers (threading)


def channel_kind(url: str) -> str:
    """The formatting family of an apprise URL, from its scheme ("text" if unknown)."""
    scheme = url.split("://", 1)[0].strip().lower() if "://" in url else ""
    return _SCHEMES.get(scheme, "text")


def tag_label(tag: Tag) -> str:
    return TAG_LABELS.get(tag.name, tag.name)


def render_title(event: Event, fmt: str, limit: int = TITLE_LIMIT) -> str:
    """Title "[strike] Headline" (labels of every tag; "[feed health]" for feed events).

    Escaped for ``fmt``: Markdown where apprise converts titles with the body (Telegram,
    Discord), look-alike brackets where it passes them on as plain text.
    """
    labels = ["feed health"] if event.kind == FEED_HEALTH else [tag_label(t) for t in event.tags]
    prefix = clean("[" + ", ".join(dict.fromkeys(labels) or ["alert"]) + "] ", 100)
    headline = event.article.title
    cap = _CAP_TITLE
    while True:  # shrink the raw text until the escaped title fits; never cut an escape
        title = prefix + " " + (clean(headline, cap) or "(no title)")
        title = escape(title, fmt)
        if len(title) <= limit or cap <= 10:
            return title[:limit]
        cap = cap * 3 // 4


def bold(text: str, fmt: str) -> str:
    return {"markdown": f"**{text}**", "slack": f"**{text}**",
            "html": f"<b>{text}</b>"}.get(fmt, text)


def tag_lines(tag: Tag, fmt: str) -> list[str]:
    """Why the event was tagged: tag, modality, confidence, evidence and extracted fields."""
    head = (
        f"{escape(clean(tag_label(tag), 60), fmt)} · {tag.modality.value} · "
        f"confidence {tag.confidence:.2f}"
    )
    lines = [bold(head, fmt)]
    for ev in tag.evidence[:2]:
        text = "Evidence: “" + escape(clean(ev.sentence, _CAP_SENTENCE), fmt) + "”"
        cues = [escape(clean(c, 40), fmt) for c in ev.cues[:_MAX_CUES]]
        lines.append(text + (f" (cues: {', '.join(cues)})" if cues else ""))
    facts = [f"{name.capitalize()}: {values}" for name, values in field_items(tag, fmt)]
    if facts:
        lines.append("; ".join(facts))
    return lines


def field_items(tag: Tag, fmt: str) -> Iterable[tuple[str, str]]:
    names = [n for n in FIELD_ORDER if n in tag.fields]
    names += sorted(n for n in tag.fields if n not in FIELD_ORDER)
    for name in names[:10]:
        values = [escape(clean(v, _CAP_VALUE), fmt) for v in tag.fields[name][:_MAX_VALUES]]
        if values:
            yield escape(clean(name, 30), fmt), ", ".join(values)


def footer_lines(event: Event, fmt: str, url_label: bool = False) -> list[str]:
    source = "Source: " + escape(clean(event.article.feed, 100) or "?", fmt)
    if event.sources > 1:
        source += f" (+{event.sources - 1} more)"
    article_link = link(event.article.url, fmt, url_label)
    return [source] + ([article_link] if article_link else [])


def join(lines: Sequence[str], fmt: str) -> str:
    if fmt == "html":
        return "<br>\n".join(lines)
    return "\n".join(lines)


def fit(head: Sequence[str], tail: Sequence[str], limit: int, fmt: str) -> str:
    """Keep the footer (source, link); drop whole head lines from the end until it fits.

    Dropping whole lines (never cutting inside one) keeps every escape sequence intact.
    """
    kept = list(head)
    while kept and len(join([*kept, ELLIPSIS, *tail], fmt)) > limit:
        kept.pop()
    if len(kept) < len(head):
        kept.append(ELLIPSIS)
    return join([*kept, *tail], fmt)


def render_event(event: Event, kind: str) -> Rendered:
    """One alert for one event, formatted and escaped for the channel kind."""
    fmt = FORMATS.get(kind, "text")
    head: list[str] = []
    if event.is_update:
        head.append(bold("Update", fmt))
    for tag in event.tags:
        head.extend(tag_lines(tag, fmt))
    if event.kind == FEED_HEALTH and event.article.summary:
        head.append(escape(clean(event.article.summary, 500), fmt))
    footer = footer_lines(event, fmt, kind in _URL_LABEL)
    body = fit(head, footer, BODY_LIMITS.get(kind, 4000), fmt)
    title_fmt = "text" if kind in _PLAIN_TITLE else fmt
    title = render_title(event, title_fmt, TITLE_LIMITS.get(kind, TITLE_LIMIT))
    return Rendered(title, body, _apprise_format(fmt))


def _apprise_format(fmt: str) -> str:
    return "markdown" if fmt in MARKDOWN else fmt


def render_digest(events: Sequence[Event], kind: str) -> Rendered:
    """Several events in one message: one compact entry each, "…and N more" past the limit."""
    fmt = FORMATS.get(kind, "text")
    limit = BODY_LIMITS.get(kind, 4000)
    entries: list[str] = []
    for index, event in enumerate(events):
        candidate = [*entries, join(digest_entry(event, fmt, kind in _URL_LABEL), fmt)]
        rest = len(events) - index - 1
        reserve = [f"{ELLIPSIS}and {rest} more"] if rest else []
        if len(join(candidate + reserve, fmt)) > limit:
            entries.append(f"{ELLIPSIS}and {len(events) - index} more")
            break
        entries = candidate
    title = f"News digest: {len(events)} alert{'s' if len(events) != 1 else ''}"
    return Rendered(title, join(entries, fmt) or "No alerts.", _apprise_format(fmt))


def digest_entry(event: Event, fmt: str, url_label: bool = False) -> list[str]:
    title = render_title(event, fmt)
    tags = [
        f"{escape(clean(tag_label(t), 60), fmt)} ({t.modality.value}, {t.confidence:.2f})"
        for t in event.tags
    ]
    lines = [bold(title, fmt)]
    if tags:
        lines.append("Tags: " + ", ".join(tags))
    return lines + footer_lines(event, fmt, url_label)
