"""Chaos-test helpers: the classifier and notifier as processes, alerts in, deliveries counted."""

import contextlib
import json
import os
import re
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from subprocess import Popen

import redis as redis_sync

from shared import streams
from shared.schemas import Article
from tests.pipeline import compose_command, start, stop
from tests.servers import HttpServer

TICKS = os.sysconf("SC_CLK_TCK")
_REF = re.compile(r"ref ([A-Z]\d{4})")
NEVER = "zzqx-never-matches"


def config_text(redis_url: str, sink_port: int, subscriptions: int = 4,
                grace: str = "20s") -> str:
    """A config with one delivering subscription (``desk``) and quiet extra ones.

    The classifier section comes first: a half-written copy that still holds every
    subscription also holds clustering off, as a real file edited top-down would.
    """
    quiet = "".join(f'  - {{name: quiet-{i}, urls: ["json://127.0.0.1:{sink_port}/quiet"], '
                    f"tags: [never-{i}]}}\n" for i in range(1, subscriptions))
    watch = "".join(f'  - {{name: never-{i}, any: ["{NEVER} {i}"]}}\n'
                    for i in range(1, subscriptions))
    return (f"classifier: {{cluster: {{enabled: false}}}}\n"
            f"redis: {{url: \"{redis_url}\"}}\n"
            f"reload_interval: 0.25s\nreload_grace: {grace}\nlog_level: INFO\n"
            f"notifier: {{reclaim_idle: 2s}}\n"
            f"watch:\n{watch}"
            f"subscriptions:\n"
            f'  - {{name: desk, urls: ["json://127.0.0.1:{sink_port}/hook"], '
            f"tags: [military_strike]}}\n{quiet}")


def article(ref: str, **fields: object) -> dict[str, bytes]:
    """A strike report that classifies as military_strike, marked ``ref``."""
    data = {"id": f"chaos-{ref}", "feed": "wire",
            "title": f"Drones struck a weapons depot near Mosul, officials said (ref {ref})",
            **fields}
    return {"__data__": Article.model_validate(data).model_dump_json().encode()}


def refs_delivered(sink: HttpServer) -> Counter[str]:
    """How many times each ref reached the desk hook."""
    counts: Counter[str] = Counter()
    for request in list(sink.requests):
        if request["method"] == "POST" and request["path"] == "/hook":
            body = json.loads(request["body"])
            found = _REF.search(body.get("title", "") + " " + body.get("message", ""))
            if found:
                counts[found.group(1)] += 1
    return counts


@dataclass
class Row:
    """One chaos row: alerts sent, delivered, lost and duplicated."""

    what: str
    refs: list[str] = field(default_factory=list)
    lost: int = 0
    duplicated: int = 0

    def settle(self, sink: HttpServer, within: float = 60.0) -> "Row":
        """Wait until every ref arrived (or ``within`` passed), then count."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            counts = refs_delivered(sink)
            if all(counts[r] for r in self.refs):
                break
            time.sleep(0.2)
        time.sleep(1.0)  # a duplicate would show up right after
        counts = refs_delivered(sink)
        self.lost = sum(1 for r in self.refs if not counts[r])
        self.duplicated = sum(max(0, counts[r] - 1) for r in self.refs)
        return self


def cpu_seconds(process: "Popen[bytes]") -> float:
    """User + system CPU time the process has used so far."""
    fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def rss_mb(process: "Popen[bytes]") -> float:
    """Resident memory of the process, in MB."""
    for line in Path(f"/proc/{process.pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


@contextlib.contextmanager
def services(config: Path, logs: Path) -> Iterator[dict[str, "Popen[bytes]"]]:
    """The classifier and the notifier as compose runs them; stopped (SIGTERM) on leaving."""
    procs = {name: start(compose_command(name), config, logs / f"{name}.log")
             for name in ("classifier", "notifier")}
    try:
        yield procs
    finally:
        for proc in procs.values():
            stop(proc)


def warm_up(redis_url: str, sink: HttpServer, procs: dict[str, "Popen[bytes]"]) -> None:
    """One alert end to end: both services are up and subscribed before the chaos starts."""
    client = redis_sync.Redis.from_url(redis_url)
    client.xadd(streams.ARTICLES, article("W0000"))  # type: ignore[arg-type]
    client.close()
    row = Row("warm-up", ["W0000"]).settle(sink, within=90)
    assert all(p.poll() is None for p in procs.values()), "a service exited"
    assert row.lost == 0, "the pipeline delivers before the chaos starts"
