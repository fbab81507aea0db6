"""Stream consumption that never loses a message: a reader, a reclaimer and a dead-letter stream.

FastStream leaves a failed message pending and never reads it again by itself, so every
group gets a second subscriber that claims entries idle for too long (XAUTOCLAIM) and,
past a delivery cap, moves them to ``newsalert:dlq`` with the reason.
"""

import logging
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from faststream.redis import RedisBroker, StreamSub
from faststream.redis.annotations import RedisStreamMessage
from pydantic import BaseModel, ValidationError
from redis.asyncio import Redis

from shared import metrics, streams
from shared.broker import POLLING_INTERVAL_MS

log = logging.getLogger("newsalert.consume")
M = TypeVar("M", bound=BaseModel)


async def dead_letter(redis: "Redis", *, source: str, group: str, message_id: str,
                      reason: str, deliveries: int, body: bytes) -> None:
    """Park a message in the DLQ with why it failed; ``newsalert dlq retry`` puts it back."""
    await redis.xadd(streams.DLQ, {
        "source": source, "group": group, "message_id": message_id, "reason": reason[:500],
        "deliveries": str(deliveries), "failed_at": f"{time.time():.3f}", "__data__": body,
    }, maxlen=streams.DLQ_MAXLEN, approximate=True)


def _message_id(message: RedisStreamMessage) -> str:
    ids = message.raw_message.get("message_ids") or [b"?"]
    first = ids[0]
    return first.decode() if isinstance(first, bytes) else str(first)


def consume(broker: RedisBroker, *, stream: str, group: str, consumer: str, model: type[M],
            handle: Callable[[M], Awaitable[None]], redis: Callable[[], "Redis"],
            reclaim_idle: float, max_deliveries: int, max_records: int = 20) -> None:
    """Subscribe ``handle`` to ``stream`` in ``group``, with a reclaimer and dead-lettering."""

    async def process(message: RedisStreamMessage, deliveries: int) -> None:
        body = message.body if isinstance(message.body, bytes) else bytes(message.body)
        mid = _message_id(message)
        try:
            item = model.model_validate_json(body)
        except ValidationError as exc:
            reason = f"invalid payload: {exc.error_count()} validation error(s)"
            await dead_letter(redis(), source=stream, group=group, message_id=mid,
                              reason=reason, deliveries=deliveries, body=body)
            log.error("message %s dead-lettered: %s", mid, reason)
            return
        started = time.perf_counter()
        await handle(item)
        metrics.HANDLER_SECONDS.labels(group).observe(time.perf_counter() - started)

    sub = StreamSub(stream, group=group, consumer=consumer, max_records=max_records,
                    polling_interval=POLLING_INTERVAL_MS)

    @broker.subscriber(stream=sub, title=f"{group}:{stream}")
    async def on_message(message: RedisStreamMessage) -> None:
        await process(message, 1)

    claim = StreamSub(stream, group=group, consumer=f"{consumer}-reclaim",
                      min_idle_time=int(reclaim_idle * 1000), polling_interval=POLLING_INTERVAL_MS)

    @broker.subscriber(stream=claim, title=f"{group}:{stream}:reclaim")
    async def on_pending(message: RedisStreamMessage) -> None:
        deliveries = await message.get_delivery_count()
        if deliveries > max_deliveries:
            body = message.body if isinstance(message.body, bytes) else bytes(message.body)
            mid = _message_id(message)
            await dead_letter(redis(), source=stream, group=group, message_id=mid,
                              reason=f"failed {deliveries - 1} deliveries", deliveries=deliveries,
                              body=body)
            log.error("message %s dead-lettered after %d deliveries", mid, deliveries - 1)
            return
        log.warning("reclaimed pending message %s (delivery %d)", _message_id(message), deliveries)
        await process(message, deliveries)
