"""Stream, group and key names: the only place they are spelled out."""

ARTICLES = "newsalert:articles"
EVENTS = "newsalert:events"
DLQ = "newsalert:dlq"
# The last deliveries (capped), for `newsalert status`: ids, titles, channel kinds, never URLs.
DELIVERED = "newsalert:delivered"
DELIVERED_MAXLEN = 1000

CLASSIFIER_GROUP = "classifier"
NOTIFIER_GROUP = "notifier"

# (stream, group) pairs that must exist at id 0 before anything is published.
GROUPS: tuple[tuple[str, str], ...] = (
    (ARTICLES, CLASSIFIER_GROUP),
    (EVENTS, NOTIFIER_GROUP),
)

# Approximate caps: hours of backlog at thousands of feeds, so a slow consumer is not trimmed.
ARTICLES_MAXLEN = 200_000
EVENTS_MAXLEN = 100_000
DLQ_MAXLEN = 50_000

KEY_PREFIX = "newsalert:"

# Redis Cluster runs a script or MULTI only when all its keys hash to one slot. A key whose
# name holds ``{tag}`` hashes on the tag alone, so keys used together share a tag. The seen
# marks are written in one script with the XADD, so their tag is the stream's own name.
NOTIFIER_SLOT = "newsalert:notifier"  # retry schedule + digests (one MULTI moves between them)
STORY_SLOT = "newsalert:cluster"  # the story-cluster store: its scripts touch all of its keys
HISTORY_SLOT = "newsalert:history"  # alert history: one script writes a record and its indexes
SLOT_OF: dict[str, str] = {
    "seen": ARTICLES,
    "retry": NOTIFIER_SLOT,
    "digest": NOTIFIER_SLOT,
    "digest_last": NOTIFIER_SLOT,
}


def slot_prefix(slot: str) -> str:
    """``{slot}:``, the start of every key that must live in ``slot``'s hash slot."""
    return "{" + slot + "}:"


def key(*parts: str, slot: str | None = None) -> str:
    """Build a Redis key: ``newsalert:feed:<id>``, or ``{tag}:seen:<id>`` for co-located kinds.

    The tag comes from ``slot`` or else from ``SLOT_OF[parts[0]]``, so no caller can spell a
    co-located key without it.
    """
    tag = slot or (SLOT_OF.get(parts[0]) if parts else None)
    return (slot_prefix(tag) if tag else KEY_PREFIX) + ":".join(parts)


def text(value: object) -> str:
    """A Redis reply value as text: bytes from a client without ``decode_responses``, or
    anything else (str, int) as is."""
    return value.decode() if isinstance(value, bytes) else str(value)


# The notifier's retry schedule (a sorted set scored by due time); `status` reports its size.
RETRY_KEY = key("retry")
