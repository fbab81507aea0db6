"""The whole pipeline as real processes: latency, throughput vs raw Redis, scale-out, memory.

Run: ``python bench/bench_pipeline.py [--quick]``. Starts its own redis-server (free port),
a local feed server and webhook sink, and ``newsalert poller|classifier|notifier`` processes.
Reads ../shared/data (or $NEWSALERT_SHARED_DATA); without it only the latency part runs, on
self-written articles. See docs/benchmarks.md for the figures and how to read them.
"""

import argparse
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

import pipeline_load as load  # noqa: E402
import redis as redis_sync  # noqa: E402
import yaml  # noqa: E402
from pipeline_data import ALERT_SHARE, Mix, Texts, synthetic, texts  # noqa: E402
from pipeline_latency import FeedServer, Sink, feed_latency, steady_latency  # noqa: E402
from pipeline_procs import Services, config_data, memory_kib, start_redis, wait_ready  # noqa: E402
from results import record, table  # noqa: E402

from shared import streams  # noqa: E402
from shared.redis_binaries import find_redis_binary  # noqa: E402
from tests.pipeline import write_config  # noqa: E402


@dataclass(frozen=True)
class Plan:
    rates: tuple[tuple[float, float], ...]  # (articles/s, seconds)
    feed_items: int
    articles: int  # per throughput run
    workers: tuple[int, ...]
    memory_articles: int


FULL = Plan(((10, 30), (100, 15), (500, 12)), 40, 8000, (1, 2, 4), 100_000)
QUICK = Plan(((10, 5), (100, 5), (500, 4)), 8, 2000, (1, 2), 20_000)
SERVICES = ("poller", "classifier", "notifier")


def memory(services: Services) -> dict[str, dict[str, int]]:
    """VmRSS / VmHWM (KiB) of the first process of each running service."""
    return {name: memory_kib(services.pids(name)[0]) for name in SERVICES
            if services.pids(name)}


def start_all(client: redis_sync.Redis, services: Services, feed: FeedServer) -> None:
    services.launch("classifier")
    services.launch("notifier")
    wait_ready(client, 2)
    services.launch("poller")
    deadline = time.monotonic() + 30
    while not feed.server.requests and time.monotonic() < deadline:
        time.sleep(0.05)  # the poller's first poll marks the feed's backlog as seen
    time.sleep(2.0)


def latency_part(client: redis_sync.Redis, services: Services, sink: Sink, feed: FeedServer,
                 mix: Mix, plan: Plan) -> dict[str, Any]:
    start_all(client, services, feed)
    out: dict[str, Any] = {"rss_idle_kib": memory(services)}
    out["feed_latency"] = feed_latency(client, sink, feed)
    out["rss_poller_after_feed_kib"] = memory_kib(services.pids("poller")[0])
    services.halt("poller")  # the steady runs bypass it: XADD straight to the stream
    out["latency"] = [steady_latency(client, sink, mix, r, s) for r, s in plan.rates]
    out["rss_after_load_kib"] = memory(services)
    return out


def load_part(client: redis_sync.Redis, url: str, services: Services, mix: Mix,
              plan: Plan) -> dict[str, Any]:
    ceiling = load.ceiling(client, url, load.payloads(mix, plan.articles), 2)
    on = load.scale_out(client, services, mix, plan.articles // 2, plan.workers)
    # The same with clustering off: what the consumption path costs without the clusterer.
    data = yaml.safe_load(services.config.read_text())
    data["classifier"] = {"cluster": {"enabled": False}}
    plain = write_config(services.directory / "config-nocluster.yaml", data)
    off = [{**load.classifier_rate(client, services, mix, plan.articles, n, plain),
            "clustering": "off"} for n in plan.workers]
    for rows in (on, off):
        for row in rows:
            row["vs_ceiling"] = round(row["per_s"] / ceiling["per_s"], 3)
            row["vs_one"] = round(row["per_s"] / rows[0]["per_s"], 2) if rows[0]["per_s"] else 0
    return {"ceiling": ceiling, "throughput": on + off,
            "stream_memory": load.stream_memory(client, mix, plan.memory_articles),
            "events_memory": load.events_memory(client)}


def run(source: Texts, plan: Plan, full: bool) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "redis").mkdir()
        server = start_redis(root / "redis")
        sink = Sink()
        feed = FeedServer(list(reversed(source.alerting)), 0.5, plan.feed_items)
        config = config_data(server.url, root / "data", sink.server.port,
                             f"{feed.server.base}/feed.xml")
        if not full:  # synthetic templates read as a few stories: clustering would fold most
            config["classifier"] = {"cluster": {"enabled": False}}
        services = Services(root, config)
        client = redis_sync.Redis.from_url(server.url)
        mix = Mix(source, f"bench{int(time.time())}")
        try:
            out = latency_part(client, services, sink, feed, mix, plan)
            if full:
                out.update(load_part(client, server.url, services, mix, plan))
        finally:
            services.halt_all()
            sink.close()
            feed.server.server.shutdown()
            client.close()
            server.stop()
    return out


def _mb(kib: dict[str, int], key: str) -> float:
    return round(kib.get(key, 0) / 1024, 1)


def report_latency(out: dict[str, Any]) -> None:
    rows = [[r["rate"], r["seconds"], r["alerting_sent"], r["events"], r.get("n", 0),
             r.get("p50_ms", "-"), r.get("p95_ms", "-"), r.get("p99_ms", "-"),
             r.get("max_ms", "-")] for r in out["latency"]]
    print("\nEnd-to-end latency, XADD to newsalert:articles -> webhook sink (ms)")
    print(table(["articles/s", "s", "alerting", "events", "arrived", "p50", "p95", "p99", "max"],
                rows))
    f = out["feed_latency"]
    print(f"\nFeed item visible -> sink, poll interval 1 s (effective minimum), "
          f"{f['items']} items every {f['item_every_s']} s: arrived {f.get('n', 0)}, "
          f"p50 {f.get('p50_ms')} ms, p95 {f.get('p95_ms')} ms, p99 {f.get('p99_ms')} ms")
    rows = [[name, _mb(out["rss_idle_kib"].get(name, {}), "VmRSS"),
             _mb(out["rss_after_load_kib"].get(name, {}) or out["rss_poller_after_feed_kib"],
                 "VmRSS"),
             _mb(out["rss_after_load_kib"].get(name, {}) or out["rss_poller_after_feed_kib"],
                 "VmHWM")] for name in SERVICES]
    print("\nRSS per service (MB); load = after the 500/s run (poller: after its feed run)")
    print(table(["service", "idle RSS", "load RSS", "peak (VmHWM)"], rows))


def report_load(out: dict[str, Any]) -> None:
    c = out["ceiling"]
    print(f"\nCeiling, raw redis-py XADD + XREADGROUP COUNT 100/XACK, same payloads: "
          f"{c['per_s']:,.0f} articles/s (Redis CPU {c.get('redis_cpu', 0):.2f} cores)")
    rows = [[r["classifiers"], r.get("clustering", "on"), r["articles"], r["per_s"],
             r.get("end_to_end_per_s", "-"), r["vs_ceiling"], r["vs_one"],
             r.get("redis_cpu", "-"), r["classifier_cpu_ms_per_article"]]
            for r in out["throughput"]]
    print(table(["classifiers", "clustering", "articles", "classified/s", "notified/s",
                 "vs ceiling", "vs 1 proc", "Redis CPU", "clf CPU ms/article"], rows))
    s, e = out["stream_memory"], out["events_memory"]
    print(f"\nStream memory: {s['memory_usage_per_100k_mb']} MB per 100k articles "
          f"(MEMORY USAGE; INFO delta {s['used_memory_delta_per_100k_mb']} MB), "
          f"avg payload {s['avg_payload_bytes']} B; events: "
          f"{e.get('memory_usage_per_100k_mb', '-')} MB per 100k; at ARTICLES_MAXLEN "
          f"{streams.ARTICLES_MAXLEN:,}: "
          f"{s['memory_usage_per_100k_mb'] * streams.ARTICLES_MAXLEN / 1e5:,.0f} MB")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="short runs (~1 minute)")
    args = parser.parse_args()
    if find_redis_binary("redis-server") is None:
        print("skipped: redis-server is not installed")
        return 0
    source = texts()
    if source is None:
        print("skipped: ../shared/data absent (set NEWSALERT_SHARED_DATA); latency only, "
              "on synthetic articles")
        source = synthetic()
    plan = QUICK if args.quick else FULL
    print(f"articles: {source.source}: {len(source.alerting):,} alerting, "
          f"{len(source.quiet):,} quiet; mix: {ALERT_SHARE:.0%} alerting")
    real = source.source.startswith("news_pool")
    out = run(source, plan, full=real)
    report_latency(out)
    if "throughput" in out:
        report_load(out)
    # Synthetic figures go to their own section: they must not replace the real ones.
    record("pipeline" if real else "pipeline_synthetic",
           {"quick": args.quick, "articles": source.source, **out})
    return 0


if __name__ == "__main__":
    sys.exit(main())
