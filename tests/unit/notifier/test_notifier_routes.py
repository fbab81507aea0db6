"""Routing: subscription filters, quiet hours across time zones, digest schedules."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.notifier.routes import in_quiet_hours, matches, next_digest_due
from shared.config import Digest, QuietHours, Subscription
from shared.schemas import Article, Event, Modality, Tag


def sub(**kwargs: object) -> Subscription:
    return Subscription.model_validate({"name": "s", "urls": ["json://127.0.0.1/x"], **kwargs})


def event(*tags: Tag, feed: str = "reuters", kind: str = "article", update: bool = False) -> Event:
    article = Article(id="a", feed=feed, title="t")
    return Event(id="e", kind=kind, article=article, tags=list(tags), is_update=update)


STRIKE = Tag(name="military_strike", confidence=0.9, fields={"country": ["Iran"]})
SANCTION = Tag(name="sanction", confidence=0.6, fields={"country": ["Russia"]})
THREAT = Tag(name="military_strike", modality=Modality.THREATENED, confidence=0.95)


def test_default_subscription_gets_alerting_event_tags() -> None:
    """Defaults: both event types, alerting modalities, any match."""
    assert matches(sub(), event(STRIKE, SANCTION)) == ["military_strike", "sanction"]
    assert matches(sub(), event()) == []


def test_modality_filter() -> None:
    """A threatened strike is not an alert unless the subscription opts into 'threatened'."""
    assert matches(sub(), event(THREAT)) == []
    assert matches(sub(modalities=["occurred", "threatened"]), event(THREAT)) == ["military_strike"]


def test_min_confidence() -> None:
    """Tags under min_confidence do not count."""
    assert matches(sub(min_confidence=0.7), event(STRIKE, SANCTION)) == ["military_strike"]
    assert matches(sub(min_confidence=0.95), event(STRIKE, SANCTION)) == []


def test_tag_filter_any_and_all() -> None:
    """match=all needs every subscribed tag among the eligible tags."""
    both = sub(tags=["military_strike", "sanction"], match="all")
    assert matches(both, event(STRIKE)) == []
    assert matches(both, event(STRIKE, SANCTION)) == ["military_strike", "sanction"]
    assert matches(
        both,
        event(STRIKE, SANCTION.model_copy(update={"confidence": 0.1})),
    ) == ["military_strike", "sanction"]
    assert matches(sub(tags=["sanction"]), event(STRIKE)) == []
    assert matches(sub(tags=["sanction"]), event(STRIKE, SANCTION)) == ["sanction"]


def test_all_match_respects_modality() -> None:
    """An ineligible tag cannot satisfy match=all."""
    both = sub(tags=["military_strike", "sanction"], match="all", min_confidence=0.7)
    assert matches(both, event(STRIKE, SANCTION)) == []


def test_feeds_filter() -> None:
    """Only the listed feeds reach a subscription with a feeds filter."""
    assert matches(sub(feeds=["ap"]), event(STRIKE)) == []
    assert matches(sub(feeds=["ap", "reuters"]), event(STRIKE)) == ["military_strike"]


def test_countries_filter_case_insensitive() -> None:
    """countries matches any selected tag's country field, ignoring case."""
    assert matches(sub(countries=["iran"]), event(STRIKE, SANCTION)) == [
        "military_strike",
        "sanction",
    ]
    assert matches(sub(countries=["IRAN"], tags=["sanction"]), event(STRIKE, SANCTION)) == []
    assert matches(sub(countries=["china"]), event(STRIKE, SANCTION)) == []
    assert matches(sub(countries=["iran"]), event(Tag(name="military_strike"))) == []


def test_feed_health_events() -> None:
    """Feed-health events go to subscriptions with feed_health=True only."""
    health = event(kind="feed_health")
    assert matches(sub(), health) == ["feed_health"]
    assert matches(sub(feed_health=False), health) == []
    assert matches(sub(feeds=["other"]), health) == []


def test_updates_need_opt_in() -> None:
    """Updates of known stories only reach subscriptions with updates=significant."""
    assert matches(sub(), event(STRIKE, update=True)) == []
    assert matches(sub(updates="significant"), event(STRIKE, update=True)) == ["military_strike"]


def quiet(start: str, end: str, tz: str, except_tags: list[str] | None = None) -> Subscription:
    return sub(
        quiet_hours=QuietHours(start=start, end=end, timezone=tz, except_tags=except_tags or [])
    )


@pytest.mark.parametrize(
    ("tz", "utc_hour", "expected"),
    [
        ("Europe/Berlin", 21, True),  # 23:00 CEST (summer, UTC+2)
        ("Europe/Berlin", 19, False),  # 21:00 CEST
        ("Europe/Berlin", 4, True),  # 06:00 CEST, before 07:00
        ("Europe/Berlin", 5, False),  # 07:00 CEST: the end is exclusive
        ("America/New_York", 3, True),  # 23:00 EDT the previous day
        ("America/New_York", 12, False),  # 08:00 EDT
        ("Asia/Tokyo", 14, True),  # 23:00 JST
        ("Asia/Tokyo", 0, False),  # 09:00 JST
        ("Asia/Kolkata", 17, True),  # 22:30 IST (UTC+5:30)
        ("UTC", 22, True),
    ],
)
def test_quiet_hours_across_midnight(tz: str, utc_hour: int, expected: bool) -> None:
    """22:00-07:00 local wall clock in several zones, on a fixed July date."""
    now = datetime(2024, 7, 10, utc_hour, 0, tzinfo=UTC)
    assert in_quiet_hours(quiet("22:00", "07:00", tz), now, ["military_strike"]) is expected


def test_quiet_hours_daytime_window_and_winter_offset() -> None:
    """A same-day window, evaluated in winter (CET = UTC+1)."""
    berlin = quiet("12:00", "14:00", "Europe/Berlin")
    assert in_quiet_hours(berlin, datetime(2024, 1, 10, 11, 30, tzinfo=UTC), [])
    assert not in_quiet_hours(berlin, datetime(2024, 1, 10, 13, 0, tzinfo=UTC), [])


def test_quiet_hours_except_tags_and_edge_cases() -> None:
    """except_tags overrides; no window, or start == end, is never quiet; naive = UTC."""
    s = quiet("00:00", "23:59", "UTC", except_tags=["military_strike"])
    now = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
    assert in_quiet_hours(s, now, ["sanction"])
    assert not in_quiet_hours(s, now, ["sanction", "military_strike"])
    assert not in_quiet_hours(sub(), now, [])
    assert not in_quiet_hours(quiet("08:00", "08:00", "UTC"), now, [])
    assert in_quiet_hours(s, datetime(2024, 3, 1, 12, 0), [])  # noqa: DTZ001


def digest_sub(**digest: object) -> Subscription:
    return sub(mode="digest", digest=Digest.model_validate(digest))


def test_digest_every() -> None:
    """every=N: due N seconds after the last digest; immediately if none was sent."""
    s = digest_sub(every="30m")
    now = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    assert next_digest_due(s, None, now) == now
    assert next_digest_due(s, now - timedelta(minutes=10), now) == now + timedelta(minutes=20)


def test_digest_daily_at_in_timezone() -> None:
    """at=08:00 Europe/Berlin is 06:00 UTC in summer and 07:00 UTC in winter."""
    s = digest_sub(at="08:00", timezone="Europe/Berlin")
    summer = datetime(2024, 7, 1, 10, 0, tzinfo=UTC)
    assert next_digest_due(s, None, summer) == datetime(2024, 7, 2, 6, 0, tzinfo=UTC)
    last = datetime(2024, 7, 1, 6, 0, 5, tzinfo=UTC)
    assert next_digest_due(s, last, summer) == datetime(2024, 7, 2, 6, 0, tzinfo=UTC)
    winter_last = datetime(2024, 1, 1, 5, 0, tzinfo=UTC)
    assert next_digest_due(s, winter_last, winter_last) == datetime(2024, 1, 1, 7, 0, tzinfo=UTC)


def test_digest_overdue_is_in_the_past() -> None:
    """A digest missed while the service was down is due (<= now) at once."""
    s = digest_sub(at="08:00", timezone="America/New_York")
    last = datetime(2024, 7, 1, 12, 1, tzinfo=UTC)  # 08:01 EDT
    now = datetime(2024, 7, 3, 18, 0, tzinfo=UTC)
    due = next_digest_due(s, last, now)
    assert due == datetime(2024, 7, 2, 12, 0, tzinfo=UTC)
    assert due <= now


def test_digest_dst_transition_and_defaults() -> None:
    """Across the spring-forward night the local time still holds; no schedule = hourly."""
    s = digest_sub(at="08:00", timezone="Europe/Berlin")
    last = datetime(2024, 3, 30, 7, 0, tzinfo=UTC)  # 08:00 CET, the day before DST starts
    due = next_digest_due(s, last, last)
    assert due.astimezone(ZoneInfo("Europe/Berlin")).hour == 8
    assert due - last == timedelta(hours=23)
    now = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    assert next_digest_due(sub(mode="digest"), now, now) == now + timedelta(hours=1)
    both = digest_sub(every="2h", at="13:00")
    assert next_digest_due(both, now, now) == datetime(2024, 5, 1, 13, 0, tzinfo=UTC)


def test_countries_filter_by_code_or_common_name() -> None:
    """An ISO code or a common short name selects the country the classifier names in full."""
    russia = Tag(name="military_strike", confidence=0.9, fields={"country": ["Russian Federation"]})
    assert matches(sub(countries=["IR"]), event(STRIKE)) == ["military_strike"]
    assert matches(sub(countries=["Russia"]), event(russia)) == ["military_strike"]
    assert matches(sub(countries=["RU"]), event(STRIKE)) == []
