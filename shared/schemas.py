"""The wire contract between the services (pydantic models, JSON on the streams)."""

import re
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field

SCHEMA_VERSION = 1
# Upper bounds of what a consumer accepts on the wire. The poller's own caps are lower
# (services/poller/items.py); these refuse entries written by anything else.
ID_MAX, FEED_MAX, URL_MAX, TITLE_MAX, SUMMARY_MAX, NAME_MAX = 256, 300, 2048, 20_000, 100_000, 200
LIST_MAX = 50  # tags per event, evidence per tag, cues, facts (the classifier makes <= 5)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_LINE_BREAKS = re.compile(r"[\t\n\r]")


def _no_controls(text: str) -> str:
    """Control characters and lone surrogates dropped; tabs and line breaks kept."""
    return _CONTROL.sub("", text)


def _one_line(text: str) -> str:
    """Like :func:`_no_controls`, and tabs or line breaks become spaces."""
    return _LINE_BREAKS.sub(" ", _CONTROL.sub("", text))


def _to_utc(value: datetime) -> datetime:
    """Every timestamp in UTC; one without a zone is taken to be UTC already.

    A naive ``published`` once reached the clusterer and raised TypeError when compared
    with aware times, failing its whole batch.
    """
    try:
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except OverflowError:  # year 1 at UTC+14: not a ValueError, so pydantic would not catch it
        raise ValueError("date out of range") from None


def _published(value: datetime | None) -> datetime | None:
    # A feed's nonsense date (year 1, year 9999) must not cost the article its alert:
    # it is dropped, and the fetch time stands in for it.
    if value is None:
        return None
    try:
        value = _to_utc(value)
    except ValueError:
        return None
    return value if _EPOCH <= value <= _LATEST else None


def _http_or_empty(url: str) -> str:
    # Renderers link this URL: anything but a plain http(s) URL (javascript:, data:) is dropped.
    if not url.lower().startswith(("http://", "https://")):
        return ""
    return "" if _CONTROL.search(url) or any(c.isspace() for c in url) else url


_EPOCH, _LATEST = datetime(1970, 1, 1, tzinfo=UTC), datetime(2200, 1, 1, tzinfo=UTC)
Identifier = Annotated[str, Field(min_length=1, max_length=ID_MAX,
                                  pattern=r"^[^\x00-\x1f\x7f]+$")]
OneLine = Annotated[str, AfterValidator(_one_line)]
Short = Annotated[str, Field(max_length=NAME_MAX)]  # tag kinds, cue words, fact names
UtcTime = Annotated[datetime, AfterValidator(_to_utc)]


def utcnow() -> datetime:
    """Timezone-aware current time; every timestamp on the wire is UTC."""
    return datetime.now(UTC)


# The kind of the poller's own events about a feed failing and recovering; also the tag a
# subscription lists to hear of them.
FEED_HEALTH = "feed_health"


class EventType(StrEnum):
    """The event types the classifier detects by itself."""

    MILITARY_STRIKE = "military_strike"
    SANCTION = "sanction"


class Modality(StrEnum):
    """Whether the reported action happened, or is only threatened, denied, recalled..."""

    OCCURRED = "occurred"
    THREATENED = "threatened"
    CONSIDERED = "considered"
    URGED = "urged"
    DENIED = "denied"
    LIFTED = "lifted"
    EASED = "eased"
    HISTORICAL = "historical"


# Modalities that alert unless a subscription opts into more.
ALERTING_MODALITIES: frozenset[Modality] = frozenset(
    {Modality.OCCURRED, Modality.LIFTED, Modality.EASED}
)


class Article(BaseModel):
    """One new feed item, as published by the poller on ``newsalert:articles``.

    Validation is the consumer's guard against entries not written by the poller: sizes are
    bounded, control characters dropped, timestamps made UTC.
    """

    schema_version: int = SCHEMA_VERSION
    id: Identifier = Field(description="Stable id: hash of the feed URL and the item identity")
    feed: Annotated[OneLine, Field(max_length=FEED_MAX)] = Field(
        description="Feed name from the config")
    feed_url: Annotated[str, Field(max_length=URL_MAX), AfterValidator(_http_or_empty)] = ""
    url: Annotated[str, Field(max_length=URL_MAX), AfterValidator(_http_or_empty)] = Field(
        "", description="Article link (http/https only, else empty)")
    title: Annotated[OneLine, Field(max_length=TITLE_MAX)]
    summary: Annotated[str, Field(max_length=SUMMARY_MAX), AfterValidator(_no_controls)] = ""
    published: Annotated[datetime | None, AfterValidator(_published)] = None
    fetched_at: UtcTime = Field(default_factory=utcnow)


class Evidence(BaseModel):
    """Why a tag fired: the sentence and the cue words in it."""

    sentence: Annotated[str, Field(max_length=TITLE_MAX)]
    cues: list[Annotated[str, Field(max_length=TITLE_MAX)]] = Field(default_factory=list,
                                                                   max_length=LIST_MAX)


class Tag(BaseModel):
    """One tag on an article: an event type or a watch topic, with its evidence."""

    name: Annotated[OneLine, Field(min_length=1, max_length=NAME_MAX)]
    kind: Short = Field("event", description="'event' for built-in types, 'watch' for topics")
    modality: Modality = Modality.OCCURRED
    confidence: float = Field(1.0, ge=0.0, le=1.0)
    alert: bool = Field(True, description="True when the tag alerts by default")
    evidence: list[Evidence] = Field(default_factory=list, max_length=LIST_MAX)
    score: float | None = Field(None, ge=0.0, le=1.0,
                                description="The learned model's P(alert), when it decided")
    fields: dict[Short, Annotated[list[Annotated[str, Field(max_length=TITLE_MAX)]],
                                  Field(max_length=LIST_MAX)]] = Field(
        default_factory=dict, max_length=LIST_MAX,
        description="Extracted facts: actor, target, location, country, weapon, authority, ...",
    )


class Event(BaseModel):
    """A classified article, published on ``newsalert:events`` when it carries a tag."""

    schema_version: int = SCHEMA_VERSION
    id: Identifier = Field(description="Event id; the idempotency key of deliveries")
    kind: str = Field("article", description=f"'article' or '{FEED_HEALTH}'")
    article: Article
    tags: list[Tag] = Field(default_factory=list, max_length=LIST_MAX)
    classified_at: UtcTime = Field(default_factory=utcnow)
    cluster_id: str | None = None
    is_update: bool = False
    sources: int = 1
    update_reason: str | None = Field(
        None, description="Why an update of a cluster is significant (set only when is_update)")
