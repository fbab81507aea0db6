"""The wire contract between the services (pydantic models, JSON on the streams)."""

from datetime import UTC, datetime
from enum import StrEnum

from pydantic import BaseModel, Field

SCHEMA_VERSION = 1


def utcnow() -> datetime:
    """Timezone-aware current time; every timestamp on the wire is UTC."""
    return datetime.now(UTC)


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
    """One new feed item, as published by the poller on ``newsalert:articles``."""

    schema_version: int = SCHEMA_VERSION
    id: str = Field(description="Stable id: hash of the feed URL and the item identity")
    feed: str = Field(description="Feed name from the config")
    feed_url: str = ""
    url: str = Field("", description="Article link (http/https only, else empty)")
    title: str
    summary: str = ""
    published: datetime | None = None
    fetched_at: datetime = Field(default_factory=utcnow)
    is_update: bool = Field(False, description="The item was seen before with other content")


class Evidence(BaseModel):
    """Why a tag fired: the sentence and the cue words in it."""

    sentence: str
    cues: list[str] = Field(default_factory=list)


class Tag(BaseModel):
    """One tag on an article: an event type or a watch topic, with its evidence."""

    name: str
    kind: str = Field("event", description="'event' for built-in types, 'watch' for topics")
    modality: Modality = Modality.OCCURRED
    confidence: float = Field(1.0, ge=0.0, le=1.0)
    alert: bool = Field(True, description="True when the tag alerts by default")
    evidence: list[Evidence] = Field(default_factory=list)
    fields: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Extracted facts: actor, target, location, country, weapon, authority, ...",
    )


class Event(BaseModel):
    """A classified article, published on ``newsalert:events`` when it carries a tag."""

    schema_version: int = SCHEMA_VERSION
    id: str = Field(description="Event id; the idempotency key of deliveries")
    kind: str = Field("article", description="'article' or 'feed_health'")
    article: Article
    tags: list[Tag] = Field(default_factory=list)
    classified_at: datetime = Field(default_factory=utcnow)
    cluster_id: str | None = None
    is_update: bool = False
    sources: int = 1
    update_reason: str | None = Field(
        None, description="Why an update of a cluster is significant (set only when is_update)")

    def alert_tags(self) -> list[str]:
        """Names of the tags that alert by default."""
        return [t.name for t in self.tags if t.alert]
