"""End-to-end latency: XADD (or a feed item appearing) → the webhook sink, per alert.

Every article carries its sequence number in its link (``/a/<n>``, feed items ``/f/<n>``),
which the notifier renders into the alert, so the sink can match each arrival to its send.
"""

import math
import re
import threading
import time
from xml.sax.saxutils import escape

import redis as redis_sync
from pipeline_data import Mix
from pipeline_procs import wait_drained

from shared import streams
from tests.servers import HttpServer, serve

_SEQ = re.compile(rb"bench\.example/([af])/(\d+)")


class Sink:
    """A local webhook sink that stamps each alert's arrival with time.time()."""

    def __init__(self) -> None:
        self.arrived: dict[tuple[str, int], float] = {}
        self._lock = threading.Lock()
        self.server: HttpServer = serve(self._route)

    def _route(self, path: str, headers: dict[str, str], body: bytes,
               ) -> tuple[int, dict[str, str], bytes]:
        now = time.time()
        match = _SEQ.search(body)
        if match:
            with self._lock:
                self.arrived.setdefault((match[1].decode(), int(match[2])), now)
        return 200, {"Content-Type": "application/json"}, b"{}"

    def close(self) -> None:
        self.server.server.shutdown()


def percentiles(values: list[float]) -> dict[str, float | int]:
    """Nearest-rank p50/p95/p99 and the maximum, in ms; n is the sample count."""
    ordered = sorted(values)
    if not ordered:
        return {"n": 0}

    def rank(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1)] * 1000, 1)

    return {"n": len(ordered), "p50_ms": rank(0.50), "p95_ms": rank(0.95),
            "p99_ms": rank(0.99), "max_ms": rank(1.0)}


def publish_steady(client: redis_sync.Redis, mix: Mix, rate: float, seconds: float,
                   ) -> dict[int, float]:
    """XADD ``rate`` articles/s for ``seconds``; the send time of every alerting one."""
    tick = max(0.01, 1.0 / rate)
    total, sent, done = int(rate * seconds), {}, 0
    start = time.monotonic()
    while done < total:
        due = min(total, int((time.monotonic() - start) * rate) + 1)
        pipe = client.pipeline(transaction=False)
        batch = []
        for seq, alerting, body in mix.take(due - done):
            pipe.xadd(streams.ARTICLES, {"__data__": body}, maxlen=streams.ARTICLES_MAXLEN,
                      approximate=True)
            batch.append((seq, alerting))
        stamp = time.time()
        pipe.execute()
        sent.update({seq: stamp for seq, alerting in batch if alerting})
        done = due
        time.sleep(max(0.0, start + done / rate - time.monotonic()) or tick / 10)
    return sent


def settle(client: redis_sync.Redis, timeout: float = 30.0) -> bool:
    """Wait until classifier and notifier have acked everything published so far."""
    ok = wait_drained(client, streams.ARTICLES, streams.CLASSIFIER_GROUP, timeout) is not None
    ok = ok and wait_drained(client, streams.EVENTS, streams.NOTIFIER_GROUP, timeout) is not None
    time.sleep(0.3)  # the notifier acks after the POST returned; let the sink thread record
    return ok


def steady_latency(client: redis_sync.Redis, sink: Sink, mix: Mix, rate: float,
                   seconds: float) -> dict[str, float | int]:
    """Latency figures of one steady rate; alerts folded by clustering simply do not arrive."""
    events = int(client.xlen(streams.EVENTS))
    sent = publish_steady(client, mix, rate, seconds)
    drained = settle(client)
    got = [sink.arrived[("a", s)] - t for s, t in sent.items() if ("a", s) in sink.arrived]
    # Events published: an alerting report folded into an existing story publishes none.
    return {"rate": rate, "seconds": seconds, "alerting_sent": len(sent), "drained": drained,
            "events": int(client.xlen(streams.EVENTS)) - events, **percentiles(got)}


class FeedServer:
    """An RSS feed on 127.0.0.1 where item k becomes visible at ``start + k * every``."""

    def __init__(self, texts: list[tuple[str, str]], every: float, count: int) -> None:
        self.texts, self.every, self.count = texts, every, count
        self.start = time.time() + 3600  # nothing new until begin(); k < 0 is the old backlog
        self.server = serve(self._route)

    def begin(self) -> None:
        self.start = time.time()

    def appeared(self, k: int) -> float:
        return self.start + k * self.every

    def _route(self, path: str, headers: dict[str, str], body: bytes,
               ) -> tuple[int, dict[str, str], bytes]:
        now = time.time()
        newest = max(-1, min(self.count - 1, math.floor((now - self.start) / self.every)))
        items = "".join(self._item(k) for k in range(newest, max(newest - 15, -6), -1))
        doc = (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
               f"<title>Bench Wire</title>{items}</channel></rss>").encode()
        return 200, {"Content-Type": "application/rss+xml; charset=utf-8"}, doc

    def _item(self, k: int) -> str:
        title, summary = self.texts[k % len(self.texts)]
        return (f"<item><guid>bench-f{k}</guid><title>{escape(title)}</title>"
                f"<link>https://bench.example/f/{k}</link>"
                f"<description>{escape(summary)}</description></item>")


def feed_latency(client: redis_sync.Redis, sink: Sink, feed: FeedServer) -> dict[str, float | int]:
    """Item visible on the feed → alert at the sink; the poller must have done its first poll."""
    feed.begin()
    time.sleep(feed.count * feed.every + 3.0)  # last item, one poll interval, processing
    settle(client)
    got = {k: sink.arrived[("f", k)] - feed.appeared(k) for k in range(feed.count)
           if ("f", k) in sink.arrived}
    return {"items": feed.count, "item_every_s": feed.every, **percentiles(list(got.values())),
            "polls": len(feed.server.requests),
            "samples_ms": {k: round(v * 1000) for k, v in got.items()}}
