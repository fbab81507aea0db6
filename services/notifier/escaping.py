"""Making untrusted feed text inert in each rendering dialect, and our one article link.

Everything that comes from a feed (headline, evidence, extracted fields, feed name) is
hostile input: it must not ping people, add links, inject markup or hide text with bidi
controls. Only the article link we render ourselves is a link.
"""

import html
import re
from urllib.parse import quote, urlsplit

ZWSP = "\u200b"
ELLIPSIS = "…"
MARKDOWN = frozenset({"markdown", "slack"})  # dialects apprise receives as Markdown

# Bidi embeddings/overrides/isolates and directional marks reorder what the reader sees.
_BIDI = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C])
_SPACES = {0x09: " ", 0x0D: "\n", 0x2028: "\n", 0x2029: "\n", 0x0B: "\n", 0x0C: "\n"}
_CONTROLS = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")
# "scheme://" and "www." are auto-linked by chat clients; a zero-width space breaks that.
_AUTOLINK = re.compile(r"(?i)(?<=[a-z0-9+.-]):(?=//)|(?<=\bwww)\.")
# Every ASCII punctuation character that CommonMark, Discord or Slack give a meaning to
# inline. Newlines are collapsed first, so line-start syntax (#, -, >, 1.) cannot occur.
_MD_SPECIAL = re.compile(r"([\\`*_~\[\](){}<>|#&!])")
# Slack's mrkdwn has no escapes: apprise turns \< \> into entities and drops the backslash of
# \[ \] \( \) \! \#, but shows \& \* \_ literally. So & stays raw (apprise makes it &amp;) and
# the formatting characters become look-alikes that format nothing.
_SLACK_ESCAPED = re.compile(r"([<>\[\]()!#])")
_SLACK_LOOKALIKE = str.maketrans({"*": "∗", "_": "ˍ", "~": "∼", "`": "ˋ", "\\": "∖"})
# Plain text is shown as-is by most receivers, but JSON consumers and ntfy may render it as
# Markdown or HTML: angle brackets become look-alikes and "](" cannot form a link.
_PLAIN_LOOKALIKE = str.maketrans({"<": "‹", ">": "›"})
_PLAIN_LINK = re.compile(r"\]\s*\(")
_URL_SAFE = "/:?#@!$&*+,;=%~-._"


def clean(text: str, limit: int | None = None) -> str:
    """Untrusted text made inert in any format: one line, no controls, mentions, autolinks."""
    text = _CONTROLS.sub("", text.translate(_BIDI).translate(_SPACES))
    text = " ".join(text.split())
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rstrip() + ELLIPSIS
    text = _AUTOLINK.sub(lambda m: m.group(0) + ZWSP, text)
    # "@everyone", "<@123>", "<#1>", "<!here>", Slack's "@U123>": a zero-width space after
    # "<", "@" and "!" breaks every mention syntax while the text still reads the same.
    for char in "<@!":
        text = text.replace(char, char + ZWSP)
    return text


def escape(text: str, fmt: str) -> str:
    """Escape already-cleaned text for the body format."""
    if fmt == "html":
        return html.escape(text, quote=True)
    if fmt == "markdown":
        return _MD_SPECIAL.sub(r"\\\1", text)
    if fmt == "slack":
        return _SLACK_ESCAPED.sub(r"\\\1", text.translate(_SLACK_LOOKALIKE))
    return _PLAIN_LINK.sub("] (", text.translate(_PLAIN_LOOKALIKE))


def safe_link(url: str) -> str | None:
    """The URL percent-encoded for embedding, or None unless it is a plain http(s) URL."""
    if not url or _CONTROLS.search(url) or any(c.isspace() for c in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return quote(url, safe=_URL_SAFE)


def link(url: str, fmt: str, url_label: bool = False) -> str | None:
    """Our own rendering of the article link, the only link in the alert.

    ``url_label``: the address is also the link text, for receivers that derive a plain copy.
    """
    target = safe_link(url)
    if target is None:
        return None
    if fmt == "html":
        quoted = html.escape(target, quote=True)
        return f'Open article: <a href="{quoted}">{quoted if url_label else "link"}</a>'
    if fmt in MARKDOWN:
        label = _MD_SPECIAL.sub(r"\\\1", target) if url_label else "Open article"
        return f"[{label}]({target})"
    return target
