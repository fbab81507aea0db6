"""Synthetic watch topics for bench_growth.py, and the pre-growth per-topic matcher that the
grown ``WatchMatcher`` is measured against."""

import random
import re

import re2  # type: ignore[import-untyped,unused-ignore]

from services.classifier.rules.sentences import split_sentences
from services.classifier.watch import normalise
from shared.config import WatchTopic

SYLLABLES = ("ka", "lor", "mi", "ren", "sut", "vo", "dra", "pel", "zin", "quo", "bre", "tam")
# A few names real news mentions, so that some topics fire and build evidence.
REAL = ("Iran", "Ukraine", "Gaza", "NATO", "oil prices", "China", "election", "Red Sea",
        "Kyiv", "central bank", "OPEC", "Taiwan", "wildfire", "Syria", "inflation")
PATTERNS = (r"\b\d+ (?:killed|dead)\b", r"\$\d+(?:\.\d+)? (?:million|billion)",
            r"\bcve-\d{4}-\d+", r"\b[a-z]+gate\b")


def make_topics(count: int, real: bool = True, seed: int = 11) -> list[WatchTopic]:
    """Synthetic topics: made-up phrases, one in ten with a real name (unless not ``real``),
    some with all/none/regex lists."""
    rng = random.Random(seed)

    def phrase() -> str:
        return " ".join("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
                        for _ in range(rng.randint(1, 3)))

    topics = []
    for n in range(count):
        lists: dict[str, list[str]] = {"any": [phrase() for _ in range(rng.randint(1, 4))]}
        if real and n % 10 == 0:
            lists["any"].append(REAL[n // 10 % len(REAL)])
        if n % 5 == 1:
            lists["all"] = [phrase()]
        if n % 7 == 2:
            lists["none"] = [phrase()]
        if n % 20 == 3:
            lists["regex"] = [PATTERNS[n // 20 % len(PATTERNS)] if n % 40 == 3
                              else rf"\b{phrase().split()[0]}[- ]?\d+"]
        topics.append(WatchTopic(name=f"topic-{n}", **lists))
    return topics


def phrase_rx(phrases: list[str]) -> re.Pattern[str] | None:
    keys = sorted({normalise(p).strip() for p in phrases} - {""}, key=len, reverse=True)
    if not keys:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(k) for k in keys) + r")(?!\w)")


class NaiveMatcher:
    """The pre-growth loop: per topic, its own phrase regexes and RE2 patterns, one by one."""

    def __init__(self, topics: list[WatchTopic]) -> None:
        self.topics = [(t.name, phrase_rx(t.any),
                        [rx for p in t.all if (rx := phrase_rx([p])) is not None],
                        phrase_rx(t.none), [re2.compile("(?i)" + p) for p in t.regex])
                       for t in topics]

    def match(self, title: str, summary: str) -> list[str]:
        if not self.topics:
            return []
        sentences = split_sentences(title, summary)
        whole = "\n".join(normalise(s.text) for s in sentences)
        folds = [s.low for s in sentences]
        names = []
        for name, any_rx, all_rx, none_rx, regexes in self.topics:
            if (none_rx and none_rx.search(whole)) or not all(
                    rx.search(whole) for rx in all_rx):
                continue
            hit = bool(any_rx and any_rx.search(whole)) or any(
                rx.search(f) for rx in regexes for f in folds)
            if hit or (any_rx is None and not regexes and all_rx):
                names.append(name)
        return names
