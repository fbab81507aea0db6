"""Redis restarted with AOF (workers resume, nothing lost) and empty (no hot loop)."""

import contextlib
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis as redis_sync

from shared import streams
from shared.schemas import Article
from tests.pipeline import start, stop, write_config
from tests.servers import HttpServer, RedisServer, free_port

pytestmark = pytest.mark.slow
# What `newsalert <service>` does once services/cli.py returns shared.ops.exit_code().
RUNNER = ("import asyncio, importlib, sys\n"
          "from shared.loading import load_config\n"
          "from shared.logs import configure_logging\n"
          "from shared.ops import exit_code\n"
          "config = load_config()\n"
          "configure_logging(config.log_level)\n"
          "app = importlib.import_module(f'services.{sys.argv[1]}.app').create_app(\n"
          "    config, config.redis.url)\n"
          "asyncio.run(app.run())\n"
          "sys.exit(exit_code())\n")
APPS = ("classifier", "notifier")


@pytest.fixture(name="own_redis")
def _own_redis(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[RedisServer]:
    server = RedisServer(free_port(), tmp_path / "redis", appendonly=request.param)
    server.directory.mkdir()
    server.start()
    yield server
    server.stop()


def _start_apps(tmp: Path, server: RedisServer,
                sink: HttpServer) -> dict[str, "subprocess.Popen[bytes]"]:
    config = write_config(tmp / "config.yaml", {
        "redis": {"url": server.url}, "data_dir": str(tmp / "data"),
        "watch": [{"name": "zanzibar", "any": ["Zanzibar"]}],
        "subscriptions": [{"name": "desk", "urls": [f"json://127.0.0.1:{sink.port}/hook"],
                           "tags": ["zanzibar"]}],
    })
    return {n: start([sys.executable, "-c", RUNNER, n], config, tmp / f"{n}.log") for n in APPS}


def _publish(client: "redis_sync.Redis[bytes]", first: int, count: int) -> None:
    for i in range(first, first + count):
        article = Article(id=f"a{i}", feed="t", title=f"Zanzibar story {i}")
        client.xadd(streams.ARTICLES, {"__data__": article.model_dump_json()})


def _ensure(client: "redis_sync.Redis[bytes]") -> None:
    for stream, group in streams.GROUPS:
        with contextlib.suppress(redis_sync.ResponseError):
            client.xgroup_create(stream, group, id="0", mkstream=True)


@pytest.mark.parametrize("own_redis", [True], indirect=True)
def test_aof_restart_resumes_without_loss(tmp_path: Path, own_redis: RedisServer,
                                          webhook_sink: HttpServer) -> None:
    """With AOF, workers resume within 10 s of Redis coming back and every alert arrives."""
    client = redis_sync.Redis.from_url(own_redis.url)
    _ensure(client)
    procs = _start_apps(tmp_path, own_redis, webhook_sink)
    try:
        _publish(client, 0, 5)
        assert len(webhook_sink.wait_for(5, timeout=30)) == 5
        own_redis.stop(kill=True)
        time.sleep(2.0)
        own_redis.start()
        back = time.monotonic()
        _publish(client, 5, 5)
        webhook_sink.wait_for(10, timeout=20)
        resumed = time.monotonic() - back
        sys.stderr.write(f"resumed {resumed:.1f} s after restart\n")
        assert len(webhook_sink.requests) == 10 and resumed <= 10.0
        assert all(p.poll() is None for p in procs.values()), "workers kept running"
    finally:
        codes = [stop(p) for p in procs.values()]
        client.close()
    assert codes == [0, 0]


def _read_calls(client: "redis_sync.Redis[bytes]") -> int:
    stats = client.info("commandstats")
    return sum(int(stats.get(f"cmdstat_{c}", {}).get("calls", 0))
               for c in ("xreadgroup", "xautoclaim", "xinfo|groups"))


@pytest.mark.parametrize("own_redis", [False], indirect=True)
def test_empty_restart_recreates_or_exits(tmp_path: Path, own_redis: RedisServer,
                                          webhook_sink: HttpServer) -> None:
    """Without persistence, workers exit non-zero or recreate groups ≤ 30 s; no hot loop."""
    client = redis_sync.Redis.from_url(own_redis.url)
    _ensure(client)
    procs = _start_apps(tmp_path, own_redis, webhook_sink)
    try:
        _publish(client, 0, 2)
        assert len(webhook_sink.wait_for(2, timeout=30)) == 2
        own_redis.stop(kill=True)
        own_redis.start()
        back = time.monotonic()
        while time.monotonic() - back < 30:
            exited = all(p.poll() not in (None, 0) for p in procs.values())
            groups = client.exists(streams.ARTICLES, streams.EVENTS) == 2 and all(
                client.xinfo_groups(s) for s, _ in streams.GROUPS)
            if exited or groups:
                break
            time.sleep(0.2)
        sys.stderr.write(f"reacted {time.monotonic() - back:.1f} s after restart; codes "
                         f"{[p.poll() for p in procs.values()]}\n")
        assert exited or groups
        before = _read_calls(client)
        time.sleep(10)
        calls = _read_calls(client) - before
        sys.stderr.write(f"stream reads in 10 s idle: {calls}\n")
        sys.stderr.write(f"codes after idle: {[p.poll() for p in procs.values()]}\n")
        assert calls < 200
        assert all(p.poll() in (None, 3, 4) for p in procs.values())
        # The supervisor restarts exited workers; new alerts flow again.
        procs = {n: (p if p.poll() is None else _restart(tmp_path, n))
                 for n, p in procs.items()}
        _publish(client, 2, 1)
        assert len(webhook_sink.wait_for(3, timeout=15)) == 3
    finally:
        for proc in procs.values():
            stop(proc)
        client.close()


def _restart(tmp: Path, name: str) -> "subprocess.Popen[bytes]":
    return start([sys.executable, "-c", RUNNER, name], tmp / "config.yaml", tmp / f"{name}.log")
