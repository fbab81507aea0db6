"""Throughput against the raw-Redis ceiling, scale-out, and stream memory per 100k articles.

Every throughput figure is measured the same way: the consumers are running and idle, the
bench XADDs N payloads (pipelined), and the clock stops when the group has read and acked
them all (XINFO GROUPS lag 0, pending 0).
"""

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import redis as redis_sync
from pipeline_data import Mix
from pipeline_procs import Services, cpu_seconds, redis_cpu, wait_drained, wait_ready

from shared import streams

HERE = Path(__file__).resolve().parent
CEILING_STREAM, CEILING_GROUP = "bench:ceiling", "raw"


def payloads(mix: Mix, count: int) -> list[bytes]:
    return [body for _, _, body in mix.take(count)]


def drain_rate(client: redis_sync.Redis, stream: str, group: str, bodies: list[bytes],
               timeout: float = 120.0) -> dict[str, Any]:
    """XADD ``bodies``; articles/s until ``group`` acked them, and Redis's CPU share meanwhile."""
    cpu, start = redis_cpu(client), time.time()
    for at in range(0, len(bodies), 500):
        pipe = client.pipeline(transaction=False)
        for body in bodies[at:at + 500]:
            pipe.xadd(stream, {"__data__": body}, maxlen=streams.ARTICLES_MAXLEN,
                      approximate=True)
        pipe.execute()
    done = wait_drained(client, stream, group, timeout)
    if done is None:
        return {"articles": len(bodies), "per_s": 0.0, "timed_out": True}
    seconds = done - start
    return {"articles": len(bodies), "seconds": round(seconds, 3),
            "per_s": round(len(bodies) / seconds, 1),
            "redis_cpu": round((redis_cpu(client) - cpu) / seconds, 3)}


def ceiling(client: redis_sync.Redis, url: str, bodies: list[bytes], readers: int,
            ) -> dict[str, Any]:
    """The same payloads through raw redis-py XREADGROUP COUNT 100 + one XACK per batch.

    ``readers``: blocking readers already running (the services), to tell when ours is up.
    """
    client.xgroup_create(CEILING_STREAM, CEILING_GROUP, id="0", mkstream=True)
    consumer = subprocess.Popen([sys.executable, str(HERE / "pipeline_raw.py"), url,
                                 CEILING_STREAM, CEILING_GROUP, str(len(bodies))])
    try:
        wait_ready(client, readers + 1)
        return drain_rate(client, CEILING_STREAM, CEILING_GROUP, bodies)
    finally:
        consumer.wait(timeout=30)
        client.delete(CEILING_STREAM)


def pipeline_rate(client: redis_sync.Redis, bodies: list[bytes]) -> dict[str, Any]:
    """Classifier rate, then the end-to-end rate once the notifier has acked every event."""
    start = time.time()
    result = drain_rate(client, streams.ARTICLES, streams.CLASSIFIER_GROUP, bodies)
    done = wait_drained(client, streams.EVENTS, streams.NOTIFIER_GROUP, 120.0)
    if done is not None:
        result["end_to_end_per_s"] = round(len(bodies) / (done - start), 1)
    return result


def scale_out(client: redis_sync.Redis, services: Services, mix: Mix, count: int,
              workers: tuple[int, ...]) -> list[dict[str, Any]]:
    """Classifier rate with 1, 2, 4... processes in one consumer group on the same stream."""
    return [classifier_rate(client, services, mix, count, n) for n in workers]


def classifier_rate(client: redis_sync.Redis, services: Services, mix: Mix, count: int,
                    workers: int, config: Path | None = None) -> dict[str, Any]:
    """Restart the classifier as ``workers`` processes, then measure; CPU per article too."""
    services.halt("classifier")
    services.launch("classifier", workers, config)
    wait_ready(client, workers + len(services.pids("notifier")))
    bodies, pids = payloads(mix, count), services.pids("classifier")
    cpu = cpu_seconds(pids)
    row = {"classifiers": workers, **pipeline_rate(client, bodies)}
    row["classifier_cpu_ms_per_article"] = round((cpu_seconds(pids) - cpu) * 1000 / count, 3)
    return row


def stream_memory(client: redis_sync.Redis, mix: Mix, count: int) -> dict[str, Any]:
    """Bytes of a stream holding ``count`` realistic articles, scaled to 100k articles."""
    key = "bench:memory"
    before = int(client.info("memory")["used_memory"])
    bodies = payloads(mix, count)
    for at in range(0, count, 1000):
        pipe = client.pipeline(transaction=False)
        for body in bodies[at:at + 1000]:
            pipe.xadd(key, {"__data__": body})
        pipe.execute()
    usage = int(client.memory_usage(key, samples=0) or 0)
    delta = int(client.info("memory")["used_memory"]) - before
    payload = sum(len(b) for b in bodies) / count
    client.delete(key)
    scale = 100_000 / count
    return {"articles": count, "avg_payload_bytes": round(payload),
            "memory_usage_per_100k_mb": round(usage * scale / 2**20, 1),
            "used_memory_delta_per_100k_mb": round(delta * scale / 2**20, 1)}


def events_memory(client: redis_sync.Redis) -> dict[str, Any]:
    """The events stream as the run left it, scaled to 100k events."""
    length = int(client.xlen(streams.EVENTS))
    if not length:
        return {"events": 0}
    usage = int(client.memory_usage(streams.EVENTS, samples=0) or 0)
    return {"events": length, "memory_usage_per_100k_mb": round(usage / length * 1e5 / 2**20, 1)}
