"""Alert history and web API: p95 of ``GET /api/events`` over 100,000 stored events, and memory.

Run: ``python bench/bench_web.py [--events N]``. Starts its own redis-server (free port) and
the web app under uvicorn on a free loopback port, fills the history through the notifier's
own ``HistoryStore`` with made-up events (several feeds, countries, tags, subscriptions),
then times real HTTP requests. Baselines in the same process: ``/healthz`` (the HTTP and
framework floor) for latency, and the same events stored as one plain JSON string each (no
indexes, no search text) for memory.
"""

import argparse
import asyncio
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
import redis as redis_sync
import uvicorn

from bench.bench_poller import free_port, start_redis
from bench.results import record, table
from services.web.app import create_app
from shared.broker import make_redis
from shared.config import AppConfig
from shared.history import HistoryStore
from shared.schemas import Article, Event, Evidence, Modality, Tag

FEEDS = [f"Wire {i}" for i in range(50)]
COUNTRIES = ["Iraq", "Syria", "Yemen", "Iran", "Russia", "Ukraine", "Sudan", "Libya", "Israel",
             "Lebanon", "Somalia", "Mali", "Niger", "Myanmar", "Venezuela", "Cuba"]
SUBS = ["desk", "sanctions", "watch", "ops", "legal"]
REQUESTS = 300
BATCH = 500


def event(n: int) -> Event:
    """A made-up event; every 7th a sanction, every 11th threatened, 1 in 500 says 'pipeline'."""
    kind = "sanction" if n % 7 == 0 else "military_strike"
    word = "pipeline" if n % 500 == 0 else "depot"
    article = Article(id=f"bench-{n:07d}", feed=FEEDS[n % len(FEEDS)],
                      url=f"https://news.example/{n}",
                      title=f"Story {n}: forces report an attack on a {word} in the north",
                      summary=f"Officials said the {word} was hit overnight; details of story {n}.",
                      published=datetime.now(UTC))
    tag = Tag(name=kind, modality=Modality.THREATENED if n % 11 == 0 else Modality.OCCURRED,
              confidence=0.8, evidence=[Evidence(sentence=article.summary, cues=["hit"])],
              fields={"country": [COUNTRIES[n % len(COUNTRIES)]], "target": [word]})
    return Event(id=article.id, article=article, tags=[tag], cluster_id=f"c{n // 3}")


async def fill(url: str, count: int) -> None:
    """Write ``count`` events and a delivery each, pipelined, as the notifier's store does."""
    redis = make_redis(url)
    store = HistoryStore(redis)
    start = time.time() - count * 0.01
    for first in range(0, count, BATCH):
        async with redis.pipeline(transaction=False) as pipe:
            for n in range(first, min(count, first + BATCH)):
                await store.record_in(pipe, event(n), start + n * 0.01)
            await pipe.execute()
        async with redis.pipeline(transaction=False) as pipe:
            for n in range(first, min(count, first + BATCH)):
                await store.delivery_in(pipe, event(n).id, SUBS[n % len(SUBS)], "json", "sent")
            await pipe.execute()
    await redis.aclose()


def used_memory(client: redis_sync.Redis) -> int:
    return int(client.info("memory")["used_memory"])


def plain_memory(client: redis_sync.Redis, count: int) -> int:
    """Baseline: the same events as one JSON string each, nothing else."""
    before = used_memory(client)
    for first in range(0, count, BATCH):
        pipe = client.pipeline(transaction=False)
        for n in range(first, min(count, first + BATCH)):
            pipe.set(f"plain:{n}", event(n).model_dump_json())
        pipe.execute()
    grown = used_memory(client) - before
    client.flushall()
    return grown


def timings(http: httpx.Client, path: str, params: dict[str, Any]) -> dict[str, float]:
    """p50/p95/max in ms of ``REQUESTS`` sequential requests (after 20 warm-ups)."""
    for _ in range(20):
        http.get(path, params=params).raise_for_status()
    samples = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        http.get(path, params=params).raise_for_status()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {"p50_ms": statistics.median(samples), "p95_ms": samples[int(len(samples) * 0.95)],
            "max_ms": samples[-1]}


def serve(url: str) -> tuple[uvicorn.Server, threading.Thread, str]:
    config = AppConfig.model_validate({"redis": {"url": url}})
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(config, url), host="127.0.0.1", port=port,
                                           log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    return server, thread, f"http://127.0.0.1:{port}"


QUERIES: list[tuple[str, str, dict[str, Any]]] = [
    ("baseline: /healthz", "/healthz", {}),
    ("timeline, newest 50", "/api/events", {"limit": 50}),
    ("tag=sanction", "/api/events", {"tag": "sanction"}),
    ("subscription=ops", "/api/events", {"subscription": "ops"}),
    ("country + modality", "/api/events", {"country": "yemen", "modality": "threatened"}),
    ("search q=attack (common)", "/api/events", {"q": "attack"}),
    ("search q=pipeline (1 in 500)", "/api/events", {"q": "pipeline"}),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        process, url = start_redis(directory)
        client = redis_sync.Redis.from_url(url)
        try:
            baseline = plain_memory(client, args.events)
            before = used_memory(client)
            started = time.perf_counter()
            asyncio.run(fill(url, args.events))
            fill_s = time.perf_counter() - started
            history = used_memory(client) - before
            server, thread, base = serve(url)
            with httpx.Client(base_url=base, timeout=30) as http:
                cursor = http.get("/api/events", params={"limit": 50}).json()["next"]
                queries = [*QUERIES[:2], ("timeline, page 2 (cursor)", "/api/events",
                                          {"limit": 50, "cursor": cursor}), *QUERIES[2:]]
                figures = {name: timings(http, path, params) for name, path, params in queries}
            server.should_exit = True
            thread.join(10)
        finally:
            client.close()
            process.terminate()
            process.wait(10)
    return report(args.events, figures, history, baseline, fill_s)


def report(count: int, figures: dict[str, dict[str, float]], history: int, baseline: int,
           fill_s: float) -> int:
    per_100k = history * 100_000 / count / 1e6
    base_100k = baseline * 100_000 / count / 1e6
    print(f"{count:,} events stored in {fill_s:.1f} s ({count / fill_s:,.0f}/s, pipelined); "
          f"{REQUESTS} sequential requests per row over real HTTP")
    print(table(["query", "p50 ms", "p95 ms", "max ms"],
                [[name, f["p50_ms"], f["p95_ms"], f["max_ms"]] for name, f in figures.items()]))
    p95 = figures["timeline, newest 50"]["p95_ms"]
    floor = figures["baseline: /healthz"]["p95_ms"]
    verdict = "met" if p95 <= 50 else "MISSED"
    print(f"timeline p95 {p95:.1f} ms (target <= 50 ms: {verdict}), {p95 / floor:.1f}x the "
          f"/healthz floor")
    print(f"memory per 100,000 events: history {per_100k:.0f} MB vs plain JSON strings "
          f"{base_100k:.0f} MB ({per_100k / base_100k:.2f}x: indexes + search text)")
    record("web", {"events": count, "queries": figures, "history_mb_per_100k": per_100k,
                   "plain_json_mb_per_100k": base_100k, "fill_per_s": count / fill_s})
    return 0


if __name__ == "__main__":
    sys.exit(main())
