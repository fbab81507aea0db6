"""Building brokers and Redis clients with the settings that do not lose messages."""

import logging
import os
import socket
import uuid
from typing import Any, cast

from faststream import FastStream
from faststream.redis import RedisBroker, RedisClusterBroker
from redis.asyncio import Redis
from redis.asyncio.cluster import RedisCluster
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialWithJitterBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from shared import streams
from shared.metrics import faststream_middleware

# The blocking read (polling_interval) must stay well below the socket timeout,
# or every idle period ends in a TimeoutError and a 5 s pause.
POLLING_INTERVAL_MS = 1000
SOCKET_TIMEOUT_S = 10.0


SERVICE_RETRIES = 8  # about 10 s of backoff: rides out a Redis restart
CLI_RETRIES = 2  # a person at a terminal wants "Redis is down" within a second


def _connection(retries: int = SERVICE_RETRIES) -> dict[str, Any]:
    # FastStream builds its own pool with no retries; a Redis blip would fail publishes at once.
    return {
        "retry": Retry(ExponentialWithJitterBackoff(base=0.1, cap=2.0), retries),
        "retry_on_error": [RedisConnectionError, RedisTimeoutError],
        "socket_timeout": SOCKET_TIMEOUT_S,
        "socket_connect_timeout": 5.0,
        "health_check_interval": 15,
    }


def make_broker(url: str, graceful_timeout: float = 15.0, *, cluster: bool = False,
                ) -> RedisBroker:
    """A broker that retries through Redis restarts and shuts down gracefully.

    ``cluster``: a RedisClusterBroker seeded by ``url``, with the same retries and timeouts.
    """
    kind = RedisClusterBroker if cluster else RedisBroker
    return kind(
        url,
        **_connection(),
        graceful_timeout=graceful_timeout,
        # Our handlers log one line per message; FastStream's Received/Processed go to DEBUG.
        logger=logging.getLogger("newsalert.broker"),
        log_level=logging.DEBUG,
        # faststream_* series (received, processed, durations) in the ops registry.
        middlewares=(faststream_middleware(),),
    )


def make_app(broker: RedisBroker) -> FastStream:
    """A FastStream app that logs through our handlers (JSON off a terminal, redacted)."""
    return FastStream(broker, logger=logging.getLogger("newsalert.app"))


def make_redis(url: str, *, cluster: bool = False, retries: int = SERVICE_RETRIES) -> "Redis":
    """A plain redis-py client for state keys, with the same retry policy as the broker.

    With ``cluster`` it is a RedisCluster seeded by ``url``: it has the same commands, so
    callers keep the ``Redis`` type (see ``is_cluster`` for the few differences).
    """
    if cluster:
        return cast(Redis, RedisCluster.from_url(url, **_connection(retries),
                                                 decode_responses=False))
    return Redis.from_url(url, **_connection(retries), decode_responses=False)


async def ping(url: str, *, cluster: bool = False) -> None:
    """PING with the services' startup retries; raises the connection error when Redis stays
    unreachable (the CLI turns it into one line and exit 3)."""
    redis = make_redis(url, cluster=cluster)
    try:
        await redis.ping()
    finally:
        await redis.aclose()


def is_cluster(redis: "Redis") -> bool:
    """True for a RedisCluster client: it refuses scripts inside pipelines."""
    return isinstance(redis, RedisCluster)


def consumer_name(service: str) -> str:
    """Unique per process: replicas sharing a name would share (and steal) pending entries."""
    host = os.environ.get("HOSTNAME") or socket.gethostname()
    return f"{service}-{host}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


async def ensure_groups(redis: "Redis") -> None:
    """Create every consumer group at id 0 with MKSTREAM: nothing published earlier is skipped."""
    for stream, group in streams.GROUPS:
        try:
            await redis.xgroup_create(stream, group, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise
