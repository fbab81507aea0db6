"""channels.send against real local sinks: HTTP webhook (json://) and SMTP (aiosmtpd)."""

import asyncio
import email
import email.policy
import io
import logging
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest

from services.notifier.channels import send
from services.notifier.privacy import privacy_url, validate_url
from services.notifier.render import Rendered, render_event
from shared.durations import parse_retry_after
from shared.schemas import Article, Event, Evidence, Tag
from tests.servers import smtp_server
from tests.support import POLL

SECRET_PASS = "SECRETPASS-9f3k2"
SECRET_PATH = "PATHTOKEN-7x1q8z"
SECRET_HEADER = "HEADERKEY-4m2n6p"
SECRETS = (SECRET_PASS, SECRET_PATH, SECRET_HEADER)
RENDERED = Rendered("[strike] Test", "body text", "text")


class Sink(BaseHTTPRequestHandler):
    """Scripted webhook: /ok 200, /fail 500, /limited 429 + Retry-After, /slow sleeps 3 s."""

    requests: ClassVar[list[tuple[str, bytes]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        Sink.requests.append((self.path, body))
        if self.path.startswith("/slow"):
            time.sleep(3)
        status = {"/fail": 500, "/limited": 429}.get(self.path.split("?")[0], 200)
        self.send_response(status)
        if status == 429:
            self.send_header("Retry-After", "7")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"no")

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def sink() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Sink)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": POLL},
                              daemon=True)
    thread.start()
    Sink.requests = []
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.fixture
def debug_logs() -> Iterator[io.StringIO]:
    """Every logger at DEBUG, formatted (with tracebacks) into one buffer on the root."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    saved = {
        name: lg.level
        for name, lg in logging.root.manager.loggerDict.items()
        if isinstance(lg, logging.Logger)
    }
    old_root = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    for name in saved:
        logging.getLogger(name).setLevel(logging.DEBUG)
    yield buffer
    root.removeHandler(handler)
    root.setLevel(old_root)
    for name, level in saved.items():
        logging.getLogger(name).setLevel(level)


def assert_no_secret(*texts: str) -> None:
    for text in texts:
        for secret in SECRETS:
            assert secret not in text


async def test_success(sink: int) -> None:
    """A 200 from the webhook is a sent outcome; the sink got apprise's JSON payload."""
    outcome = await send(f"json://127.0.0.1:{sink}/ok", RENDERED, timeout=5)
    assert outcome.ok and outcome.status == "sent" and outcome.retry_after is None
    assert len(Sink.requests) == 1 and b'"title": "[strike] Test"' in Sink.requests[0][1]


async def test_http_500_is_failed_without_apprise_retries(sink: int) -> None:
    """A 500 is one failed attempt (retry=0 even if the URL asks for retries)."""
    outcome = await send(f"json://127.0.0.1:{sink}/fail?retry=3", RENDERED, timeout=5)
    assert (outcome.ok, outcome.status) == (False, "failed")
    assert "error=500" in outcome.detail
    assert len(Sink.requests) == 1


async def test_429_surfaces_retry_after(sink: int) -> None:
    """Retry-After of a 429 is reported in seconds."""
    outcome = await send(f"json://127.0.0.1:{sink}/limited", RENDERED, timeout=5)
    assert outcome.status == "failed"
    assert outcome.retry_after == 7.0
    assert "429" in outcome.detail


async def test_timeout_with_slow_handler(sink: int) -> None:
    """A handler slower than the timeout gives a timeout outcome, promptly."""
    started = time.monotonic()
    outcome = await send(f"json://127.0.0.1:{sink}/slow", RENDERED, timeout=0.5)
    assert outcome.status == "timeout" and not outcome.ok
    assert time.monotonic() - started < 2.5


async def test_concurrent_sends_keep_their_own_retry_after(sink: int) -> None:
    """Retry-After is tracked per send, even for concurrent sends."""
    outcomes = await asyncio.gather(
        *[
            send(f"json://127.0.0.1:{sink}/{p}", RENDERED, timeout=5)
            for p in ["ok", "limited", "ok", "limited"]
        ]
    )
    assert [o.retry_after for o in outcomes] == [None, 7.0, None, 7.0]


async def test_connection_refused_is_failed() -> None:
    """A closed port is a failed outcome with a short reason, not an exception."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    outcome = await send(f"json://127.0.0.1:{port}/x", RENDERED, timeout=5)
    assert outcome.status == "failed" and "Connection error" in outcome.detail


async def test_invalid_url_outcome() -> None:
    """A URL apprise rejects gives invalid_url without raising."""
    outcome = await send("nosuchscheme://secret-token-123", RENDERED, timeout=5)
    assert outcome.status == "invalid_url"
    assert "secret-token-123" not in outcome.detail


@pytest.mark.parametrize("path", ["ok", "fail", "limited", "slow"])
async def test_secrets_never_logged_at_debug(
    sink: int, path: str, debug_logs: io.StringIO, capsys: pytest.CaptureFixture[str]
) -> None:
    """With every logger at DEBUG, URL secrets appear in no log line and no detail."""
    url = (
        f"json://user:{SECRET_PASS}@127.0.0.1:{sink}/{path}/{SECRET_PATH}"
        f"?+X-Api-Key={SECRET_HEADER}"
    )
    outcome = await send(url, RENDERED, timeout=1)
    await asyncio.sleep(0.1)
    logs = debug_logs.getvalue()
    assert "DEBUG" in logs and "****" in logs  # DEBUG was on and something was masked
    captured = capsys.readouterr()
    assert_no_secret(logs, outcome.detail, captured.out, captured.err, privacy_url(url))
    assert_no_secret(validate_url(url.replace("json://", "json://:")) or "")


def test_privacy_url_masks_generic_webhook_tokens() -> None:
    """Path tokens, +header and -param values of json:// URLs are masked; endpoint kept."""
    url = f"json://u:{SECRET_PASS}@127.0.0.1:8080/hooks/{SECRET_PATH}?+X-Key={SECRET_HEADER}&-t=abc"
    masked = privacy_url(url)
    assert_no_secret(masked)
    assert masked.startswith("json://u:****@127.0.0.1:8080/hooks/****?")
    assert "X-Key=****" in masked and "-t=****" in masked


def test_validate_url() -> None:
    """Accepted URLs give None; rejected ones a reason that quotes no token."""
    assert validate_url("json://127.0.0.1:8080/x") is None
    assert validate_url("discord://1234567/webhooktoken") is None
    reason = validate_url("nosuch://supersecretvalue")
    assert reason is not None and "supersecretvalue" not in reason
    assert validate_url("no scheme") is not None


def test_parse_retry_after_forms() -> None:
    """Retry-After as seconds or as an HTTP date; garbage is None."""
    now = datetime(2024, 1, 1, tzinfo=UTC)
    later = format_datetime(now + timedelta(seconds=90), usegmt=True)
    assert parse_retry_after("5") == 5.0
    assert parse_retry_after(later, now=now.timestamp()) == pytest.approx(90.0)
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope.content)
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[int, Mailbox]]:
    mailbox = Mailbox()
    with smtp_server(mailbox) as port:
        yield port, mailbox


async def test_email_html_part_is_escaped(smtp: tuple[int, Mailbox]) -> None:
    """E-mail goes out as multipart with an HTML part where hostile text is escaped."""
    port, mailbox = smtp
    hostile = '<script>alert(1)</script> <a href="https://evil.example">x</a> @everyone'
    event = Event(
        id="e",
        article=Article(id="a", feed="Feed", url="https://example.org/a", title=hostile),
        tags=[Tag(name="sanction", evidence=[Evidence(sentence=hostile, cues=["sanctions"])])],
    )
    url = f"mailto://127.0.0.1:{port}?from=a@example.org&to=b@example.org"
    outcome = await send(url, render_event(event, "email"), timeout=10)
    assert outcome.ok, outcome.detail
    message = email.message_from_bytes(mailbox.messages[0], policy=email.policy.default)
    html_part = message.get_body(preferencelist=("html",))
    assert html_part is not None
    html = html_part.get_content()
    assert "script&gt;alert(1)&lt;" in html and "<script" not in html
    assert html.count("<a ") == 1 and 'href="https://example.org/a"' in html
    assert "[sanction]" in str(message["Subject"])
