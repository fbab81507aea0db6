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


def key(*parts: str) -> str:
    """Build a namespaced Redis key such as ``newsalert:seen:<id>``."""
    return KEY_PREFIX + ":".join(parts)
