"""Configured secrets never appear in logs, metrics, DLQ entries, status or AsyncAPI docs."""

import argparse
import urllib.request
from pathlib import Path

import pytest
import redis as redis_sync

from services.asyncapi import write_all
from services.status import add_commands
from shared import streams
from shared.schemas import Article
from tests.pipeline import compose_command, start, stop, write_config
from tests.servers import RedisServer, free_port
from tests.support import eventually_sync

pytestmark = pytest.mark.slow
HOOK_SECRET = "hook-s3cret-7f3a9c"
REDIS_PASSWORD = "redis-pw-91b2e4d"
APPS = ("classifier", "notifier", "poller")


def _metrics(port: int) -> str:
    def read() -> str | None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as resp:
                return str(resp.read().decode())
        except OSError:  # not listening yet
            return None

    return eventually_sync(read, 20, what=f"/metrics answering on port {port}")


def _status_outputs(config: Path, capsys: pytest.CaptureFixture[str]) -> str:
    parser = argparse.ArgumentParser()
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", type=Path, default=None)
    add_commands(parser.add_subparsers(dest="command"), common)
    outputs = []
    for extra in (["--json"], []):
        args = parser.parse_args(["status", "--config", str(config), *extra])
        assert args.func(args) == 0
        outputs.append(capsys.readouterr().out)
    return "\n".join(outputs)


def test_no_secret_anywhere(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                            monkeypatch: pytest.MonkeyPatch) -> None:
    """A ${VAR} webhook secret and the Redis password stay out of every output."""
    server = RedisServer(free_port(), tmp_path)
    server.start()
    admin = redis_sync.Redis(port=server.port)
    admin.config_set("requirepass", REDIS_PASSWORD)
    url = f"redis://:{REDIS_PASSWORD}@127.0.0.1:{server.port}/0"
    ports = {n: free_port() for n in APPS}
    config = write_config(tmp_path / "config.yaml", {
        "redis": {"url": url}, "data_dir": str(tmp_path / "data"), "log_level": "DEBUG",
        "watch": [{"name": "zanzibar", "any": ["Zanzibar"]}],
        "subscriptions": [{"name": "desk", "tags": ["zanzibar"], "urls": [
            f"json://user:${{HOOK_SECRET}}@127.0.0.1:{free_port()}/hook?token=${{HOOK_SECRET}}"]}],
        "notifier": {"max_attempts": 2, "retry_base": "0.1s", "retry_max": "0.2s"},
        "metrics": {"enabled": True, **{f"{n}_port": p for n, p in ports.items()}}})
    env = {"HOOK_SECRET": HOOK_SECRET}
    monkeypatch.setenv("HOOK_SECRET", HOOK_SECRET)
    procs = [start(compose_command(n), config, tmp_path / f"{n}.log", env) for n in APPS]
    client = redis_sync.Redis.from_url(url)
    try:
        texts = [_metrics(p) for p in ports.values()]
        client.xadd(streams.ARTICLES, {"__data__": Article(id="s", feed="t", title="Zanzibar")
                                       .model_dump_json()})
        eventually_sync(lambda: client.xlen(streams.DLQ), 30, what="a dead-lettered delivery")
        assert client.xlen(streams.DLQ) == 1, "the failing delivery was dead-lettered"
        texts += [_metrics(p) for p in ports.values()]
        texts.append(repr(client.xrange(streams.DLQ)))
        texts.append(_status_outputs(config, capsys))
    finally:
        for proc in procs:
            stop(proc)
        client.close()
        admin.close()
        server.stop()
    texts += [(tmp_path / f"{n}.log").read_text() for n in APPS]
    texts += [p.read_text() for p in write_all(tmp_path / "docs")]
    # Every document under docs/ (screenshots decoded leniently: they are bytes, not text).
    texts += [p.read_bytes().decode(errors="replace")
              for p in (Path(__file__).resolve().parents[2] / "docs").rglob("*.*")]
    everything = "\n".join(texts)
    assert "delivery dead-lettered" in everything, "the logs did cover the failure"
    for secret in (HOOK_SECRET, REDIS_PASSWORD):
        assert secret not in everything
