"""Growth: classifier cost per article against the number of watch topics, poller cost per feed.

Run: ``python bench/bench_growth.py [--articles N] [--feeds 10,100,1000]``.

(a) ``classify_article`` with 0, 1, 100 and 1,000 synthetic watch topics on news-pool texts
(../shared/data or $NEWSALERT_SHARED_DATA; self-written sentences when absent), next to the
pre-growth per-topic loop (``NaiveMatcher`` in growth_topics.py), both in this process.
(b) The poller of bench_poller.py (its local feed server and harness, two cycles) on 10, 100
and 1,000 feeds, each count in its own process with its own redis-server; CPU is the poller
process plus its parser workers, and Redis separately.
"""

import argparse
import asyncio
import json
import multiprocessing
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

from bench_classifier import data_dir, load_pool  # noqa: E402
from bench_poller import free_port, run_poller, serve, start_redis  # noqa: E402
from growth_topics import NaiveMatcher, make_topics  # noqa: E402
from results import record, table  # noqa: E402

from services.classifier.classify import classify_article  # noqa: E402
from services.classifier.watch import WatchMatcher  # noqa: E402
from shared.redis_binaries import find_redis_binary  # noqa: E402

TOPIC_COUNTS = (0, 1, 100, 1000)
FALLBACK = [("Talks on Iran resume", "Envoys met in Vienna. Oil prices fell after the news."),
            ("Storm closes ports", "Ferries stay in harbour. 3 dead as winds reach 150 km/h.")]


def one_pass(fn: Callable[[str, str], Any], texts: list[tuple[str, str]]
             ) -> tuple[float, list[Any]]:
    """Seconds per article over ``texts``, and what ``fn`` returned for each."""
    start = time.perf_counter()
    out = [fn(title, summary) for title, summary in texts]
    return (time.perf_counter() - start) / len(texts), out


def classifier_row(count: int, texts: list[tuple[str, str]], real: bool = True
                   ) -> dict[str, Any]:
    """Passes alternate with the no-topic baseline, and the best of 3 counts: the machine is
    shared, and noise only ever adds time."""
    topics = make_topics(count, real)
    start = time.perf_counter()
    watch = WatchMatcher(topics)
    build_ms = (time.perf_counter() - start) * 1000
    naive = NaiveMatcher(topics)
    base = ours = alone = float("inf")
    for _ in range(3):
        base = min(base, one_pass(lambda t, s: classify_article(t, s, None), texts)[0])
        ours = min(ours, one_pass(lambda t, s: classify_article(t, s, watch), texts)[0])
        seconds, got = one_pass(watch.match, texts)
        alone = min(alone, seconds)
    # A pass of the naive loop at 1,000 topics takes seconds; one is enough to see the gap.
    passes = [one_pass(naive.match, texts) for _ in range(1 if count >= 1000 else 3)]
    assert [[t.name for t in tags] for tags in got] == passes[0][1], "matchers disagree"
    theirs = base + min(p[0] for p in passes)  # classify_article = rules + watcher.match
    return {"topics": f"{count:,}" + ("" if real else " quiet"), "tags": sum(map(len, got)),
            "build_ms": round(build_ms, 1),
            "articles_per_s": round(1 / ours), "vs_0_topics": round(base / ours, 3),
            "naive_articles_per_s": round(1 / theirs), "vs_naive": round(theirs / ours, 2),
            "watch_us": round(alone * 1e6, 1),
            "naive_watch_us": round(min(p[0] for p in passes) * 1e6, 1)}


def print_classifier(rows: list[dict[str, Any]], articles: str) -> None:
    print(f"\n(a) classify_article + watch topics, {articles}, one core")
    print(table(["topics", "build ms", "articles/s", "vs 0 topics", "naive art/s",
                 "vs naive", "watch µs/art", "naive µs/art", "tags"],
                [[r["topics"], r["build_ms"], r["articles_per_s"], r["vs_0_topics"],
                  r["naive_articles_per_s"], r["vs_naive"], r["watch_us"],
                  r["naive_watch_us"], r["tags"]] for r in rows]))
    print("vs 0 topics: against classify_article without topics, measured in alternation;"
          " naive: the per-topic loop, rules time + its watch time;\nquiet: no real names in"
          " the phrases, so (almost) no topic fires: the scan alone, without building tags")


def cpu_seconds(who: int) -> float:
    return (usage := resource.getrusage(who)).ru_utime + usage.ru_stime


def poller_contender(base: str, count: int, redis_url: str) -> int:
    """Child: bench_poller's two cycles, with this process's and its parser workers' CPU."""
    import services.poller.polling  # noqa: F401  (imported outside the measured span)
    import shared.broker  # noqa: F401

    own, workers = cpu_seconds(resource.RUSAGE_SELF), cpu_seconds(resource.RUSAGE_CHILDREN)
    result = asyncio.run(run_poller(base, count, redis_url))
    result["cpu_s"] = cpu_seconds(resource.RUSAGE_SELF) - own
    result["parser_cpu_s"] = cpu_seconds(resource.RUSAGE_CHILDREN) - workers
    print(json.dumps(result))
    return 0


def poll_count(base: str, count: int) -> dict[str, Any]:
    import redis as redis_sync

    with tempfile.TemporaryDirectory() as tmp:
        redis, url = start_redis(tmp)
        try:
            done = subprocess.run([sys.executable, __file__, "--poller", base, str(count), url],
                                  capture_output=True, text=True, timeout=300, check=False)
            if done.returncode != 0:
                raise RuntimeError(f"poller with {count} feeds failed:\n{done.stderr[-3000:]}")
            result = dict(json.loads(done.stdout.strip().splitlines()[-1]))
            with redis_sync.Redis.from_url(url) as client:
                info = client.info("cpu")
            result["redis_cpu_s"] = info["used_cpu_sys"] + info["used_cpu_user"]
        finally:
            redis.terminate()
            redis.wait(timeout=10)
    return result


def poller_rows(counts: list[int]) -> list[dict[str, Any]]:
    port = free_port()
    server = multiprocessing.get_context("spawn").Process(target=serve, args=(port, 0.0),
                                                          daemon=True)
    server.start()
    try:
        time.sleep(0.5)  # the server process binds its port
        results = [(n, poll_count(f"http://127.0.0.1:{port}", n)) for n in counts]
    finally:
        server.terminate()
        server.join(timeout=10)
    rows, previous = [], (0, 0.0)
    for n, res in results:  # a poll: one feed in one cycle
        polls, cpu = 2 * n, res["cpu_s"] + res["parser_cpu_s"]
        marginal = (cpu - previous[1]) * 1000 / (polls - previous[0]) if previous[0] else None
        rows.append({"feeds": n, "cycle1_feeds_per_s": res["cycles"][0]["feeds_per_s"],
                     "cycle2_feeds_per_s": res["cycles"][1]["feeds_per_s"],
                     "cpu_ms_per_poll": round(cpu * 1000 / polls, 2),
                     "parser_ms_per_poll": round(res["parser_cpu_s"] * 1000 / polls, 2),
                     "marginal_cpu_ms_per_poll": marginal and round(marginal, 2),
                     "redis_cpu_ms_per_poll": round(res["redis_cpu_s"] * 1000 / polls, 3),
                     "rss_mb": res["rss_mb"]})
        previous = (polls, cpu)
    return rows


def print_poller(rows: list[dict[str, Any]]) -> None:
    print("\n(b) poller, one local server, no added latency; cycle 2: half the feeds changed")
    print(table(["feeds", "cycle 1 feeds/s", "cycle 2 feeds/s", "CPU ms/poll",
                 "of it parsers", "marginal ms/poll", "redis ms/poll", "RSS MB"],
                [[r["feeds"], r["cycle1_feeds_per_s"], r["cycle2_feeds_per_s"],
                  r["cpu_ms_per_poll"], r["parser_ms_per_poll"],
                  r["marginal_cpu_ms_per_poll"] or "-",
                  r["redis_cpu_ms_per_poll"], r["rss_mb"]] for r in rows]))
    print("CPU: poller process + parser workers (their start-up included), over both cycles;"
          " marginal: extra CPU per extra poll against the previous row")


def load_texts(limit: int) -> tuple[list[tuple[str, str]], str]:
    pool = data_dir() / "news_pool.jsonl.gz"
    if not pool.exists():
        return FALLBACK * (limit // len(FALLBACK)), "self-written fallback texts"
    texts = load_pool(pool)
    random.Random(5).shuffle(texts)
    return texts[:limit], f"{limit:,} texts sampled from news_pool.jsonl.gz"


def main() -> int:
    if sys.argv[1:2] == ["--poller"]:
        return poller_contender(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=800)
    parser.add_argument("--feeds", default="10,100,1000")
    args = parser.parse_args()
    texts, source = load_texts(args.articles)
    classifier = [*(classifier_row(n, texts) for n in TOPIC_COUNTS),
                  classifier_row(TOPIC_COUNTS[-1], texts, real=False)]
    print_classifier(classifier, source)
    figures: dict[str, Any] = {"articles": source, "classifier": classifier}
    if find_redis_binary("redis-server") is None:
        print("\n(b) skipped: redis-server is not installed")
    else:
        figures["poller"] = poller_rows([int(n) for n in args.feeds.split(",")])
        print_poller(figures["poller"])
    record("growth", figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
