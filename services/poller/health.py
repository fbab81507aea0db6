"""Feed health events: one when a feed starts failing for good, one when it recovers."""

import logging
import uuid

from redis.asyncio import Redis

from services.poller.state import FeedState, feed_id
from shared import streams
from shared.backpressure import StreamGuard
from shared.config import Feed
from shared.schemas import FEED_HEALTH, Article, Event, Tag, utcnow

log = logging.getLogger("newsalert.poller")


def health_event(feed: Feed, state: FeedState, recovered: bool) -> Event:
    """The event subscribers see; the feed's name and error, never its credentials."""
    if recovered:
        title = f"Feed {feed.label()} recovered"
        summary = "The feed is polled successfully again."
    else:
        title = f"Feed {feed.label()} is failing"
        summary = f"{state.failures} consecutive failures; last error: {state.last_error[:500]}"
    article = Article(id=f"health-{feed_id(feed.url)}", feed=feed.label(), feed_url=feed.url,
                      url="", title=title, summary=summary, fetched_at=utcnow())
    tag = Tag(name=FEED_HEALTH, kind="health", alert=True, confidence=1.0)
    return Event(id=f"health-{uuid.uuid4().hex}", kind=FEED_HEALTH, article=article, tags=[tag])


async def publish(redis: "Redis", feed: Feed, state: FeedState, recovered: bool) -> None:
    """XADD a feed_health event to the events stream."""
    event = health_event(feed, state, recovered)
    # Trimmed like the classifier's events: never below what the notifier has not acked.
    trim = await StreamGuard(redis, streams.EVENTS, streams.EVENTS_MAXLEN).trim()
    await redis.xadd(streams.EVENTS, {"__data__": event.model_dump_json()}, **trim.kwargs())
    log.warning("%s", event.article.title, extra={"feed": feed.label()})
