"""End to end: hostile titles through apprise's own conversions, as each receiver gets them."""

import email
import email.policy
import html
import json
import re
from collections.abc import Callable
from typing import Any

import apprise
import pytest

from services.notifier.channels import send
from services.notifier.render import render_event
from tests.integration.test_notifier_channels import Mailbox
from tests.servers import HttpServer, Route, smtp_server
from tests.unit.notifier.test_notifier_render import HOSTILE, hostile_event

pytestmark = pytest.mark.integration
URL = "https://example.org/a?x=1&y=%282%29"
# Hostile texts that carry markup, escapes or links (the rest are checked in the unit tests).
MARKUP = [t for t in HOSTILE if re.search(r"[<>\[\]*_`\\&]", t) and len(t) < 200]


def sink(http_server: Callable[[Route], HttpServer]) -> HttpServer:
    """A webhook that records bodies and answers 200 with an empty JSON object."""
    return http_server(lambda path, headers, body: (200, {"Content-Type": "application/json"},
                                                    b"{}"))


def last_json(server: HttpServer) -> dict[str, Any]:
    """The JSON body of the last request the sink received."""
    return dict(json.loads(server.requests[-1]["body"]))


@pytest.mark.parametrize("scheme", ["json", "ntfy"])
async def test_text_receivers_get_no_markup_and_the_url(
        scheme: str, http_server: Callable[[Route], HttpServer]) -> None:
    """JSON and ntfy payloads carry no tag, no Markdown link, and the article URL."""
    server = sink(http_server)
    url = f"{scheme}://127.0.0.1:{server.port}/" + ("hook" if scheme == "json" else "topic")
    for text in MARKUP:
        outcome = await send(url, render_event(hostile_event(text), scheme), timeout=5)
        assert outcome.ok, outcome.detail
        payload = last_json(server)
        shown = payload["title"] + "\n" + payload["message"]
        assert not re.search(r"[<>]|\]\(", shown), shown[:200]
        assert payload["message"].endswith(URL)


async def test_matrix_title_has_no_visible_escapes_and_fallback_keeps_url(
        http_server: Callable[[Route], HttpServer]) -> None:
    """Matrix's <h1> title shows no Markdown backslashes; its plain fallback keeps the URL."""
    server = sink(http_server)
    url = f"matrix://127.0.0.1:{server.port}/token?mode=hookshot"
    for text in MARKUP:
        outcome = await send(url, render_event(hostile_event(text), "matrix"), timeout=5)
        assert outcome.ok, outcome.detail
        payload = last_json(server)
        heading = html.unescape(re.findall(r"<h1>(.*?)</h1>", payload["html"])[0])
        assert heading.startswith("[strike,\xa0sanction]\xa0"), heading
        assert "\\" not in heading.replace(text.replace(" ", "\xa0"), "")
        assert "<script" not in payload["html"]
        assert URL in payload["text"]


def test_slack_mrkdwn_shows_no_backslash_escapes() -> None:
    """After apprise's Markdown→mrkdwn conversion no \\& \\* \\_ reaches Slack; & is &amp;."""
    plugin = apprise.Apprise.instantiate("slack://T1ABCDEFG/B1ABCDEFG/abcdefghijklmnopqrstuvwx")
    assert plugin is not None
    for text in MARKUP:
        body = render_event(hostile_event(text), "slack").body
        mrkdwn = plugin.dialect_convert(body, apprise.NotifyFormat.MARKDOWN)
        assert not re.search(r"\\[&*_~`]", mrkdwn), mrkdwn[:300]
        assert not re.search(r"&(?!amp;|lt;|gt;)", mrkdwn)
        assert "<https://example.org/a?x=1&amp;y=%282%29|Open article>" in mrkdwn
        assert len(re.findall(r"<(?!https://example\.org/)", mrkdwn)) == 0


async def test_email_plain_part_keeps_url_and_subject_has_no_tags() -> None:
    """The e-mail's plain-text part carries the article URL; the subject no tag brackets."""
    mailbox = Mailbox()
    with smtp_server(mailbox) as port:
        url = f"mailto://127.0.0.1:{port}?from=a@example.org&to=b@example.org"
        for text in MARKUP[:8]:
            outcome = await send(url, render_event(hostile_event(text), "email"), timeout=10)
            assert outcome.ok, outcome.detail
    for raw in mailbox.messages:
        message = email.message_from_bytes(raw, policy=email.policy.default)
        plain = message.get_body(preferencelist=("plain",))
        assert plain is not None and URL in plain.get_content()
        assert not re.search(r"[<>]", str(message["Subject"]))
