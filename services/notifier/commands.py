"""CLI commands of the notifier: ``notify-test`` and ``dlq list|retry``."""

import argparse
import asyncio
import json
import sys
import time
from typing import cast

from redis.asyncio import Redis

import services.notifier.console  # noqa: F401  (registers the console:// scheme)
from services.notifier.channels import send
from services.notifier.delivery import DeliveryStore, Job
from services.notifier.privacy import privacy_url
from services.notifier.render import channel_kind, render_event
from shared import streams
from shared.broker import CLI_RETRIES, make_redis
from shared.config import AppConfig, default_path
from shared.exits import EXIT_PROBLEM, UsageError
from shared.loading import load_config, require_redis_url
from shared.schemas import Article, Event, Evidence, Tag
from shared.secrets import redact


def sample_event() -> Event:
    """A made-up alert that exercises every part of the format."""
    article = Article(
        id="sample-0001", feed="newsalert test", url="https://example.org/newsalert-test",
        title="TEST: US strikes militia sites in Iraq after Treasury sanctions its leaders",
        summary="This is a test alert sent by `newsalert notify-test`.")
    strike = Tag(name="military_strike", confidence=0.9,
                 evidence=[Evidence(sentence=article.title, cues=["strikes"])],
                 fields={"actor": ["US"], "location": ["Iraq"]})
    sanction = Tag(name="sanction", confidence=0.9,
                   evidence=[Evidence(sentence=article.title, cues=["sanctions"])],
                   fields={"authority": ["US Treasury"]})
    return Event(id=f"test-{int(time.time())}", article=article, tags=[strike, sanction])


def _load(args: argparse.Namespace) -> AppConfig:
    return load_config(args.config or default_path())


async def _notify_test(config: AppConfig, name: str, as_json: bool) -> int:
    subs = [s for s in config.subscriptions if s.name == name]
    if not subs:
        known = ", ".join(s.name for s in config.subscriptions) or "none"
        raise UsageError(f"no subscription named {name!r} (configured: {known})")
    event, results = sample_event(), []
    for url in subs[0].urls:
        outcome = await send(url, render_event(event, channel_kind(url)),
                             timeout=config.notifier.timeout)
        results.append({"url": privacy_url(url), "ok": outcome.ok, "status": outcome.status,
                        "detail": outcome.detail})
        if not as_json:  # one line per URL as it completes: a slow channel shows where it is
            print(f"{'OK  ' if outcome.ok else 'FAIL'} {privacy_url(url)}  {outcome.detail}")
    failed = sum(not r["ok"] for r in results)
    if as_json:
        print(json.dumps({"subscription": name, "results": results}, ensure_ascii=False))
    if failed:
        print(f"error: {failed} of {len(results)} URL(s) of {name!r} failed", file=sys.stderr)
    return EXIT_PROBLEM if failed else 0


def cmd_notify_test(args: argparse.Namespace) -> int:
    """Send a sample alert to every URL of one subscription and report each outcome."""
    return asyncio.run(_notify_test(_load(args), args.subscription, args.json))


def _redis(config: AppConfig) -> "Redis":
    url = require_redis_url(config, "to inspect the DLQ of a running pipeline")
    return make_redis(url, cluster=config.redis.cluster, retries=CLI_RETRIES)


Entry = tuple[bytes, dict[bytes, bytes]]


async def _entries(redis: "Redis", limit: int | None) -> list[Entry]:
    return cast(list[Entry], await redis.xrange(streams.DLQ, count=limit))


async def _dlq_list(config: AppConfig, limit: int, as_json: bool) -> int:
    redis = _redis(config)
    try:
        entries = await _entries(redis, limit)
        total = int(await redis.xlen(streams.DLQ))
    finally:
        await redis.aclose()
    rows = [{"id": mid.decode(), **{k.decode(): redact(v.decode(errors="replace"))
                                    for k, v in fields.items() if k != b"__data__"}}
            for mid, fields in entries]
    if as_json:
        print(json.dumps({"stream": streams.DLQ, "total": total, "entries": rows},
                         ensure_ascii=False))
        return 0
    for row in rows:
        print(row.pop("id"), json.dumps(row, ensure_ascii=False))
    print(f"{total} entr(ies) in {streams.DLQ}")
    return 0


async def _dlq_retry(config: AppConfig, ids: list[str], everything: bool) -> int:
    redis = _redis(config)
    store = DeliveryStore(redis)
    retried = 0
    try:
        entries = await _entries(redis, None)
        for mid, fields in entries:
            if not everything and mid.decode() not in ids:
                continue
            await requeue(redis, store, {k.decode(): v for k, v in fields.items()})
            await redis.xdel(streams.DLQ, mid)
            retried += 1
    finally:
        await redis.aclose()
    print(f"re-queued {retried} entr(ies)")
    if not retried and not everything:
        print(f"error: no entry of {streams.DLQ} has the id(s) given", file=sys.stderr)
    return 0 if retried or everything else 1


async def requeue(redis: "Redis", store: DeliveryStore, fields: dict[str, bytes]) -> None:
    """Put one DLQ entry back: a delivery on the retry schedule, a message on its stream."""
    source = fields["source"].decode()
    body = fields["__data__"]
    if source == "delivery":
        sub, uid, eid = (fields[k].decode() for k in ("subscription", "url_id", "event_id"))
        await redis.delete(streams.key("sent", sub, eid, uid))
        kind = "digest" if eid.startswith("digest-") else "event"
        await store.schedule(Job(sub, uid, eid, 1, body.decode(), kind), 0)
    else:
        await redis.xadd(source, {"__data__": body})


def cmd_dlq(args: argparse.Namespace) -> int:
    """List or retry dead-lettered messages and deliveries."""
    config = _load(args)
    if args.dlq_command == "list":
        return asyncio.run(_dlq_list(config, args.limit, args.json))
    if not args.ids and not args.all:
        raise UsageError("dlq retry: give message ids or --all")
    return asyncio.run(_dlq_retry(config, args.ids, args.all))


def add_commands(sub: "argparse._SubParsersAction[argparse.ArgumentParser]",
                 common: argparse.ArgumentParser) -> None:
    """Register ``notify-test`` and ``dlq``."""
    test = sub.add_parser("notify-test", parents=[common], help="send a sample alert")
    test.add_argument("subscription")
    test.add_argument("--json", action="store_true", help="machine-readable result")
    test.set_defaults(func=cmd_notify_test)
    dlq = sub.add_parser("dlq", parents=[common], help="dead-letter queue")
    dlq_sub = dlq.add_subparsers(dest="dlq_command", required=True)
    listing = dlq_sub.add_parser("list", parents=[common], help="the oldest entries first")
    listing.add_argument("--limit", type=int, default=100)
    listing.add_argument("--json", action="store_true", help="machine-readable output")
    retry = dlq_sub.add_parser("retry", parents=[common], help="re-queue entries by id")
    retry.add_argument("ids", nargs="*")
    retry.add_argument("--all", action="store_true")
    dlq.set_defaults(func=cmd_dlq)
