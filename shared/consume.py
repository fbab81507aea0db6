"""Stream consumption that never loses a message: a reader, a reclaimer and a dead-letter stream.

FastStream leaves a failed message pending and never reads it again by itself, so every
group gets a second subscriber that claims entries idle for too long (XAUTOCLAIM) and,
past a delivery cap, moves them to ``newsalert:dlq`` with the reason.
"""

import json
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from faststream.redis import BinaryMessageFormatV1, RedisBroker, StreamSub
from faststream.redis.annotations import RedisBatchStreamMessage, RedisStreamMessage
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
    return _text(ids[0])


def _body(message: RedisStreamMessage) -> bytes:
    return message.body if isinstance(message.body, bytes) else bytes(message.body)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _entry_body(fields: dict[bytes, bytes]) -> bytes:
    """An entry's payload, unwrapped the way FastStream unwraps a single message."""
    raw = fields.get(b"__data__")
    if raw is None:
        raw = json.dumps({k.decode(errors="replace"): v.decode(errors="replace")
                          for k, v in fields.items()}).encode()
    return BinaryMessageFormatV1.parse(raw)[0]


# Where the batch parser keeps the raw entries, and what FastStream parses in their place.
ENTRIES = "newsalert_entries"
_PLACEHOLDER = {b"__data__": b"0"}


async def _batch_parser(raw: Mapping[str, Any],
                        original: Callable[[Mapping[str, Any]], Awaitable[Any]]) -> Any:
    """Keep the entries aside and hand FastStream placeholders of the same count.

    FastStream's batch parser JSON-decodes and re-encodes every entry, and one non-UTF-8
    entry fails the whole batch (left pending until the reclaimer runs). The handler
    decodes each entry itself instead; the count stays right for the metrics.
    """
    entries = raw["data"]
    return await original({**raw, "data": [_PLACEHOLDER] * len(entries), ENTRIES: entries})


def consume(broker: RedisBroker, *, stream: str, group: str, consumer: str, model: type[M],
            handle: Callable[[M], Awaitable[None]], redis: Callable[[], "Redis"],
            reclaim_idle: float, max_deliveries: int, max_records: int = 20,
            batch: bool = False) -> None:
    """Subscribe ``handle`` to ``stream`` in ``group``, with a reclaimer and dead-lettering.

    ``batch``: read up to ``max_records`` entries per call and ack them with one XACK after
    all were handled; the per-message framework overhead then is paid once per batch.
    """

    async def process(body: bytes, mid: str, deliveries: int) -> None:
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

    async def on_batch(message: RedisBatchStreamMessage) -> None:
        # Items are decoded here, one by one, so a bad one is dead-lettered alone. If a
        # handler raises, nothing of the batch is acked: the reclaimer redelivers each.
        raw = message.raw_message
        entries: list[dict[bytes, bytes]] = raw[ENTRIES]  # type: ignore[literal-required]
        for mid, fields in zip(raw["message_ids"], entries, strict=True):
            await process(_entry_body(fields), _text(mid), 1)

    async def on_message(message: RedisStreamMessage) -> None:
        await process(_body(message), _message_id(message), 1)

    sub = StreamSub(stream, group=group, consumer=consumer, max_records=max_records,
                    polling_interval=POLLING_INTERVAL_MS, batch=batch)
    if batch:
        broker.subscriber(stream=sub, title=f"{group}:{stream}", parser=_batch_parser)(on_batch)
    else:
        broker.subscriber(stream=sub, title=f"{group}:{stream}")(on_message)

    claim = StreamSub(stream, group=group, consumer=f"{consumer}-reclaim",
                      min_idle_time=int(reclaim_idle * 1000), polling_interval=POLLING_INTERVAL_MS)

    @broker.subscriber(stream=claim, title=f"{group}:{stream}:reclaim")
    async def on_pending(message: RedisStreamMessage) -> None:
        deliveries = await message.get_delivery_count()
        body, mid = _body(message), _message_id(message)
        if deliveries > max_deliveries:
            await dead_letter(redis(), source=stream, group=group, message_id=mid,
                              reason=f"failed {deliveries - 1} deliveries", deliveries=deliveries,
                              body=body)
            log.error("message %s dead-lettered after %d deliveries", mid, deliveries - 1)
            return
        log.warning("reclaimed pending message %s (delivery %d)", mid, deliveries)
        await process(body, mid, deliveries)
