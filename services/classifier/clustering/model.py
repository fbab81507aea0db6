"""What clustering decides with: its thresholds, one report's features, a candidate cluster,
the plan a store commits and the assignment it returns, and the store interface."""

from dataclasses import dataclass, field
from typing import Final, Protocol

from services.classifier.clustering.similarity import Profile
from shared.config import ClusterSettings

# The candidate walk of both stores: the latest PER_KEY clusters per bucket, at most
# MAX_CANDIDATES clusters. A report shares many buckets with its own story, so small bounds
# lose nothing on the labelled set (8/32 and 16/64 give the same P/R) and halve Redis's work.
PER_KEY: Final = 8
MAX_CANDIDATES: Final = 32
# Enough members to catch differently-worded reports, bounded so scoring stays cheap; the
# latest ones are kept because resemblance decays with time.
MAX_MEMBERS_SCORED: Final = 8


@dataclass(frozen=True)
class Thresholds:
    """Resemblance needed to join: text alone, text plus a shared key fact, or text plus a
    shared city; ``scale`` is the time (seconds) over which resemblance decays by a factor e.

    The three thresholds come from the ``classifier.cluster`` config (its defaults were
    chosen on the labelled clusters, see docs/benchmarks.md): build them with :meth:`of`.
    """

    text: float
    with_fact: float
    with_place: float
    # A report naming a town, region or sanctioning state its would-be companion does not.
    specific: float = 0.15
    # A shared town lowers the bar for reports at most this far apart (seconds).
    place_span: float = 24 * 3600.0
    # After this long (seconds) since a cluster's first report, joining needs the town or
    # the ``specific`` bar.
    fresh: float = 18 * 3600.0
    scale: float = 36 * 3600.0

    @classmethod
    def of(cls, settings: ClusterSettings) -> "Thresholds":
        """The thresholds a ``classifier.cluster`` config section sets."""
        return cls(settings.text_threshold, settings.fact_threshold, settings.place_threshold)


@dataclass
class Features:
    """What clustering needs from one tagged article."""

    kind: str
    signature: tuple[int, ...]
    profile: Profile
    facts: set[str]
    novelty: list[str]
    casualties: int
    alerting: bool
    when: float


@dataclass
class Candidate:
    """An open cluster found through a shared bucket; ``opened`` is its first report's time,
    ``head`` that report (what the alert said), ``members`` the latest reports."""

    id: str
    members: list[Profile]
    facts: set[str]
    opened: float = 0.0
    head: Profile | None = None


@dataclass
class Plan:
    """The decision to commit: join ``cluster_id`` or create ``new_id``."""

    article_id: str
    features: Features
    keys: list[str]
    seen: list[str]
    member: dict[str, str]
    cluster_id: str | None
    new_id: str
    window: float


@dataclass
class Assignment:
    """Result of a commit, as it goes on the event."""

    cluster_id: str
    is_update: bool
    sources: int
    reasons: list[str] = field(default_factory=list)


class ClusterStore(Protocol):
    """Where open clusters live (Redis in production, a dict for benchmarks)."""

    async def candidates(self, keys: list[str], since: float) -> list[Candidate]: ...

    async def commit(self, plan: Plan) -> Assignment | None: ...
