"""What operators look at and act on: feed health, the DLQ, the retry schedule, test sends."""

import json
from datetime import UTC, datetime
from typing import Any, cast

from redis.asyncio import Redis

from services.notifier.channels import send
from services.notifier.commands import requeue, sample_event
from services.notifier.delivery import DeliveryStore, Job
from services.notifier.render import channel_kind, render_event
from services.poller.feed_status import read_feed_status
from shared import streams
from shared.config import AppConfig
from shared.secrets import redact

Entry = tuple[bytes, dict[bytes, bytes]]


def _stamp(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="seconds").replace(
        "+00:00", "Z")


async def feeds(redis: "Redis", config: AppConfig) -> list[dict[str, Any]]:
    """Each configured feed's health (URL passwords and secrets masked)."""
    return [f.list_row() for f in await read_feed_status(redis, config.feeds)]


def _dlq_item(mid: bytes, fields: dict[bytes, bytes]) -> dict[str, Any]:
    data = {k.decode(): v.decode(errors="replace") for k, v in fields.items()
            if k != b"__data__"}
    title = ""
    try:
        body = json.loads(fields.get(b"__data__", b"{}"))
        title = str(body["article"]["title"]) if isinstance(body, dict) else ""
    except (ValueError, KeyError, TypeError):
        title = ""
    failed = float(data.get("failed_at") or 0)
    return {"id": mid.decode(), "source": data.get("source", ""),
            "subscription": data.get("subscription", ""), "channel": data.get("channel", ""),
            "event_id": data.get("event_id", ""), "reason": redact(data.get("reason", "")),
            "attempts": data.get("deliveries", ""), "failed_at": _stamp(failed) if failed else "",
            "title": title}


async def dlq(redis: "Redis", limit: int = 100) -> list[dict[str, Any]]:
    """The newest dead-lettered entries (no URL: channel kinds and URL ids only)."""
    entries = cast(list[Entry], await redis.xrevrange(streams.DLQ, count=limit))
    return [_dlq_item(mid, fields) for mid, fields in entries]


async def retries(redis: "Redis", limit: int = 100) -> list[dict[str, Any]]:
    """Deliveries waiting on the retry schedule, soonest first."""
    raw = cast(list[tuple[bytes, float]],
               await redis.zrange(streams.RETRY_KEY, 0, limit - 1, withscores=True))
    out = []
    for member, due in raw:
        job = Job.decode(member)
        out.append({"subscription": job.subscription, "event_id": job.event_id,
                    "attempt": job.attempt, "kind": job.kind, "due": _stamp(float(due))})
    return out


async def retry(redis: "Redis", entry_id: str) -> bool:
    """Move one DLQ entry back to where it failed; False when there is no such entry."""
    entries = cast(list[Entry], await redis.xrange(streams.DLQ, entry_id, entry_id))
    if not entries:
        return False
    mid, fields = entries[0]
    await requeue(redis, DeliveryStore(redis), {k.decode(): v for k, v in fields.items()})
    await redis.xdel(streams.DLQ, mid)
    return True


async def send_test(config: AppConfig, name: str) -> list[dict[str, Any]] | None:
    """Send the sample alert to each URL of a subscription; None when it does not exist."""
    subs = [s for s in config.subscriptions if s.name == name]
    if not subs:
        return None
    event, results = sample_event(), []
    for url in subs[0].urls:
        kind = channel_kind(url)
        outcome = await send(url, render_event(event, kind), timeout=config.notifier.timeout)
        results.append({"channel": kind, "ok": outcome.ok, "detail": redact(outcome.detail)})
    return results


def subscriptions(config: AppConfig) -> list[dict[str, Any]]:
    """The configured subscriptions, read-only, with channel kinds instead of URLs."""
    return [{"name": s.name, "channels": [channel_kind(u) for u in s.urls], "tags": s.tags,
             "match": s.match, "mode": s.mode, "min_confidence": s.min_confidence,
             "modalities": [m.value for m in s.modalities], "feeds": s.feeds,
             "countries": s.countries} for s in config.subscriptions]
