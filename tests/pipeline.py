"""Helpers to run newsalert's services as separate processes, the way compose runs them."""

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import redis as redis_sync
import yaml

from services.classifier.clustering.redis_store import PREFIX
from tests.servers import HttpServer, Route
from tests.support import eventually_sync

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = ROOT / "deploy" / "compose.yaml"


def compose_command(service: str) -> list[str]:
    """The exact ``command:`` of a compose service, with ``newsalert`` resolved locally."""
    spec = yaml.safe_load(COMPOSE.read_text())["services"][service]
    command = [str(c) for c in spec["command"]]
    assert command[0] == "newsalert"
    local = Path(sys.executable).parent / "newsalert"
    head = [str(local)] if local.exists() else [sys.executable, "-m", "services.cli"]
    return head + command[1:]


def write_config(path: Path, data: dict[str, Any]) -> Path:
    """Write a YAML config file."""
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def start(command: list[str], config: Path, log: Path, extra_env: dict[str, str] | None = None,
          ) -> "subprocess.Popen[bytes]":
    """Start a service process with its config; output goes to ``log``."""
    env = {**os.environ, "NEWSALERT_CONFIG": str(config), **(extra_env or {})}
    with log.open("ab") as handle:  # the child keeps its own descriptor
        return subprocess.Popen(command, env=env, stdout=handle, stderr=subprocess.STDOUT,
                                cwd=ROOT)


def stop(process: "subprocess.Popen[bytes]", timeout: float = 30) -> int:
    """SIGTERM, wait for a graceful exit, return the exit code (kill if it hangs)."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            return -9
    return int(process.returncode)


SERVICES = ("classifier", "notifier", "poller")


@contextlib.contextmanager
def compose_services(config: Path, logs: Path, extra_env: dict[str, str] | None = None,
                     ) -> Iterator[dict[str, int]]:
    """Run the three compose services as processes (logs in ``logs/<name>.log``); on leaving,
    stop them and fill the yielded dict with their exit codes."""
    procs = {name: start(compose_command(name), config, logs / f"{name}.log", extra_env)
             for name in SERVICES}
    codes: dict[str, int] = {}
    try:
        yield codes
    finally:
        codes.update({name: stop(proc) for name, proc in procs.items()})


def rss_item(outlet: int, slug: str, story: tuple[str, str], when: datetime) -> str:
    """One RSS <item> of outlet number ``outlet`` (title, summary) published ``when``."""
    title, summary = story
    return (f"<item><title>{title}</title><link>http://outlet{outlet}.test/{slug}</link>"
            f"<guid>outlet{outlet}-{slug}</guid><pubDate>{format_datetime(when, usegmt=True)}"
            f"</pubDate><description>{summary}</description></item>")


def serve_outlets(http_server: Callable[[Route], HttpServer], outlets: tuple[str, ...],
                  items: Callable[[], list[list[str]]]) -> HttpServer:
    """A feed server with ``/outlet<i>.xml`` for each outlet; ``items()`` gives each
    outlet's current <item>s, so a test can publish more between polls."""
    def route(path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
        index = int(path.strip("/").split(".")[0].removeprefix("outlet"))
        xml = (f'<?xml version="1.0"?><rss version="2.0"><channel><title>{outlets[index]}'
               f"</title><link>http://outlet{index}.test/</link><description>t</description>"
               + "".join(items()[index]) + "</channel></rss>")
        return 200, {"Content-Type": "application/rss+xml; charset=utf-8"}, xml.encode()
    return http_server(route)


def cluster_reports(redis_url: str) -> dict[str, int]:
    """Reports per cluster id, straight from the cluster store."""
    client = redis_sync.Redis.from_url(redis_url)
    try:
        keys = [k.decode() if isinstance(k, bytes) else str(k)
                for k in client.keys(f"{PREFIX}c:*:members")]
        return {k.split(":")[3]: int(client.llen(k)) for k in keys}
    finally:
        client.close()


def wait_reports(redis_url: str, total: int, timeout: float) -> dict[str, int]:
    """Reports per cluster once ``total`` are stored (fails after ``timeout``)."""
    def stored() -> dict[str, int] | None:
        counts = cluster_reports(redis_url)
        return counts if sum(counts.values()) >= total else None

    return eventually_sync(stored, timeout, what=f"{total} reports in the cluster store")


def outlets_config(feed: HttpServer, sink: HttpServer, redis_url: str, data_dir: Path,
                   outlets: tuple[str, ...], tags: list[str]) -> dict[str, Any]:
    """A config polling each outlet of ``serve_outlets`` every 2 s (backlog alerted) with
    one webhook subscription to ``tags``."""
    return {
        "data_dir": str(data_dir), "log_level": "DEBUG", "redis": {"url": redis_url},
        "poller": {"allow_private_hosts": ["127.0.0.1"]},
        "feeds": [{"url": f"{feed.base}/outlet{i}.xml", "name": name, "interval": "2s",
                   "backfill": 10} for i, name in enumerate(outlets)],
        "subscriptions": [{"name": "desk", "urls": [f"json://127.0.0.1:{sink.port}/hook"],
                           "tags": tags}],
    }
