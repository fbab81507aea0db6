"""Ops building blocks: metric rendering, AsyncAPI output, the HTTP probes."""

import asyncio
import json
from pathlib import Path

from faststream import FastStream
from faststream.redis import RedisBroker
from prometheus_client.parser import text_string_to_metric_families

from services.asyncapi import document, write_all
from shared import metrics, ops
from shared.config import AppConfig
from shared.health import GroupStats, PipelineStats
from shared.service_settings import MetricsSettings, OpsSettings
from tests.servers import free_port

DOCS = Path(__file__).resolve().parents[2] / "docs" / "asyncapi"


def test_render_exposes_stream_figures() -> None:
    """A snapshot renders as lag/pending/oldest/DLQ/retry gauges; unknown lag is NaN."""
    stats = PipelineStats(lengths={"s": 5}, dlq=2, retry=1, groups=[
        GroupStats("s", "g", exists=True, lag=None, pending=3, oldest_idle=4.5)])
    families = {f.name: f for f in text_string_to_metric_families(metrics.render(stats).decode())}
    assert families["newsalert_stream_pending"].samples[0].value == 3
    assert families["newsalert_pending_oldest_idle_seconds"].samples[0].value == 4.5
    assert families["newsalert_stream_lag"].samples[0].value != \
        families["newsalert_stream_lag"].samples[0].value  # NaN
    assert families["newsalert_dlq_length"].samples[0].value == 2
    assert families["newsalert_redis_up"].samples[0].value == 1
    down = metrics.render(None).decode()
    assert "newsalert_redis_up 0.0" in down and "newsalert_dlq_length" not in down


def test_asyncapi_is_generated_and_committed(tmp_path: Path) -> None:
    """The generator is stable, has Article/Event schemas, and docs/asyncapi is up to date."""
    paths = write_all(tmp_path)
    assert len(paths) == 6
    for path in paths:
        committed = DOCS / path.name
        assert committed.read_text() == path.read_text(), "run `make docs`"
    doc = document("notifier")
    assert {"Article", "Event"} <= set(doc["components"]["schemas"])
    assert doc["servers"]["development"]["host"] == "redis:6379"


async def _get(port: int, path: str) -> tuple[int, dict[str, object]]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    raw = await reader.read()
    writer.close()
    head, _, body = raw.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(body)


async def test_probes_and_redis_down_exit() -> None:
    """With Redis unreachable: live, not ready, and the watchdog exits with code 3."""
    port = free_port()
    config = AppConfig(metrics=MetricsSettings(enabled=True, classifier_port=port),
                       ops=OpsSettings(redis_down_exit=0.2, watchdog_interval=0.1))
    url = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens
    broker = RedisBroker(url)
    app = FastStream(broker)
    runtime = ops.attach_ops(app, broker, service="classifier", config=config, redis_url=url)
    await runtime.start()
    try:
        assert (await _get(port, "/healthz"))[0] == 200
        status, body = await _get(port, "/readyz")
        assert status == 503 and body["ready"] is False
        await runtime.after_start()
        await asyncio.wait_for(asyncio.gather(*runtime.tasks), 10)
        assert ops.exit_code() == ops.EXIT_REDIS_DOWN
        assert (await _get(port, "/healthz"))[0] == 503
    finally:
        ops._state["exit_code"] = 0
        runtime.started = False
        await runtime.stop()
