"""Watch topics at scale: one shared phrase automaton and regex set behave like per-topic rules."""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from services.classifier.watch import WatchMatcher, normalise
from shared.config import WatchTopic

# Made-up words, so no synthetic topic can collide with the sentences below by accident.
_SYLLABLES = ("zor", "vek", "quil", "mab", "tesh", "drun", "pex", "olk")


def _words(count: int) -> list[str]:
    return [a + b + c + d for a in _SYLLABLES for b in _SYLLABLES for c in _SYLLABLES
            for d in _SYLLABLES][:count]


def _filler(count: int) -> list[WatchTopic]:
    """Topic n: any = [word 3n, "word 3n+1 word 3n+2"], plus a regex on every 50th topic."""
    words = _words(3 * count)
    return [WatchTopic(name=f"filler-{n}", any=[words[3 * n], f"{words[3 * n + 1]} "
                                                              f"{words[3 * n + 2]}"],
                       regex=[rf"\b{words[3 * n + 1]}\d+"] if n % 50 == 0 else [])
            for n in range(count)]


def _names(matcher: WatchMatcher, title: str, summary: str = "") -> list[str]:
    return [t.name for t in matcher.match(title, summary)]


def test_many_topics_only_the_matching_ones_fire() -> None:
    """With 1,000 topics configured, only the topics whose phrases occur produce tags."""
    filler, words = _filler(1000), _words(3000)
    topics = [*filler[:500], WatchTopic(name="ports", any=["Odesa"]), *filler[500:],
              WatchTopic(name="cve", regex=[r"cve-\d{4}-\d+"]),
              WatchTopic(name="quiet", any=["Lisbon"])]
    matcher = WatchMatcher(topics)
    tags = matcher.match("Drones hit the port of Odesa", "Vendors patch CVE-2025-0101 today.")
    assert [t.name for t in tags] == ["ports", "cve"]
    assert [e.cues for e in tags[1].evidence] == [["cve-2025-0101"]]
    text = f"{words[3 * 7]} then {words[3 * 900 + 1]} {words[3 * 900 + 2]}; {words[3 * 950 + 1]}7"
    assert _names(matcher, text) == ["filler-7", "filler-900", "filler-950"]
    assert _names(matcher, f"{words[3 * 900 + 1]} alone, {words[3 * 7]}s") == []


def test_overlapping_phrases_of_different_topics_all_fire() -> None:
    """Phrases that overlap or nest in one sentence each count for their own topic."""
    matcher = WatchMatcher([WatchTopic(name="red-sea", any=["Red Sea"]),
                            WatchTopic(name="sea-shipping", any=["sea shipping"]),
                            WatchTopic(name="sea", any=["sea"]),
                            WatchTopic(name="needs-both", all=["red sea", "shipping"])])
    assert _names(matcher, "Red Sea shipping insurers raise rates") == [
        "red-sea", "sea-shipping", "sea", "needs-both"]


def test_overlapping_phrases_in_one_topic_report_the_longest_leftmost() -> None:
    """Within one topic, nested phrases give one cue per stretch of text: the longest."""
    matcher = WatchMatcher([WatchTopic(name="gulf", any=["gulf", "gulf of aden", "aden"])])
    tag = matcher.match("Gulf of Aden convoy turns back", "")[0]
    assert tag.evidence[0].cues == ["gulf of aden"]


def test_word_boundaries_hold_for_every_phrase_in_the_automaton() -> None:
    """A phrase inside a longer word, number or identifier is not a hit."""
    matcher = WatchMatcher([*_filler(100), WatchTopic(name="us", any=["US"]),
                            WatchTopic(name="f16", any=["F-16"]),
                            WatchTopic(name="ran", any=["ran"])])
    assert _names(matcher, "Iranian buses and USA trucks", "F-160 and F_16 and F-16s") == []
    assert _names(matcher, "US sends F 16 jets; Iran ran drills") == ["us", "f16", "ran"]


def test_unicode_case_and_diacritics_with_non_ascii_word_boundaries() -> None:
    """Case and accents fold away in any script, and non-ASCII letters still bound words."""
    matcher = WatchMatcher([*_filler(100), WatchTopic(name="zurich", any=["Zürich"]),
                            WatchTopic(name="istanbul", any=["istanbul"]),
                            WatchTopic(name="kyiv", any=["Київ"])])
    assert _names(matcher, "ZURICH and İSTANBUL talks", "Делегація прибула до КИЇВ.") == [
        "zurich", "istanbul", "kyiv"]
    assert _names(matcher, "Zürichsee ferries, Istanbulspor wins", "Київщина готується.") == []


def test_none_veto_applies_only_to_its_own_topic() -> None:
    """A 'none' phrase of one topic does not veto another topic sharing its phrases."""
    matcher = WatchMatcher([WatchTopic(name="a", any=["Baghdad"], none=["airport"]),
                            WatchTopic(name="b", any=["Baghdad", "airport"])])
    tags = matcher.match("Baghdad airport reopens", "")
    assert [t.name for t in tags] == ["b"]
    assert tags[0].evidence[0].cues == ["baghdad", "airport"]


_WORDS = st.sampled_from(["ab", "a", "b", "ab-a", "ba", "a b", "é", "e"])


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(st.lists(_WORDS, min_size=1, max_size=3), min_size=1, max_size=6),
       st.lists(st.sampled_from(["ab", "a", "b", "ba", "e", "É", "-", " ", "x"]), max_size=12))
def test_shared_automaton_fires_exactly_like_one_regex_per_topic(
        phrase_lists: list[list[str]], words: list[str]) -> None:
    """Each topic fires iff its own whole-word regex finds one of its phrases."""
    topics = [WatchTopic(name=f"t{n}", any=p) for n, p in enumerate(phrase_lists)]
    text = " ".join(words)
    expected = [t.name for t in topics if any(
        re.search(rf"(?<!\w){re.escape(normalise(p).strip())}(?!\w)", normalise(text))
        for p in t.any if normalise(p).strip())]
    assert _names(WatchMatcher(topics), text) == expected
