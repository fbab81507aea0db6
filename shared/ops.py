"""Operations hooks of a service: /metrics, /healthz and /readyz, and a Redis watchdog.

Exit codes (returned by :func:`exit_code`, which the CLI returns after ``app.run()``):
  0  normal shutdown (SIGTERM/SIGINT)
  3  Redis unreachable for longer than ``ops.redis_down_exit``
  4  a consumer group vanished (Redis restarted without persistence, FLUSHALL): FastStream
     stops the subscriber for good and would exit 0, so a ``restart: on-failure`` supervisor
     would leave the worker dead. The groups are recreated at id 0 before exiting, so nothing
     published in between is skipped when the worker comes back.

Ports: each service serves on ``metrics.<service>_port``; ``newsalert run`` (all services in
one process) uses ``metrics.poller_port``.
"""

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from faststream import FastStream
from faststream.redis import RedisBroker
from redis.asyncio import Redis
from redis.asyncio.cluster import RedisCluster
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from shared import metrics
from shared.broker import ensure_groups, make_app, make_broker
from shared.config import AppConfig
from shared.exits import EXIT_GROUP_LOST, EXIT_REDIS_DOWN
from shared.health import missing_groups, read_stats, readiness

log = logging.getLogger("newsalert.ops")
PROBE_TIMEOUT = 2.0
_state = {"exit_code": 0}


def exit_code() -> int:
    """The process exit code the ops layer asked for (0 unless the watchdog fired)."""
    return _state["exit_code"]


def port_of(service: str, config: AppConfig) -> int:
    """The metrics/health port of ``service`` (``run`` shares the poller's)."""
    settings = config.metrics
    name = "poller" if service == "run" else service
    return int(getattr(settings, f"{name}_port"))


def probe_client(url: str, *, cluster: bool = False) -> "Redis":
    """A client that fails fast: probes must answer within seconds, not retry for a minute."""
    options: dict[str, Any] = {"retry": Retry(NoBackoff(), 0), "socket_timeout": PROBE_TIMEOUT,
                               "socket_connect_timeout": PROBE_TIMEOUT}
    if cluster:  # a plain client would get MOVED for every stream on another master
        return cast(Redis, RedisCluster.from_url(url, **options))
    return Redis.from_url(url, **options)


@dataclass
class Ops:
    """The HTTP endpoints and the watchdog of one app."""

    app: FastStream
    broker: RedisBroker
    service: str
    config: AppConfig
    redis_url: str
    redis: Redis | None = None
    server: asyncio.Server | None = None
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    started: bool = False

    async def start(self) -> None:
        """Open the probe client; serve HTTP before the broker starts so /healthz answers."""
        self.redis = probe_client(self.redis_url, cluster=self.config.redis.cluster)
        if self.config.metrics.enabled:
            host, port = self.config.metrics.host, port_of(self.service, self.config)
            self.server = await asyncio.start_server(self._serve, host, port)
            log.info("metrics and health on http://%s:%d/metrics", host, port)

    async def after_start(self) -> None:
        """The broker runs: start watching Redis and the subscribers."""
        self.started = True
        self.tasks.append(asyncio.create_task(self._watchdog(), name="ops-watchdog"))

    async def stop(self) -> None:
        """Turn a FastStream-initiated exit after a lost group into exit code 4."""
        if self.started and self.stopped_subscribers() and exit_code() == 0:
            self._set_exit(EXIT_GROUP_LOST, "a subscriber stopped (consumer group lost)")
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._recreate(), PROBE_TIMEOUT * 2)
        for task in self.tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self.server is not None:
            self.server.close()
        if self.redis is not None:
            await self.redis.aclose()

    def stopped_subscribers(self) -> list[str]:
        """Subscribers FastStream stopped on a terminal error while the app kept running."""
        names = []
        for sub in self.broker.subscribers:
            if not sub.running:
                stream = getattr(sub, "stream_sub", None)
                names.append(str(getattr(stream, "name", sub)))
        return names

    def _set_exit(self, code: int, why: str) -> None:
        _state["exit_code"] = code
        log.critical("%s: exiting with code %d so the supervisor restarts %s", why, code,
                     self.service)

    def request_exit(self, code: int, why: str) -> None:
        """Stop the app with a non-zero exit code."""
        self._set_exit(code, why)
        self.app.exit()

    async def _recreate(self) -> None:
        assert self.redis is not None
        await ensure_groups(self.redis)

    async def _watchdog(self) -> None:
        settings = self.config.ops
        down_since: float | None = None
        while True:
            await asyncio.sleep(settings.watchdog_interval)
            if self.stopped_subscribers():
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(self._recreate(), PROBE_TIMEOUT * 2)
                self.request_exit(EXIT_GROUP_LOST, "a subscriber stopped (consumer group lost)")
                return
            try:
                assert self.redis is not None
                missing = await asyncio.wait_for(missing_groups(self.redis, self.service),
                                                 PROBE_TIMEOUT * 2)
            except Exception as exc:  # unreachable, timing out, loading: all count as down
                down_since = down_since or time.monotonic()
                down = time.monotonic() - down_since
                log.warning("Redis unreachable for %.0f s (%s)", down, type(exc).__name__)
                if down >= settings.redis_down_exit:
                    self.request_exit(EXIT_REDIS_DOWN, f"Redis unreachable for {down:.0f} s")
                    return
                continue
            down_since = None
            if missing:
                # At id 0: whatever was published since the restart is still delivered.
                log.error("consumer groups missing, recreating at id 0: %s", missing)
                await self._recreate()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5.0)
            path = request.split(b" ", 2)[1].decode("ascii", "replace").split("?")[0]
            status, ctype, body = await self._route(path)
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError,
                IndexError):
            status, ctype, body = 400, "text/plain", b"bad request\n"
        head = (f"HTTP/1.1 {status} {'OK' if status == 200 else 'Error'}\r\n"
                f"Content-Type: {ctype}\r\nContent-Length: {len(body)}\r\n"
                "Connection: close\r\n\r\n")
        with contextlib.suppress(ConnectionError):
            writer.write(head.encode() + body)
            await writer.drain()
        writer.close()

    async def _route(self, path: str) -> tuple[int, str, bytes]:
        if path == "/metrics":
            return 200, "text/plain; version=0.0.4; charset=utf-8", await self._metrics()
        if path == "/healthz":
            # Answering at all proves the event loop runs; a requested exit is "not live".
            live = exit_code() == 0
            return (200 if live else 503), "application/json", _json(
                {"live": live, "service": self.service})
        if path == "/readyz":
            ok, detail = await self._ready()
            return (200 if ok else 503), "application/json", _json(
                {"ready": ok, "service": self.service, "detail": detail})
        return 404, "text/plain", b"not found\n"

    async def _metrics(self) -> bytes:
        assert self.redis is not None
        try:
            stats = await asyncio.wait_for(read_stats(self.redis), PROBE_TIMEOUT)
        except Exception:  # Redis down: counters still render, newsalert_redis_up is 0
            stats = None
        return metrics.render(stats)

    async def _ready(self) -> tuple[bool, str]:
        assert self.redis is not None
        if stopped := self.stopped_subscribers():
            return False, "stopped subscribers: " + ", ".join(stopped)
        try:
            return await asyncio.wait_for(readiness(self.redis, self.service), PROBE_TIMEOUT * 2)
        except TimeoutError:
            return False, "redis: timeout"


def _json(data: dict[str, object]) -> bytes:
    return json.dumps(data).encode() + b"\n"


def attach_ops(app: FastStream, broker: RedisBroker, *, service: str, config: AppConfig,
               redis_url: str) -> Ops:
    """Attach the HTTP endpoints (when ``metrics.enabled``) and the watchdog to ``app``."""
    ops = Ops(app, broker, service, config, redis_url)
    app.on_startup(ops.start)
    app.after_startup(ops.after_start)
    app.on_shutdown(ops.stop)
    return ops


# How a service attaches itself to a broker and an app (each service's ``app.register``).
Register = Callable[[RedisBroker, FastStream, AppConfig, str], object]


def service_app(service: str, config: AppConfig, redis_url: str, registers: Sequence[Register],
                graceful_timeout: float = 15.0) -> FastStream:
    """One app on one broker with ``registers`` attached, plus its probes and watchdog: a
    single service as compose runs it, or all of them for ``newsalert run``."""
    broker = make_broker(redis_url, graceful_timeout=graceful_timeout,
                         cluster=config.redis.cluster)
    app = make_app(broker)
    for register in registers:
        register(broker, app, config, redis_url)
    attach_ops(app, broker, service=service, config=config, redis_url=redis_url)
    return app
