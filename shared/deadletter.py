"""Dead-lettering of stream entries: each one at most once, with a reason a person can act on.

The DLQ write and the XACK of the source entry happen in one script, and the write happens
only when the XACK settled the entry: a batch replayed after a failure, or two reclaimers
racing, can never dead-letter one entry twice.
"""

import json
import logging
import time

from faststream.redis import BinaryMessageFormatV1
from pydantic import ValidationError
from redis.asyncio import Redis
from redis.typing import EncodableT, FieldT

from shared import streams
from shared.broker import is_cluster

log = logging.getLogger("newsalert.consume")
REASON_MAX = 500
_SHOWN_ERRORS = 3

_ACK_THEN_PARK = """
if redis.call('XACK', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*', unpack(ARGV, 4))
return 1
"""


class Undecodable(ValueError):
    """A stream entry that cannot even be turned into a payload; ``str()`` says why."""


async def dead_letter(redis: "Redis", *, source: str, group: str, message_id: str,
                      reason: str, deliveries: int, body: bytes) -> bool:
    """Park an entry in the DLQ with why it failed and settle it; ``newsalert dlq retry`` puts
    it back. False when the entry was already settled (someone else parked or handled it)."""
    fields: dict[FieldT, EncodableT] = {
        "source": source, "group": group, "message_id": message_id,
        "reason": reason[:REASON_MAX], "deliveries": str(deliveries),
        "failed_at": f"{time.time():.3f}", "__data__": body,
    }
    if is_cluster(redis):
        # The source stream and the DLQ live in different hash slots, so no single script can
        # touch both; parking first means a crash in between repeats the entry, never loses it.
        await redis.xadd(streams.DLQ, fields, maxlen=streams.DLQ_MAXLEN, approximate=True)
        await redis.xack(source, group, message_id)
        return True
    args: list[EncodableT] = [group, message_id, streams.DLQ_MAXLEN]
    args += [part for pair in fields.items() for part in pair]
    script = redis.register_script(_ACK_THEN_PARK)
    return bool(await script(keys=[source, streams.DLQ], args=args))


def entry_payload(fields: dict[bytes, bytes]) -> bytes:
    """An entry's payload, unwrapped the way FastStream unwraps a message it published.

    Entries written by hand (``XADD s * title x``) have no ``__data__``; their fields become a
    JSON object, which needs every name and value to be UTF-8.
    """
    raw = fields.get(b"__data__")
    if raw is None:
        return json.dumps({_field_text(k, "name"): _field_text(v, f"value of {k!r:.40}")
                           for k, v in fields.items()}).encode()
    if raw.startswith(BinaryMessageFormatV1.IDENTITY_HEADER):
        body = BinaryMessageFormatV1.parse(raw)[0]
        if body is raw:  # FastStream's parser hands back its input when the frame is corrupt
            raise Undecodable(f"corrupt FastStream envelope ({len(raw)} bytes)")
        return body
    return raw


def _field_text(value: bytes, what: str) -> str:
    try:
        return value.decode()
    except UnicodeDecodeError as exc:
        raise Undecodable(f"field {what} {value[:40]!r} ({len(value)} bytes) is not UTF-8 "
                          f"at byte {exc.start}") from None


def describe(exc: ValidationError, size: int) -> str:
    """"invalid payload (N bytes): title: Input should be a valid string (got int); ...".

    Names each failing field by its path, what was expected and the type and size received,
    never the value itself (it may be megabytes, or a secret).
    """
    parts = []
    for error in exc.errors(include_url=False)[:_SHOWN_ERRORS]:
        path = ".".join(str(p) for p in error["loc"]) or "payload"
        parts.append(f"{path}: {error['msg'][:120]} (got {shape(error.get('input'))})")
    more = exc.error_count() - len(parts)
    tail = f"; and {more} more" if more > 0 else ""
    return f"invalid payload ({size} bytes): " + "; ".join(parts) + tail


def shape(value: object) -> str:
    """The type and size of a value, for error messages that must not echo it."""
    if value is None:
        return "null"
    if isinstance(value, str | bytes):
        unit = "chars" if isinstance(value, str) else "bytes"
        return f"{type(value).__name__} of {len(value)} {unit}"
    if isinstance(value, dict):
        return f"object with {len(value)} keys"
    if isinstance(value, list | tuple):
        return f"array of {len(value)} items"
    return type(value).__name__
