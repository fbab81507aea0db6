"""Each configured feed's health, read from the poller's state: what ``feeds list`` and
``status`` show. URLs and errors are redacted: a feed URL may carry a token."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from redis.asyncio import Redis

from services.poller.state import FeedState, feed_id, load_state
from shared.config import Feed
from shared.failures import FailureReason
from shared.secrets import redact, redact_url


@dataclass(frozen=True)
class FeedStatus:
    """One feed and its stored state."""

    feed: Feed
    state: FeedState

    @property
    def health(self) -> str:
        """One word or phrase: ok, failing (n), unhealthy (n failures), disabled (why)…"""
        state = self.state
        if state.disabled:
            return f"disabled ({state.disabled})"
        if not state.last_poll:
            return "never polled"
        if state.unhealthy:
            return f"unhealthy ({state.failures} failures)"
        return f"failing ({state.failures})" if state.failures else "ok"

    def _common(self) -> dict[str, Any]:
        reason = FailureReason.of(self.state.last_error)
        return {"name": self.feed.label(), "url": redact_url(self.feed.url),
                "failures": self.state.failures, "last_error": redact(self.state.last_error),
                "reason": reason.value if reason else None}

    def status_row(self, now: float) -> dict[str, Any]:
        """``status --json``: times as epoch seconds, None when it never happened."""
        state = self.state
        return {"id": feed_id(self.feed.url), **self._common(), "health": self.health,
                "last_success": state.last_success or None, "last_poll": state.last_poll or None,
                "next_poll": state.next_poll or None,
                "next_poll_in": round(state.next_poll - now, 1) if state.next_poll else None}

    def list_row(self) -> dict[str, Any]:
        """``feeds list``: times as UTC text, empty when it never happened."""
        state = self.state
        return {**self._common(), "last_success": _stamp(state.last_success),
                "next_poll": _stamp(state.next_poll), "disabled": state.disabled,
                "unhealthy": state.unhealthy}


def _stamp(seconds: float) -> str:
    if not seconds:
        return ""
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M:%SZ")


async def read_feed_status(redis: "Redis", feeds: list[Feed]) -> list[FeedStatus]:
    """The status of every feed, in config order (defaults for a feed never polled)."""
    return [FeedStatus(feed, await load_state(redis, feed_id(feed.url))) for feed in feeds]
