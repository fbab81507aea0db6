"""The one typed settings object: YAML file, ``NEWSALERT_...`` env overrides, ``${VAR}`` secrets."""

import os
import zoneinfo
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

import re2
from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    ValidationInfo,
    field_validator,
)

from shared import crosscheck, templating
from shared.countries import check_country
from shared.schemas import (
    ALERTING_MODALITIES,
    NAME_MAX,
    URL_MAX,
    EventType,
    Modality,
)
from shared.service_settings import (
    ConsumeSettings,
    HistorySettings,
    MetricsSettings,
    OpsSettings,
)
from shared.settings_base import Seconds, Strict, http_url, slug
from shared.web_settings import WebSettings


def _timezone(value: str) -> str:
    # A bad zone would otherwise only fail when the first digest or quiet hour is computed,
    # dead-lettering every event of the subscription.
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError("unknown time zone; use an IANA name such as 'Europe/Paris' or "
                         "'UTC'") from None
    return value


TimeZone = Annotated[str, AfterValidator(_timezone)]
Country = Annotated[str, AfterValidator(check_country)]


class RedisSettings(Strict):
    url: str | None = Field(None, description="redis://host:port/db; absent: embedded Redis")
    cluster: bool = Field(False, description="url is a seed node of a Redis Cluster")

    @field_validator("url")
    @classmethod
    def _check(cls, value: str | None) -> str | None:
        if value is not None and urlsplit(value).scheme not in ("redis", "rediss", "unix"):
            raise ValueError("must start with redis://, rediss:// or unix://")
        return value

    def model_post_init(self, _context: Any) -> None:
        # The embedded Redis is a single server, and a cluster is reached over TCP only.
        if self.cluster and (self.url is None or self.url.startswith("unix://")):
            raise ValueError("redis.cluster: needs redis.url set to a redis:// or rediss:// node")


class PollerSettings(Strict):
    allow_private_hosts: list[str] = Field(default_factory=list)
    concurrency: int = Field(20, ge=1, le=1000)
    per_host: int = Field(2, ge=1, le=100)
    timeout: Seconds = 30.0
    max_bytes: int = Field(5 << 20, ge=1024)
    max_redirects: int = Field(5, ge=0, le=20)
    user_agent: str = "newsalert/0.1 (+https://github.com/newsalert/newsalert)"
    seen_ttl: Seconds = 30 * 86400.0
    failure_threshold: int = Field(5, ge=1)
    max_backoff: Seconds = 3600.0


class Feed(Strict):
    # Capped like the wire fields they become (Article.feed_url, Article.feed).
    url: Annotated[str, BeforeValidator(str), Field(max_length=URL_MAX)]
    name: str = Field("", max_length=NAME_MAX)
    interval: Seconds = 300.0
    backfill: int = Field(0, ge=0, le=1000)

    _url = field_validator("url")(classmethod(lambda cls, v: http_url(v)))

    def label(self) -> str:
        """Name shown to users: the configured name, else the URL's host."""
        return self.name or (urlsplit(self.url).hostname or self.url)


class WatchTopic(Strict):
    name: Annotated[str, BeforeValidator(slug)]
    any: list[str] = Field(default_factory=list)
    all: list[str] = Field(default_factory=list)
    none: list[str] = Field(default_factory=list)
    regex: list[str] = Field(default_factory=list)

    @field_validator("any", "all", "none", "regex")
    @classmethod
    def _no_blank(cls, values: list[str]) -> list[str]:
        if any(not v.strip() for v in values):
            raise ValueError("phrases must not be empty")
        return values

    @field_validator("regex")
    @classmethod
    def _re2(cls, values: list[str], info: ValidationInfo) -> list[str]:
        # RE2 runs in linear time, so no user pattern can hang the classifier.
        for pattern in values:
            try:
                re2.compile(pattern)
            except re2.error as exc:
                topic = info.data.get("name", "?")
                raise ValueError(
                    f"watch topic {topic!r}: invalid RE2 pattern {pattern!r}: {exc}") from None
        return values

    def model_post_init(self, _context: Any) -> None:
        if not (self.any or self.all or self.regex):
            raise ValueError("a watch topic needs at least one of: any, all, regex")


class QuietHours(Strict):
    start: str = Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    end: str = Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    timezone: TimeZone = "UTC"
    except_tags: list[str] = Field(default_factory=list)


class Digest(Strict):
    every: Seconds | None = None
    at: str | None = Field(None, pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    timezone: TimeZone = "UTC"


class TemplatePair(Strict):
    title: str | None = None
    body: str | None = None

    @field_validator("title", "body")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        return None if value is None else templating.check(value)


class AlertTemplates(Strict):
    """Per-format templates; a channel uses the one of its format, else the built-in one."""

    text: TemplatePair | None = None
    markdown: TemplatePair | None = None
    html: TemplatePair | None = None


class Subscription(Strict):
    name: Annotated[str, BeforeValidator(slug)]
    urls: list[str] = Field(min_length=1)
    tags: list[str] = Field(default_factory=lambda: [t.value for t in EventType])
    match: Literal["any", "all"] = "any"
    min_confidence: float = Field(0.0, ge=0.0, le=1.0)
    modalities: list[Modality] = Field(default_factory=lambda: sorted(ALERTING_MODALITIES))
    feeds: list[str] = Field(default_factory=list)
    countries: list[Country] = Field(default_factory=list)
    mode: Literal["immediate", "digest"] = "immediate"
    digest: Digest | None = None
    quiet_hours: QuietHours | None = None
    updates: Literal["none", "significant"] = "none"
    feed_health: bool = True
    template: AlertTemplates | None = None
    payload: Literal["text", "json"] = Field(
        "text", description="json: json:// and webhook URLs get the structured JSON document")

    @field_validator("tags")
    @classmethod
    def _tags(cls, values: list[str]) -> list[str]:
        if not values:
            raise ValueError("list must not be empty")
        return [slug(v) for v in values]


class ClusterSettings(Strict):
    enabled: bool = True
    window: Seconds = 48 * 3600.0
    text_threshold: float = Field(0.075, gt=0.0, le=1.0)
    fact_threshold: float = Field(0.05, gt=0.0, le=1.0)
    place_threshold: float = Field(0.03, gt=0.0, le=1.0)


class ClassifierSettings(Strict):
    cluster: ClusterSettings = ClusterSettings()
    # Off until the hybrid beats the rules on the frozen split (docs/benchmarks.md).
    learned: bool = Field(False, description="Let the trained model decide which tags alert")


class NotifierSettings(Strict):
    # A failed delivery is retried (capped exponential backoff) until it is this old, so a
    # channel outage shorter than this loses nothing; then it goes to the dead-letter stream.
    retry_for: Seconds = 86400.0
    max_attempts: int | None = Field(None, ge=1, le=100_000,
                                     description="Optional cap on attempts per delivery")
    retry_base: Seconds = 2.0
    retry_max: Seconds = 600.0
    timeout: Seconds = 20.0
    circuit_failures: int = Field(5, ge=1)
    circuit_open: Seconds = 60.0


class AppConfig(Strict):
    redis: RedisSettings = RedisSettings()
    data_dir: Path = Path("./.newsalert")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    reload_interval: Seconds = Field(1.0, description="How often every service checks the file")
    reload_grace: Seconds = Field(30.0, ge=0, description="How long a suspicious edit (empty, "
                                  "or dropping most subscriptions) must stay before it applies")
    poller: PollerSettings = PollerSettings()
    feeds: list[Feed] = Field(default_factory=list)
    watch: list[WatchTopic] = Field(default_factory=list)
    subscriptions: list[Subscription] = Field(default_factory=list)
    classifier: ClassifierSettings = ClassifierSettings()
    notifier: NotifierSettings = NotifierSettings()
    consume: ConsumeSettings = ConsumeSettings()
    metrics: MetricsSettings = MetricsSettings()
    ops: OpsSettings = OpsSettings()
    history: HistorySettings = HistorySettings()
    web: WebSettings = WebSettings()
    source: Path | None = Field(None, exclude=True, description="File the config came from")

    def model_post_init(self, _context: Any) -> None:
        crosscheck.check(self)


def default_path() -> Path:
    """``$NEWSALERT_CONFIG`` when set, else ``./config.yaml``."""
    return Path(os.environ.get("NEWSALERT_CONFIG") or "config.yaml")


