"""Watch topics: whole-word, case/diacritics-insensitive phrases, all/none, RE2 regexes."""

import pytest

from services.classifier.classify import classify_article
from services.classifier.watch import WatchMatcher, compile_topics
from shared.config import WatchTopic
from shared.schemas import Modality


def _names(matcher: WatchMatcher, title: str, summary: str = "") -> list[str]:
    return [t.name for t in matcher.match(title, summary)]


def test_diacritics_apostrophes_and_case_are_ignored() -> None:
    """A plain-ASCII phrase matches accented, apostrophised and upper-case spellings."""
    matcher = WatchMatcher([WatchTopic(name="kh", any=["kataib hizballah"])])
    assert _names(matcher, "New statement from KATA'IB HIZBALLĀH leadership") == ["kh"]
    accented = WatchMatcher([WatchTopic(name="kh", any=["Kata'ib Hizballāh"])])
    assert _names(accented, "Kataib Hizballah claims the attack") == ["kh"]


def test_phrases_match_whole_words_only() -> None:
    """'Iran' does not match 'Iranian'; demonyms must be listed as their own phrases."""
    matcher = WatchMatcher([WatchTopic(name="iran", any=["Iran"])])
    assert _names(matcher, "Iranian officials meet in Geneva") == []
    assert _names(matcher, "Talks with Iran resume in Geneva") == ["iran"]


def test_none_excludes_and_all_requires_every_phrase() -> None:
    """A 'none' phrase vetoes the topic; every 'all' phrase must appear somewhere."""
    topic = WatchTopic(name="red-sea", all=["Red Sea", "shipping"], none=["football"])
    matcher = WatchMatcher([topic])
    assert _names(matcher, "Red Sea shipping insurers raise rates") == ["red-sea"]
    assert _names(matcher, "Red Sea resorts reopen") == []
    assert _names(matcher, "Red Sea shipping", "A football match was postponed.") == []


def test_any_and_all_combine() -> None:
    """With both lists, all 'all' phrases and at least one 'any' phrase are required."""
    topic = WatchTopic(name="ports", any=["Odesa", "Izmail"], all=["port"])
    matcher = WatchMatcher([topic])
    assert _names(matcher, "Port of Izmail reopens") == ["ports"]
    assert _names(matcher, "Odesa opera season opens") == []


def test_regex_topics_use_re2_case_insensitively() -> None:
    """Regex patterns match (ignoring case) and their matches become evidence cues."""
    matcher = WatchMatcher([WatchTopic(name="cve", regex=[r"cve-\d{4}-\d+"])])
    tags = matcher.match("Patch released", "The flaw, CVE-2024-12345, is exploited.")
    assert [t.name for t in tags] == ["cve"]
    assert tags[0].evidence[0].cues == ["cve-2024-12345"]
    assert tags[0].evidence[0].sentence == "The flaw, CVE-2024-12345, is exploited."


def test_watch_tag_shape() -> None:
    """A watch match is kind=watch, modality occurred, alert, confidence 1.0, with evidence."""
    tag = WatchMatcher([WatchTopic(name="kh", any=["Fly Baghdad"])]).match(
        "Airline Fly Baghdad suspends flights", "")[0]
    assert (tag.kind, tag.modality, tag.alert, tag.confidence) == (
        "watch", Modality.OCCURRED, True, 1.0)
    assert tag.evidence[0].cues == ["fly baghdad"]


def test_invalid_regex_raises_value_error_naming_topic_and_pattern() -> None:
    """A bad regex fails compilation with a ValueError naming the topic and the pattern."""
    with pytest.raises(ValueError, match=r"'broken'.*'\(unclosed'"):
        compile_topics([WatchTopic(name="broken", regex=["(unclosed"])])


def test_backtracking_regex_is_linear_time() -> None:
    """RE2 handles patterns that would backtrack catastrophically in the stdlib engine."""
    matcher = WatchMatcher([WatchTopic(name="evil", regex=[r"(a+)+$"])])
    assert _names(matcher, "a" * 5000 + "!") == []


def test_classify_article_appends_watch_tags() -> None:
    """classify_article returns event tags and watch tags together."""
    matcher = WatchMatcher([WatchTopic(name="iraq", any=["Iraq"])])
    tags = classify_article("US jets strike militia depots in Iraq", "", matcher)
    assert [t.name for t in tags] == ["military_strike", "iraq"]
    assert classify_article("Quiet day in Iraq", "", None) == []
