"""Operations hooks of a service: metrics, health endpoints, watchdog (filled in by issue 7)."""

from faststream import FastStream
from faststream.redis import RedisBroker

from shared.config import AppConfig


def attach_ops(app: FastStream, broker: RedisBroker, *, service: str, config: AppConfig,
               redis_url: str) -> None:
    """Attach the operational endpoints of ``service`` to ``app`` (no-op for now)."""
    del app, broker, service, config, redis_url
