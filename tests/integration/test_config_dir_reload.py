"""Compose mounts the config *directory*: an editor's save-by-rename reaches the running
notifier. A single-file bind mount pins the old inode; a hard link shows the same effect."""

import os
from pathlib import Path
from typing import Any

import pytest
import redis as redis_sync
import yaml

from shared import streams
from shared.schemas import Article, Event, Tag
from tests.pipeline import compose_command, start, stop
from tests.servers import HttpServer
from tests.support import eventually_sync

pytestmark = pytest.mark.slow


def _config(redis_url: str, sink: HttpServer, path: str) -> dict[str, Any]:
    return {"redis": {"url": redis_url}, "reload_interval": "0.2s",
            "subscriptions": [{"name": "desk", "urls": [f"json://127.0.0.1:{sink.port}{path}"],
                               "tags": ["military_strike"]}]}


def _save_by_rename(target: Path, data: dict[str, Any]) -> None:
    """What vim, VS Code and `newsalert feeds import` do: write a sibling, rename it over."""
    temporary = target.with_name(f".{target.name}.swp")
    temporary.write_text(yaml.safe_dump(data, sort_keys=False))
    os.replace(temporary, target)


def _publish(redis_url: str, n: int) -> None:
    event = Event(id=f"reload-{n}", article=Article(id=f"a{n}", feed="wire",
                                                    url=f"https://example.org/{n}",
                                                    title=f"Strike number {n}"),
                  tags=[Tag(name="military_strike", confidence=0.9)])
    client = redis_sync.Redis.from_url(redis_url)
    client.xadd(streams.EVENTS, {"__data__": event.model_dump_json()})
    client.close()


def test_rename_save_in_mounted_directory_reaches_the_notifier(
        tmp_path: Path, redis_url: str, webhook_sink: HttpServer) -> None:
    """After a rename-save of /etc/newsalert/config.yaml (here a temp dir), the running
    notifier delivers to the new URL; a file pinned by inode still shows the old text."""
    mounted = tmp_path / "etc-newsalert"
    mounted.mkdir()
    config = mounted / "config.yaml"
    config.write_text(yaml.safe_dump(_config(redis_url, webhook_sink, "/old")))
    pinned = tmp_path / "single-file-mount.yaml"
    os.link(config, pinned)  # what a single-file bind mount keeps: the original inode
    log = tmp_path / "notifier.log"
    proc = start(compose_command("notifier"), config, log)
    try:
        _publish(redis_url, 1)
        eventually_sync(lambda: [r["path"] for r in webhook_sink.requests] == ["/old"], 30,
                        what="first alert at the old URL", detail=log.read_text)
        _save_by_rename(config, _config(redis_url, webhook_sink, "/new"))
        eventually_sync(lambda: "config reloaded" in log.read_text(), 15,
                        what="the reload log line", detail=log.read_text)
        _publish(redis_url, 2)
        eventually_sync(lambda: len(webhook_sink.requests) == 2, 30,
                        what="second alert", detail=log.read_text)
    finally:
        code = stop(proc)
    assert [r["path"] for r in webhook_sink.requests] == ["/old", "/new"]
    assert code == 0
    assert "/old" in pinned.read_text() and "/new" in config.read_text()
