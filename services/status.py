"""``newsalert status``: the pipeline on one screen (streams, groups, DLQ, feeds, last alerts).

Everything is read from Redis, so it shows every replica's work; ``--json`` is for scripts.
URLs and errors go through :func:`shared.secrets.redact`: a feed URL may carry a token.
"""

import argparse
import asyncio
import json
import sys
import time
from typing import Any, cast

from redis.asyncio import Redis
from rich.console import Console
from rich.table import Table
from rich.text import Text

from services.poller.feed_status import read_feed_status
from shared import streams
from shared.broker import CLI_RETRIES, make_redis
from shared.config import AppConfig, default_path
from shared.health import read_stats
from shared.loading import load_config, require_redis_url
from shared.secrets import redact

RECENT = 10


async def _recent(redis: "Redis", count: int) -> list[dict[str, Any]]:
    entries = cast(list[tuple[bytes, dict[bytes, bytes]]],
                   await redis.xrevrange(streams.DELIVERED, count=count))
    rows = []
    for entry_id, fields in entries:
        row: dict[str, Any] = {k.decode(): redact(v.decode(errors="replace"))
                               for k, v in fields.items()}
        row["at"] = float(row.get("at") or 0.0)
        rows.append({"id": entry_id.decode(), **row})
    return rows


async def collect(config: AppConfig, redis_url: str) -> dict[str, Any]:
    """The status document (what ``--json`` prints)."""
    redis = make_redis(redis_url, cluster=config.redis.cluster, retries=CLI_RETRIES)
    try:
        now = time.time()
        stats = await read_stats(redis)
        feeds = [f.status_row(now) for f in await read_feed_status(redis, config.feeds)]
        return {"generated_at": now, **stats.as_dict(), "feeds": feeds,
                "recent_deliveries": await _recent(redis, RECENT)}
    finally:
        await redis.aclose()


def _ago(ts: float | None, now: float) -> str:
    return "-" if not ts else f"{now - ts:.0f} s ago"


def render(doc: dict[str, Any], console: Console) -> None:
    """Rich tables for humans; untrusted text goes in as Text so no markup is interpreted."""
    now = doc["generated_at"]
    groups = Table(title="Streams and consumer groups")
    for col in ("stream", "length", "group", "lag", "pending", "oldest pending", "consumers"):
        groups.add_column(col)
    for g in doc["groups"]:
        groups.add_row(g["stream"], str(doc["lengths"].get(g["stream"], 0)),
                       g["group"] if g["exists"] else f"{g['group']} (MISSING)",
                       "?" if g["lag"] is None else str(g["lag"]), str(g["pending"]),
                       f"{g['oldest_idle']:.1f} s", str(g["consumers"]))
    console.print(groups)
    console.print(f"dead letters: {doc['dlq']}    scheduled retries: {doc['retry']}")
    feeds = Table(title="Feeds")
    for col in ("feed", "health", "last success", "next poll", "last error"):
        feeds.add_column(col)
    for f in doc["feeds"]:
        nxt = "-" if f["next_poll_in"] is None else f"in {max(0.0, f['next_poll_in']):.0f} s"
        feeds.add_row(Text(f["name"]), Text(f["health"]), _ago(f["last_success"], now), nxt,
                      Text(f["last_error"][:80]))
    console.print(feeds)
    recent = Table(title=f"Last {RECENT} alerts")
    for col in ("when", "title", "subscription", "channel"):
        recent.add_column(col)
    for r in doc["recent_deliveries"]:
        recent.add_row(_ago(r["at"], now), Text(r.get("title", "")[:80]),
                       Text(r.get("subscription", "")), Text(r.get("channel", "")))
    console.print(recent)


def cmd_status(args: argparse.Namespace) -> int:
    """Print the status screen (or JSON); Redis unreachable is exit 3 (see shared.exits)."""
    config = load_config(args.config or default_path())
    url = args.redis_url or require_redis_url(config, "to read the pipeline (or --redis-url)")
    doc = asyncio.run(collect(config, url))  # Redis down: the CLI prints one line, exit 3
    if args.json:
        sys.stdout.write(json.dumps(doc, indent=2) + "\n")
    else:
        render(doc, Console())
    return 0


def add_commands(sub: "argparse._SubParsersAction[argparse.ArgumentParser]",
                 common: argparse.ArgumentParser) -> None:
    """Register ``newsalert status [--json] [--redis-url URL]``."""
    status = sub.add_parser("status", parents=[common], help="streams, feeds and last alerts")
    status.add_argument("--json", action="store_true", help="machine-readable output")
    status.add_argument("--redis-url", default=None, help="default: redis.url of the config")
    status.set_defaults(func=cmd_status)
