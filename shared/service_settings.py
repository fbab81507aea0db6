"""Config sections about how the services run: consuming streams, metrics, the watchdog,
the alert history."""

from pydantic import Field

from shared.settings_base import Seconds, Strict


class ConsumeSettings(Strict):
    """How the classifier and the notifier consume their streams (shared/consume.py)."""

    reclaim_idle: Seconds = 60.0
    max_deliveries: int = Field(5, ge=1, le=100)
    # Classifier entries per read, acked with one XACK once all are handled: FastStream's
    # per-message cost (DI, middlewares, one XACK each) was most of its time (docs/benchmarks.md).
    batch: int = Field(50, ge=1, le=1000)


class MetricsSettings(Strict):
    enabled: bool = False
    host: str = "127.0.0.1"
    poller_port: int = Field(9101, ge=0, le=65535)
    classifier_port: int = Field(9102, ge=0, le=65535)
    notifier_port: int = Field(9103, ge=0, le=65535)


class OpsSettings(Strict):
    # A worker that cannot reach Redis this long exits with code 3 so `restart:` acts.
    redis_down_exit: Seconds = Field(60.0, gt=0)
    watchdog_interval: Seconds = Field(5.0, gt=0, le=60)


class HistorySettings(Strict):
    enabled: bool = True
    retention: Seconds = Field(30 * 86400.0, description="How long alerts stay in the history")
