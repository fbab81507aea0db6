"""E-mail through a real local SMTP server (aiosmtpd): digests and quiet hours on a fake clock."""

import email
import email.policy
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import pytest

from services.notifier.delivery import DeliveryStore
from services.notifier.dispatch import Dispatcher
from shared import streams
from shared.broker import make_redis
from shared.config import AppConfig, Digest, NotifierSettings, QuietHours, Subscription
from shared.schemas import Article, Event, Evidence, Tag
from tests.servers import smtp_server

T0 = datetime(2024, 6, 3, 12, 0, tzinfo=UTC)
HOSTILE = '<script>alert(1)</script> <a href="https://evil.example">x</a>'


class Mailbox:
    """aiosmtpd handler that keeps every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        """Store the parsed message and accept it."""
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(parsed)
        return "250 OK"


class Clock:
    """A settable "now" for the dispatcher."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(name="mailbox")
def _mailbox() -> Iterator[tuple[str, Mailbox]]:
    box = Mailbox()
    with smtp_server(box) as port:
        yield f"mailto://127.0.0.1:{port}?from=alerts@example.org&to=desk@example.org", box


@pytest.fixture(name="store")
async def _store(redis_url: str) -> AsyncIterator[DeliveryStore]:
    redis = make_redis(redis_url)
    yield DeliveryStore(redis)
    await redis.aclose()


def event(n: int, tag: str = "military_strike", title: str = "") -> Event:
    """An event with a distinct id and link."""
    article = Article(id=f"mail-{n}", feed="wire", url=f"https://wire.test/mail/{n}",
                      title=title or f"Strike {n} hits a depot")
    return Event(id=f"mail-ev-{n}", article=article,
                 tags=[Tag(name=tag, evidence=[Evidence(sentence="x", cues=["strike"])])])


def dispatcher(store: DeliveryStore, sub: Subscription, clock: Clock) -> Dispatcher:
    """A dispatcher for one subscription with fast retries and the given clock."""
    settings = NotifierSettings(retry_base=0.05, retry_max=0.1, timeout=10)
    return Dispatcher(AppConfig(notifier=settings, subscriptions=[sub]), store, clock=clock)


async def run_due(d: Dispatcher) -> None:
    """Flush due digests, then run the retry loop until no job is left."""
    deadline = time.monotonic() + 10
    await d.flush_digests()
    while await d.store.pending_retries() and time.monotonic() < deadline:
        await d.retry_due()
    assert await d.store.pending_retries() == 0


def html_of(message: EmailMessage) -> str:
    """The text/html part of a multipart e-mail."""
    part = message.get_body(preferencelist=("html",))
    assert part is not None
    return str(part.get_content())


async def test_notifier_digest_email_bundles_events(
        store: DeliveryStore, mailbox: tuple[str, Mailbox]) -> None:
    """mode: digest → several events become one e-mail listing all, HTML escaped; then hourly."""
    url, box = mailbox
    clock = Clock(T0)
    sub = Subscription(name="daily", urls=[url], tags=["military_strike"], mode="digest",
                       digest=Digest(every=3600))
    d = dispatcher(store, sub, clock)
    for n in range(3):
        await d.on_event(event(n, title=HOSTILE if n == 1 else ""))
    assert box.messages == []
    await run_due(d)
    assert len(box.messages) == 1
    body = html_of(box.messages[0])
    assert str(box.messages[0]["Subject"]) == "News digest: 3 alerts"
    assert all(f"https://wire.test/mail/{n}" in body for n in range(3))
    assert "script&gt;alert(1)&lt;" in body and "<script" not in body
    assert 'href="https://evil' not in body and body.count("<a ") == 3
    await d.on_event(event(3))
    clock.now = T0 + timedelta(minutes=30)
    await run_due(d)
    assert len(box.messages) == 1, "not due before the hour"
    clock.now = T0 + timedelta(minutes=61)
    await run_due(d)
    assert len(box.messages) == 2 and "wire.test/mail/3" in html_of(box.messages[1])


async def test_notifier_quiet_hours_hold_then_digest(
        store: DeliveryStore, mailbox: tuple[str, Mailbox]) -> None:
    """Quiet 22–07 h: strikes held, sanction passes; the window's end sends one digest."""
    url, box = mailbox
    clock = Clock(datetime(2024, 6, 3, 23, 0, tzinfo=UTC))
    quiet = QuietHours(start="22:00", end="07:00", except_tags=["sanction"])
    sub = Subscription(name="night", urls=[url], quiet_hours=quiet)
    d = dispatcher(store, sub, clock)
    await d.on_event(event(1))
    await d.on_event(event(2))
    await d.on_event(event(3, tag="sanction"))
    assert len(box.messages) == 1 and "[sanction]" in str(box.messages[0]["Subject"])
    clock.now = datetime(2024, 6, 4, 6, 59, tzinfo=UTC)
    await run_due(d)
    assert len(box.messages) == 1, "held until the window ends"
    assert await store.redis.zcard(streams.key("digest", "night")) == 2
    clock.now = datetime(2024, 6, 4, 7, 0, tzinfo=UTC)
    await run_due(d)
    assert len(box.messages) == 2
    digest = box.messages[1]
    assert str(digest["Subject"]) == "News digest: 2 alerts"
    assert "wire.test/mail/1" in html_of(digest) and "wire.test/mail/2" in html_of(digest)
    assert await store.redis.zcard(streams.key("digest", "night")) == 0


async def test_notifier_updates_only_to_significant_and_threaded(
        store: DeliveryStore, mailbox: tuple[str, Mailbox]) -> None:
    """is_update reaches only `updates: significant`; e-mails of one cluster share References."""
    url, box = mailbox
    subs = [Subscription(name="all-updates", urls=[url], updates="significant"),
            Subscription(name="first-only", urls=[url + "&cc=first@example.org"])]
    d = Dispatcher(AppConfig(subscriptions=subs), store, clock=Clock(T0))
    first = event(1).model_copy(update={"cluster_id": "c42"})
    update = event(2).model_copy(update={"cluster_id": "c42", "is_update": True})
    await d.on_event(first)
    await d.on_event(update)
    assert len(box.messages) == 3, "first alert to both, the update to one"
    root = "<cluster-c42@newsalert.invalid>"
    assert all(str(m["References"]) == root for m in box.messages)
    updates = [m for m in box.messages if m["In-Reply-To"] is not None]
    assert len(updates) == 1 and str(updates[0]["In-Reply-To"]) == root
    assert updates[0]["Cc"] is None, "the update went to the significant subscription only"
