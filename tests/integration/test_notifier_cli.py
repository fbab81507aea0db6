"""``newsalert notify-test`` and ``newsalert dlq list|retry`` against a real Redis and sinks."""

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import cast

import pytest
import redis as redis_sync

from services.cli import main
from services.notifier.delivery import DeliveryStore, Job, url_id
from services.notifier.dispatch import Dispatcher
from shared import streams
from shared.broker import ensure_groups, make_redis
from shared.deadletter import dead_letter
from shared.loading import load_config
from shared.schemas import Article, Event
from tests.pipeline import write_config
from tests.servers import HttpServer, Route, json_bodies


def cli_config(tmp_path: Path, redis_url: str, sub_urls: dict[str, list[str]]) -> Path:
    """A config file whose redis.url is the test Redis."""
    return write_config(tmp_path / "config.yaml", {
        "redis": {"url": redis_url},
        "subscriptions": [{"name": n, "urls": u} for n, u in sub_urls.items()],
    })


def run(config: Path, *args: str) -> int:
    """``newsalert --config CONFIG ARGS...``"""
    return main(["--config", str(config), *args])


def test_notifier_notify_test_all_ok(tmp_path: Path, redis_url: str,
                                     webhook_sink: HttpServer,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    """notify-test reports OK per URL and exits 0 when every URL accepted the sample."""
    urls = [f"json://127.0.0.1:{webhook_sink.port}/a", f"json://127.0.0.1:{webhook_sink.port}/b"]
    config = cli_config(tmp_path, redis_url, {"desk": urls})
    assert run(config, "notify-test", "desk") == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line[:4] for line in lines] == ["OK  ", "OK  "]
    assert {r["path"] for r in webhook_sink.requests} == {"/a", "/b"}
    assert all("TEST:" in b["title"] for b in json_bodies(webhook_sink))


def test_notifier_notify_test_reports_failure(
        tmp_path: Path, redis_url: str, webhook_sink: HttpServer,
        http_server: Callable[[Route], HttpServer], capsys: pytest.CaptureFixture[str]) -> None:
    """One failing URL: a FAIL line, a summary on stderr, exit 1; an unknown name: exit 2."""
    broken = http_server(lambda p, h, b: (500, {}, b"down"))
    urls = [f"json://127.0.0.1:{webhook_sink.port}/ok", f"json://127.0.0.1:{broken.port}/x"]
    config = cli_config(tmp_path, redis_url, {"desk": urls})
    assert run(config, "notify-test", "desk") == 1
    captured = capsys.readouterr()
    out = captured.out.splitlines()
    assert out[0].startswith("OK  ") and out[1].startswith("FAIL") and "500" in out[1]
    assert captured.err.strip() == "error: 1 of 2 URL(s) of 'desk' failed"
    assert run(config, "notify-test", "desk", "--json") == 1
    results = json.loads(capsys.readouterr().out)["results"]
    assert [r["ok"] for r in results] == [True, False] and "500" in results[1]["detail"]
    assert run(config, "notify-test", "nobody") == 2
    captured = capsys.readouterr()
    assert "configured: desk" in captured.err and captured.out == "", "errors go to stderr"


async def _seed_dlq(redis_url: str, url: str) -> None:
    """One dead delivery (from the notifier) and one dead stream message (from consume)."""
    redis = make_redis(redis_url)
    event = Event(id="dlq-ev-1", article=Article(id="a", feed="f", url="https://w.test/d/1",
                                                 title="Strike"))
    job = Job("desk", url_id(url), event.id, 5, event.model_dump_json())
    await DeliveryStore(redis).dead_letter(job, "HTTP 500", "json")
    await ensure_groups(redis)
    await redis.xadd(streams.ARTICLES, {"__data__": b'{"id": "art-9"}'}, id="1-0")
    await redis.xreadgroup(streams.CLASSIFIER_GROUP, "c", {streams.ARTICLES: ">"})
    assert await dead_letter(redis, source=streams.ARTICLES, group=streams.CLASSIFIER_GROUP,
                             message_id="1-0", reason="failed 8 deliveries", deliveries=9,
                             body=b'{"id": "art-9"}')
    await redis.aclose()


def dlq_ids(redis_url: str) -> list[str]:
    """Ids of the DLQ entries, oldest first."""
    client = redis_sync.Redis.from_url(redis_url)
    entries = cast(list[tuple[bytes, dict[bytes, bytes]]], client.xrange(streams.DLQ))
    ids = [mid.decode() for mid, _ in entries]
    client.close()
    return ids


def test_notifier_dlq_list_and_retry(tmp_path: Path, redis_url: str, webhook_sink: HttpServer,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    """dlq list shows both entries; retry ID re-schedules the delivery; --all re-publishes."""
    url = f"json://127.0.0.1:{webhook_sink.port}/hook"
    config = cli_config(tmp_path, redis_url, {"desk": [url]})
    asyncio.run(_seed_dlq(redis_url, url))
    delivery_id, message_id = dlq_ids(redis_url)
    assert run(config, "dlq", "list") == 0
    listed = capsys.readouterr().out.splitlines()
    assert json.loads(listed[0].split(" ", 1)[1])["source"] == "delivery"
    assert json.loads(listed[1].split(" ", 1)[1])["source"] == streams.ARTICLES
    assert listed[2].startswith("2 entr")
    assert run(config, "dlq", "list", "--json") == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["total"] == 2 and [e["id"] for e in doc["entries"]] == [delivery_id, message_id]
    assert run(config, "dlq", "retry", delivery_id) == 0
    assert dlq_ids(redis_url) == [message_id]
    asyncio.run(_deliver_retries(config))
    assert [b["message"].count("https://w.test/d/1") for b in json_bodies(webhook_sink)] == [1]
    assert run(config, "dlq", "retry", "--all") == 0
    assert dlq_ids(redis_url) == []
    client = redis_sync.Redis.from_url(redis_url)
    back = cast(list[tuple[bytes, dict[bytes, bytes]]], client.xrange(streams.ARTICLES))
    client.close()
    # The original entry (id 1-0, settled by dead-lettering) and its re-published copy.
    assert [fields[b"__data__"] for _, fields in back] == [b'{"id": "art-9"}'] * 2
    assert back[0][0] == b"1-0"
    assert run(config, "dlq", "retry", "0-1") == 1, "an unknown id is an error"


async def _deliver_retries(config: Path) -> None:
    """One pass of the notifier's retry loop (what a running notifier does every 0.5 s)."""
    app_config = load_config(config, env={})
    redis = make_redis(str(app_config.redis.url))
    dispatcher = Dispatcher(app_config, DeliveryStore(redis))
    assert await dispatcher.retry_due() == 1
    assert await dispatcher.store.pending_retries() == 0
    await redis.aclose()
