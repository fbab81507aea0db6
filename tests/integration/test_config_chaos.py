"""Chaos rows of issue 15 against the classifier and notifier processes, real Redis and sink.

Each row counts the alerts sent while the fault lasts and how many reached the webhook sink
missing or twice: every row must end 0 lost, 0 duplicated, with no process above 1 s of CPU
for a hostile entry and none frozen (each exits cleanly on SIGTERM at the end).
"""

import os
import random
import threading
import time
from collections.abc import Callable
from pathlib import Path
from subprocess import Popen

import pytest
import redis as redis_sync

from shared import streams
from tests.chaos import Row, article, config_text, cpu_seconds, rss_mb, services, warm_up
from tests.pipeline import stop
from tests.servers import HttpServer

pytestmark = pytest.mark.integration


def _flow(client: redis_sync.Redis, row: Row, prefix: str, count: int, seconds: float,
          **fields: object) -> None:
    """XADD ``count`` strike reports spread over ``seconds``."""
    for n in range(count):
        ref = f"{prefix}{n:04d}"
        row.refs.append(ref)
        client.xadd(streams.ARTICLES, article(ref, **fields))  # type: ignore[arg-type]
        time.sleep(seconds / count)


def _during(action: Callable[[], None], client: redis_sync.Redis, row: Row, prefix: str,
            count: int, seconds: float) -> None:
    """Run ``action`` in a thread while alerts flow."""
    worker = threading.Thread(target=action)
    worker.start()
    _flow(client, row, prefix, count, seconds)
    worker.join()


def _bomb() -> str:
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, 10)]
    return "\n".join(lines) + "\n"


def _fifo(path: Path) -> None:
    path.unlink()
    os.mkfifo(path)


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _write(path: Path, text: str) -> Callable[[], None]:
    def write() -> None:
        path.write_text(text)
    return write


def _hostile_entry_cpu(client: redis_sync.Redis, procs: dict[str, "Popen[bytes]"],
                       ) -> dict[str, float]:
    """CPU seconds each process spent from XADDing a 1 MB-id entry until it is in the DLQ."""
    before = {name: cpu_seconds(p) for name, p in procs.items()}
    parked = client.xlen(streams.DLQ)
    client.xadd(streams.ARTICLES, {"__data__": b'{"id": "' + b"x" * (1 << 20)
                                   + b'", "feed": "f", "title": "Drones struck"}'})
    deadline = time.monotonic() + 30
    while client.xlen(streams.DLQ) == parked and time.monotonic() < deadline:
        time.sleep(0.1)
    assert client.xlen(streams.DLQ) == parked + 1, "the entry is parked once, with its reason"
    return {name: cpu_seconds(p) - before[name] for name, p in procs.items()}


def _swap(path: Path, good: str, bad: Callable[[], None], hold: float) -> Callable[[], None]:
    """An action that puts a bad file in place for ``hold`` seconds, then restores ``good``."""
    def action() -> None:
        bad()
        time.sleep(hold)
        if path.is_fifo():
            path.unlink()
        path.write_text(good)
    return action


def test_config_and_entry_chaos_rows_lose_nothing(tmp_path: Path, redis_url: str,
                                                  webhook_sink: HttpServer) -> None:
    """Truncation, 1 MB id, alias bomb, 50 MB file, FIFO, naive date: 0 lost, 0 duplicated."""
    path = tmp_path / "config.yaml"
    good = config_text(redis_url, webhook_sink.port)
    path.write_text(good)
    client = redis_sync.Redis.from_url(redis_url)
    rows: list[Row] = []
    with services(path, tmp_path) as procs:
        warm_up(redis_url, webhook_sink, procs)
        row = Row("config truncated to 0 bytes for 5 s")
        _during(_swap(path, good, lambda: _empty(path), 5.0), client, row, "T", 100, 6)
        rows.append(row.settle(webhook_sink))

        row = Row("one entry with a 1 MB id among good ones")
        spent = _hostile_entry_cpu(client, procs)
        _flow(client, row, "I", 50, 2)
        rows.append(row.settle(webhook_sink))

        row = Row("YAML alias bomb swapped in by hot reload for 4 s")
        _during(_swap(path, good, _write(path, _bomb()), 4.0), client, row, "B",
                50, 5)
        rows.append(row.settle(webhook_sink))
        rss = {name: rss_mb(p) for name, p in procs.items()}

        row = Row("50 MB config swapped in for 4 s")
        big = _write(path, good + "#" + "x" * (50 << 20) + "\n")
        _during(_swap(path, good, big, 4.0), client, row, "L", 50, 5)
        rows.append(row.settle(webhook_sink))

        row = Row("a FIFO swapped in for 3 s")
        _during(_swap(path, good, lambda: _fifo(path), 3.0), client, row, "F", 30, 4)
        rows.append(row.settle(webhook_sink))

        row = Row("strike article whose published has no timezone")
        _flow(client, row, "N", 10, 1, published="2024-01-23T10:00:00")
        rows.append(row.settle(webhook_sink))
        codes = {name: stop(p) for name, p in procs.items()}
    client.close()
    logs = (tmp_path / "classifier.log").read_text() + (tmp_path / "notifier.log").read_text()
    table = "\n".join(f"{r.what}: sent {len(r.refs)}, lost {r.lost}, duplicated {r.duplicated}"
                      for r in rows)
    print(f"\n{table}\nCPU for the 1 MB id entry: {spent}\nRSS after the bomb: {rss}")
    assert all(r.lost == 0 and r.duplicated == 0 for r in rows), table
    assert all(seconds < 1.0 for seconds in spent.values()), spent
    assert all(mb < 400 for mb in rss.values()), rss
    assert codes == {"classifier": 0, "notifier": 0}, "both stop cleanly on SIGTERM"
    assert "CONFIG EDIT HELD BACK" in logs and "alias bomb" in logs
    assert "larger than the 5 MB limit" in logs and "is a FIFO" in logs


def _storm(path: Path, good: str, edits: int, seconds: float) -> Callable[[], None]:
    """In-place edits: complete copies, truncations and half-written files, in random order."""
    rng = random.Random(15)

    def action() -> None:
        for n in range(edits):
            # Every 30th edit is a complete one left alone for 0.6 s: it must apply.
            settle = n % 30 == 29
            kind = "full" if settle else rng.choice(["full", "full", "empty", "half", "slow"])
            with path.open("w") as handle:  # truncates in place, as most editors and cp do
                if kind == "half":
                    handle.write(good[: rng.randrange(1, len(good))])
                elif kind == "slow":
                    cut = rng.randrange(1, len(good))
                    handle.write(good[:cut])
                    handle.flush()
                    time.sleep(seconds / edits / 2)
                    handle.write(good[cut:])
                elif kind == "full":
                    handle.write(good.replace("log_level: INFO", f"log_level: INFO  # {n}"))
            # Irregular gaps (0 to 0.16 s) between the others: too short to look settled.
            time.sleep(0.6 if settle else rng.uniform(0, 1.6 * (seconds - 6) / edits))
        path.write_text(good)
    return action


def test_config_storm_300_edits_while_300_alerts_flow(tmp_path: Path, redis_url: str,
                                                      webhook_sink: HttpServer) -> None:
    """300 in-place edits in 30 s (truncations, half-written files) while 300 alerts flow."""
    path = tmp_path / "config.yaml"
    good = config_text(redis_url, webhook_sink.port)
    path.write_text(good)
    client = redis_sync.Redis.from_url(redis_url)
    with services(path, tmp_path) as procs:
        warm_up(redis_url, webhook_sink, procs)
        row = Row("config storm")
        _during(_storm(path, good, 300, 30.0), client, row, "S", 300, 30)
        row.settle(webhook_sink, within=90)
        codes = {name: stop(p) for name, p in procs.items()}
    client.close()
    applied = (tmp_path / "notifier.log").read_text().count("config reloaded")
    print(f"\nstorm: sent {len(row.refs)}, lost {row.lost}, duplicated {row.duplicated}, "
          f"edits applied by the notifier {applied}")
    assert (len(row.refs), row.lost, row.duplicated) == (300, 0, 0)
    assert codes == {"classifier": 0, "notifier": 0}
    assert applied >= 5, "the complete edits that settled were applied"
