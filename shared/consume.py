"""Stream consumption that never loses a message: a reader, a reclaimer and a dead-letter stream.

FastStream leaves a failed message pending and never reads it again by itself, so every
group gets a second subscriber that claims entries idle for too long (XAUTOCLAIM) and,
past a delivery cap, moves them to ``newsalert:dlq`` with the reason.

FastStream never decodes an entry here: its parser fails on entries it cannot decode (a
non-UTF-8 field name, say) before any handler runs, which would leave them pending for ever.
Both subscribers get placeholders instead, and each entry is decoded here, where every
failure is dead-lettered with a reason that names what was wrong.
"""

import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from faststream.exceptions import NackMessage
from faststream.redis import RedisBroker, StreamSub
from faststream.redis.annotations import RedisBatchStreamMessage, RedisStreamMessage
from pydantic import BaseModel, ValidationError
from redis.asyncio import Redis

from shared import metrics
from shared.broker import POLLING_INTERVAL_MS
from shared.deadletter import Undecodable, dead_letter, describe, entry_payload
from shared.secrets import redact
from shared.streams import text

__all__ = ["consume"]
log = logging.getLogger("newsalert.consume")
M = TypeVar("M", bound=BaseModel)

# Where the parsers keep the raw entries, and what FastStream parses in their place.
ENTRIES = "newsalert_entries"
_PLACEHOLDER = {b"__data__": b"0"}
_ERRORS_KEPT = 1000
Original = Callable[[Mapping[str, Any]], Awaitable[Any]]


async def _single_parser(raw: Mapping[str, Any], original: Original) -> Any:
    """Keep the entry aside and hand FastStream a placeholder it can always parse."""
    return await original({**raw, "data": _PLACEHOLDER, ENTRIES: [raw["data"]]})


async def _batch_parser(raw: Mapping[str, Any], original: Original) -> Any:
    """The same for a batch: placeholders of the same count, so the metrics stay right."""
    entries = raw["data"]
    return await original({**raw, "data": [_PLACEHOLDER] * len(entries), ENTRIES: entries})


def _entries(message: RedisStreamMessage | RedisBatchStreamMessage,
             ) -> list[tuple[str, dict[bytes, bytes]]]:
    raw = message.raw_message
    entries: list[dict[bytes, bytes]] = raw[ENTRIES]  # type: ignore[literal-required]
    # FastStream's in-memory TestRedisBroker delivers entries without stream ids.
    ids = [text(mid) for mid in raw["message_ids"]] or ["in-memory"] * len(entries)
    return list(zip(ids, entries, strict=True))


class _Consumer:
    """Decoding, handling and dead-lettering for one (stream, group)."""

    def __init__(self, *, stream: str, group: str, model: type[M],
                 handle: Callable[[M], Awaitable[None]], redis: Callable[[], "Redis"]) -> None:
        self.stream, self.group, self.model = stream, group, model
        self.handle: Callable[[Any], Awaitable[None]] = handle
        self.redis = redis
        # The last handler error per entry id, so its DLQ reason can say what kept failing
        # (this replica's view; bounded, oldest forgotten first).
        self.errors: dict[str, str] = {}

    def decode(self, fields: dict[bytes, bytes]) -> tuple[BaseModel | None, str, bytes]:
        """(item, "", payload), or (None, reason, payload) when the entry is unusable."""
        try:
            body = entry_payload(fields)
        except Undecodable as exc:
            return None, f"undecodable entry: {exc}", _best_effort(fields)
        try:
            return self.model.model_validate_json(body), "", body
        except ValidationError as exc:
            return None, describe(exc, len(body)), body

    async def park(self, mid: str, reason: str, deliveries: int, body: bytes) -> None:
        """Dead-letter one entry (once: a settled entry is not parked again)."""
        parked = await dead_letter(self.redis(), source=self.stream, group=self.group,
                                   message_id=mid, reason=reason, deliveries=deliveries,
                                   body=body)
        if parked:
            log.error("message %s dead-lettered: %s", mid, reason)

    async def process(self, mid: str, fields: dict[bytes, bytes], deliveries: int) -> None:
        """Decode and handle one entry; a handler error propagates (the entry stays pending)."""
        item, reason, body = self.decode(fields)
        if item is None:
            await self.park(mid, reason, deliveries, body)
            return
        started = time.perf_counter()
        try:
            await self.handle(item)
        except Exception as exc:
            self._remember(mid, redact(f"{type(exc).__name__}: {str(exc)[:300]}")[:200])
            raise
        self.errors.pop(mid, None)
        metrics.HANDLER_SECONDS.labels(self.group).observe(time.perf_counter() - started)

    def _remember(self, mid: str, error: str) -> None:
        self.errors.pop(mid, None)
        self.errors[mid] = error
        if len(self.errors) > _ERRORS_KEPT:
            del self.errors[next(iter(self.errors))]

    def give_up_reason(self, mid: str, deliveries: int) -> str:
        """Why an entry is parked after too many deliveries, with its last error if known."""
        last = self.errors.pop(mid, None)
        return f"handler failed {deliveries - 1} deliveries" + (f" (last: {last})" if last else "")

    async def on_batch(self, message: RedisBatchStreamMessage) -> None:
        # Each entry alone: ack what succeeded, leave what failed to the reclaimer. (No
        # docstring: FastStream would publish it as the channel's AsyncAPI description.)
        done, failed = [], 0
        for mid, fields in _entries(message):
            try:
                await self.process(mid, fields, 1)
            except Exception:
                failed += 1
                log.exception("message %s failed; the reclaimer will retry it", mid)
                continue
            done.append(mid)
        if not failed:
            return  # FastStream acks the whole batch with one XACK
        if done:
            await self.redis().xack(self.stream, self.group, *done)
        raise NackMessage()  # settles the batch without its XACK: the failed stay pending

    async def on_message(self, message: RedisStreamMessage) -> None:
        (mid, fields), = _entries(message)
        await self.process(mid, fields, 1)


def _best_effort(fields: dict[bytes, bytes]) -> bytes:
    """Something to keep in the DLQ for an entry that has no decodable payload."""
    raw = fields.get(b"__data__")
    if raw is not None:
        return raw
    return repr({k[:200]: v[:2000] for k, v in list(fields.items())[:50]}).encode()


def consume(broker: RedisBroker, *, stream: str, group: str, consumer: str, model: type[M],
            handle: Callable[[M], Awaitable[None]], redis: Callable[[], "Redis"],
            reclaim_idle: float, max_deliveries: int, max_records: int = 20,
            batch: bool = False) -> None:
    """Subscribe ``handle`` to ``stream`` in ``group``, with a reclaimer and dead-lettering.

    ``batch``: read up to ``max_records`` entries per call and ack them with one XACK after
    all were handled; the per-message framework overhead then is paid once per batch.
    """
    worker = _Consumer(stream=stream, group=group, model=model, handle=handle, redis=redis)
    sub = StreamSub(stream, group=group, consumer=consumer, max_records=max_records,
                    polling_interval=POLLING_INTERVAL_MS, batch=batch)
    title = f"{group}:{stream}"
    if batch:
        broker.subscriber(stream=sub, title=title, parser=_batch_parser)(worker.on_batch)
    else:
        broker.subscriber(stream=sub, title=title, parser=_single_parser)(worker.on_message)

    claim = StreamSub(stream, group=group, consumer=f"{consumer}-reclaim",
                      min_idle_time=int(reclaim_idle * 1000), polling_interval=POLLING_INTERVAL_MS)

    @broker.subscriber(stream=claim, title=f"{title}:reclaim", parser=_single_parser)
    async def on_pending(message: RedisStreamMessage) -> None:
        (mid, fields), = _entries(message)
        deliveries = await message.get_delivery_count()
        if deliveries > max_deliveries:
            _, _, body = worker.decode(fields)
            await worker.park(mid, worker.give_up_reason(mid, deliveries),
                              deliveries, body)
            return
        log.warning("reclaimed pending message %s (delivery %d)", mid, deliveries)
        await worker.process(mid, fields, deliveries)
