"""Hostile article text rendered for every channel kind stays inert and within limits."""

import html
import re
import unicodedata

import pytest

from services.notifier.escaping import ZWSP
from services.notifier.render import (
    BODY_LIMITS,
    Rendered,
    channel_kind,
    render_digest,
    render_event,
)
from shared.schemas import Article, Event, Evidence, Modality, Tag

HOSTILE = [
    "@everyone strike now",
    "@here look",
    "ping <@123456789012345678>",
    "role <@&456>",
    "channel <#987654321>",
    "<!channel> sanctions",
    "<!here|here> now",
    "<!everyone>",
    "<https://evil.example|click me>",
    "<http://evil.example>",
    "[x](javascript:alert(1))",
    "[click](https://evil.example/phish)",
    "![img](https://evil.example/pixel.png)",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><a href="https://evil.example">x</a>',
    "*bold* _it_ ~strike~ `code` ||spoiler||",
    "```\ncode block\n```",
    "# Heading injection",
    "\n> quote\n- list",
    "_*[]()~`>#+-=|{}.!",
    "*" * 10_000,
    "A" * 10_000,
    "&#64;everyone &amp; &lt;b&gt;",
    "bell\x07 esc\x1b[2J null\x00 del\x7f c1\x85\x9b",
    "carriage\rreturn\r\nfake ERROR line",
    "line\u2028separator\u2029para",
    "bidi \u202eevil\u202c text",
    "isolate \u2066hidden\u2069 \u2067x\u2068y",
    "marks \u200e\u200f\u061c",
    "http://evil.example/path",
    "visit www.evil.example today",
    "mailto:victim@example.org",
    "@U024BE7LH> slack user",
    "!subteam^S123> group",
    "<@U024BE7LH|bob>",
    "tg://user?id=123",
    "<b>bold</b><i>i</i><a href='x'>a</a>",
    "\\*escaped\\* \\\\ backslash",
    "emoji <:pepe:123456> <a:dance:789>",
    "timestamp <t:1700000000:R>",
    "data:text/html;base64,PHNjcmlwdD4=",
    "%40everyone url-encoded",
    "＠everyone fullwidth",
    "@\u200beveryone pre-broken",
    "{{template}} ${SECRET} %(x)s",
    "tab\there",
    "\u0000\u0001\u001f",
    "[[link]] <<x>> ((y))",
    "ok & done < 5 > 3",
]
assert len(HOSTILE) == 50
KINDS = ["discord", "slack", "telegram", "matrix", "email", "json", "ntfy", "console", "text"]
MENTIONS = re.compile(r"@(everyone|here|channel|U024)|<[@#!&:]|<a:|<t:", re.IGNORECASE)
BIDI_CONTROL = re.compile("[\u202a-\u202e\u2066-\u2069]")
C0_C1 = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")
MD_LINK = re.compile(r"(?<!\\)\[[^\]]*(?<!\\)\]\((?!https://example\.org/a)")


def hostile_event(text: str) -> Event:
    tag = Tag(
        name="military_strike",
        modality=Modality.OCCURRED,
        confidence=0.87,
        evidence=[Evidence(sentence=text, cues=[text[:50], "strike"])],
        fields={"actor": [text], "target": [text], "country": ["Iran", text]},
    )
    article = Article(
        id="a1",
        feed=text[:100] or "feed",
        url="https://example.org/a?x=1&y=(2)",
        title=text,
        summary=text,
    )
    return Event(id="e1", article=article, tags=[tag, Tag(name="sanction", confidence=0.5)])


def visible(rendered: Rendered) -> str:
    """Title and body with zero-width spaces removed (what a reader or a regex would see)."""
    text = rendered.title + "\n" + rendered.body
    if rendered.body_format == "html":
        text = html.unescape(text)
    return text


def assert_inert(rendered: Rendered) -> None:
    """Checks shared by every format: no live mention, no control or bidi character."""
    text = rendered.title + "\n" + rendered.body
    assert not MENTIONS.search(text), text[:300]
    assert not BIDI_CONTROL.search(text)
    assert not C0_C1.search(text)
    assert len(rendered.title) <= 250


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_text_is_inert(text: str, kind: str) -> None:
    """Each hostile title/summary renders with no mention, control char, link or markup."""
    rendered = render_event(hostile_event(text), kind)
    assert_inert(rendered)
    assert len(rendered.body) <= BODY_LIMITS[kind]
    if rendered.body_format == "markdown":
        # Slack titles are plain text (apprise escapes &<> there); only bodies are markdown.
        title = rendered.title if kind != "slack" else ""
        assert not MD_LINK.search(rendered.body + title)
        assert "](https://example.org/a" in rendered.body
        unescaped = re.sub(r"\\.", "", rendered.body)
        assert "<" not in unescaped and "`" not in unescaped
    if rendered.body_format == "html":
        tags = re.findall(r"<(/?[a-zA-Z]+)", rendered.body)
        assert set(tags) <= {"b", "/b", "br", "a", "/a"}
        assert rendered.body.count("<a ") == 1
        # The address is the link text too, so the plain part derived from it keeps it.
        assert ">https://example.org/a?x=1&amp;y=%282%29</a>" in rendered.body
    if rendered.body_format == "text":
        # No markup a Markdown or HTML renderer downstream could act on (ntfy, JSON consumers).
        assert not re.search(r"[<>]|\]\(", rendered.title + rendered.body)
        assert rendered.body.endswith("https://example.org/a?x=1&y=%282%29")
    if kind in ("slack", "email", "matrix", "json", "ntfy"):
        # Titles sent as plain text: no Markdown escape would show as a backslash.
        assert "\\" not in rendered.title.replace(text, "") and "<" not in rendered.title
    if kind == "slack":
        # Slack shows \& \* \_ literally: only escapes apprise turns into entities remain.
        assert not re.search(r"\\[^<>\[\]()!#]", rendered.body)
    assert "://evil" not in visible(rendered).replace(ZWSP, "x")


def test_format_per_kind() -> None:
    """Chat kinds get markdown, e-mail HTML, everything else plain text."""
    event = hostile_event("Headline")
    formats = {k: render_event(event, k).body_format for k in KINDS}
    assert formats == {
        "discord": "markdown",
        "slack": "markdown",
        "telegram": "markdown",
        "matrix": "markdown",
        "email": "html",
        "json": "text",
        "ntfy": "text",
        "console": "text",
        "text": "text",
    }


def test_channel_kind_by_scheme() -> None:
    """channel_kind maps apprise schemes to formatting families."""
    cases = {
        "discord://1/2": "discord",
        "slack://a/b/c": "slack",
        "tgram://t/c": "telegram",
        "matrixs://u:p@h/!r": "matrix",
        "mailtos://u:p@h?to=x@y.z": "email",
        "jsons://h/p": "json",
        "form://h": "json",
        "xml://h": "json",
        "ntfys://h/t": "ntfy",
        "console://": "console",
        "pover://x": "text",
        "garbage": "text",
    }
    assert {url: channel_kind(url) for url in cases} == cases


def test_content_includes_evidence_fields_source_and_link() -> None:
    """The alert explains itself: title prefix, evidence, cues, confidence, fields, source, link."""
    event = hostile_event("US strikes depot in Iraq")
    rendered = render_event(event, "json")
    assert rendered.title == "[strike, sanction] US strikes depot in Iraq"
    for part in [
        "Evidence:",
        "cues: US strikes",
        "confidence 0.87",
        "occurred",
        "Actor:",
        "Country: Iran",
        "Source:",
        "https://example.org/a?x=1&y=%282%29",
    ]:
        assert part in rendered.body


def test_non_http_links_are_not_rendered() -> None:
    """javascript:, data: and schemeless article URLs produce no link at all."""
    for url in ["javascript:alert(1)", "data:text/html,x", "ftp://x.org/a", "https://a b.org"]:
        event = hostile_event("x").model_copy(
            update={"article": Article(id="a", feed="f", title="t", url=url)}
        )
        for kind in KINDS:
            body = render_event(event, kind).body
            assert "Open article" not in body and url not in body


def test_long_text_truncated_with_ellipsis() -> None:
    """10 KB headlines are cut with an ellipsis; the link survives truncation."""
    rendered = render_event(hostile_event("word " * 3000), "discord")
    assert "…" in rendered.title
    assert "…" in rendered.body
    assert rendered.body.endswith("[Open article](https://example.org/a?x=1&y=%282%29)")


def test_digest_fits_and_counts_the_rest() -> None:
    """A digest of 200 events stays under each limit and says how many were left out."""
    events = [hostile_event(f"@everyone event {i} " + "*" * 200) for i in range(200)]
    for kind in KINDS:
        rendered = render_digest(events, kind)
        assert_inert(rendered)
        assert len(rendered.body) <= BODY_LIMITS[kind]
        assert rendered.title == "News digest: 200 alerts"
        assert re.search(r"…and \d+ more$", rendered.body)


def test_feed_health_title() -> None:
    """Feed-health events get a "[feed health]" title and their summary."""
    event = Event(
        id="h",
        kind="feed_health",
        article=Article(id="h", feed="f", title="Feed X failing", summary="HTTP 503"),
    )
    rendered = render_event(event, "json")
    assert rendered.title == "[feed health] Feed X failing"
    assert "HTTP 503" in rendered.body


def test_text_stays_readable() -> None:
    """Cleaning keeps ordinary punctuation and non-ASCII text readable."""
    title = render_event(hostile_event("Sanktionen gegen Öl-Exporte: 5 % mehr"), "json").title
    assert unicodedata.normalize("NFC", title).endswith("Sanktionen gegen Öl-Exporte: 5 % mehr")
