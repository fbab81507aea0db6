"""User watch topics: phrase lists (any/all/none) and RE2 regexes matched per sentence.

Phrases match whole words, ignoring case, diacritics, apostrophes and hyphen/space
differences: "Hizballah" matches "Hizballāh", "Kataib" matches "Kata'ib", but "Iran" does
not match "Iranian" (list the demonym as its own phrase when it is wanted).

The cost per article is nearly flat in the number of topics: the phrases of every topic
share one Aho-Corasick automaton, scanned once per article, and the regexes of every topic
share one RE2 set, scanned once per sentence. Only the topics with a hit are then decided.
"""

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import ahocorasick
import re2  # type: ignore[import-untyped,unused-ignore]

from services.classifier.rules.sentences import Sentence, fold, split_sentences
from shared.config import WatchTopic
from shared.schemas import Evidence, Modality, Tag

_SEPARATORS = re.compile(r"[\s-]+")


def normalise(text: str) -> str:
    """The form both phrases and texts are compared in."""
    return _squash(fold(text))


def _squash(folded: str) -> str:
    return _SEPARATORS.sub(" ", folded.replace("'", ""))


def _keys(phrases: Iterable[str]) -> tuple[str, ...]:
    # Order kept (and duplicates dropped) so evidence lists 'all' phrases as configured.
    return tuple(dict.fromkeys(k for p in phrases if (k := normalise(p).strip())))


@dataclass(frozen=True, slots=True)
class CompiledTopic:
    """One topic with its phrases normalised and its regexes compiled."""

    name: str
    any: frozenset[str]
    all: tuple[str, ...]
    none: frozenset[str]
    regex: tuple[Any, ...]


def _compile_regex(topic: WatchTopic, pattern: str) -> Any:
    try:
        return re2.compile("(?i)" + pattern)
    except re2.error as exc:
        reason = exc.args[0] if exc.args else exc
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        raise ValueError(
            f"watch topic {topic.name!r}: invalid regex {pattern!r}: {reason}"
        ) from None


def compile_topics(topics: Sequence[WatchTopic]) -> list[CompiledTopic]:
    """Compile every topic; a bad regex raises ValueError naming the topic and the pattern."""
    return [CompiledTopic(name=topic.name, any=frozenset(_keys(topic.any)),
                          all=_keys(topic.all), none=frozenset(_keys(topic.none)),
                          regex=tuple(_compile_regex(topic, p) for p in topic.regex))
            for topic in topics]


class _Hit(NamedTuple):
    start: int
    end: int
    key: str
    sentence: int


@dataclass(frozen=True, slots=True)
class _Text:
    sentences: list[Sentence]
    folds: list[str]
    whole: str
    starts: list[int]

    @classmethod
    def of(cls, sentences: list[Sentence]) -> "_Text":
        norms = [_squash(s.low) for s in sentences]  # s.low is already fold(s.text)
        starts, offset = [], 0
        for norm in norms:
            starts.append(offset)
            offset += len(norm) + 1
        # Phrases never contain a newline, so no hit in the joined text spans two sentences.
        return cls(sentences, [s.low for s in sentences], "\n".join(norms), starts)


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"  # exactly what Python's \w accepts


def _whole_word(text: str, start: int, end: int) -> bool:
    return ((start == 0 or not _is_word(text[start - 1]))
            and (end == len(text) or not _is_word(text[end])))


def _automaton(topics: Sequence[CompiledTopic]) -> Any:
    owners: dict[str, list[int]] = {}
    for index, topic in enumerate(topics):
        for key in topic.any | topic.none | set(topic.all):
            owners.setdefault(key, []).append(index)
    if not owners:
        return None
    automaton = ahocorasick.Automaton()
    for key, indices in owners.items():
        automaton.add_word(key, (key, tuple(indices)))
    automaton.make_automaton()
    return automaton


def _regex_set(topics: Sequence[CompiledTopic]) -> tuple[Any, list[tuple[int, int]]]:
    owners = [(t, j) for t, topic in enumerate(topics) for j in range(len(topic.regex))]
    if not owners:
        return None, owners
    patterns = re2.Set.SearchSet()
    for t, j in owners:
        patterns.Add(topics[t].regex[j].pattern)
    patterns.Compile()
    return patterns, owners


def _leftmost_longest(hits: list[_Hit]) -> list[tuple[int, str]]:
    """Non-overlapping hits as one alternation regex would find them (``hits`` sorted)."""
    out, end = [], -1
    for hit in hits:
        if hit.start >= end:
            out.append((hit.sentence, hit.key))
            end = hit.end
    return out


def _match_topic(topic: CompiledTopic, text: _Text, hits: list[_Hit],
                 regex_sentences: dict[int, list[int]]) -> Tag | None:
    """``hits``: this topic's phrase hits, sorted; ``regex_sentences``: pattern → sentences."""
    if any(hit.key in topic.none for hit in hits):
        return None
    found: list[tuple[int, str]] = []
    for key in topic.all:
        first = next((hit for hit in hits if hit.key == key), None)
        if first is None:
            return None
        found.append((first.sentence, key))
    optional = [(i, m.group()) for j, rx in enumerate(topic.regex)
                for i in regex_sentences.get(j, ()) for m in rx.finditer(text.folds[i])]
    optional += _leftmost_longest([hit for hit in hits if hit.key in topic.any])
    if not optional and (topic.any or topic.regex or not topic.all):
        return None
    return _tag(topic.name, text, found + optional)


def _tag(name: str, text: _Text, found: list[tuple[int, str]]) -> Tag:
    by_sentence: dict[int, list[str]] = {}
    for index, phrase in found:
        by_sentence.setdefault(index, [])
        if phrase not in by_sentence[index]:
            by_sentence[index].append(phrase)
    evidence = [Evidence(sentence=text.sentences[i].text, cues=cues)
                for i, cues in sorted(by_sentence.items())]
    return Tag(name=name, kind="watch", modality=Modality.OCCURRED, confidence=1.0,
               alert=True, evidence=evidence)


class WatchMatcher:
    """Matches articles against the configured watch topics."""

    def __init__(self, topics: Sequence[WatchTopic]) -> None:
        self.topics = compile_topics(topics)
        self._automaton = _automaton(self.topics)
        self._regexes, self._regex_owners = _regex_set(self.topics)

    def match(self, title: str, summary: str) -> list[Tag]:
        """One watch tag per topic that matches the article, in configuration order."""
        if not self.topics:
            return []
        text = _Text.of(split_sentences(title, summary))
        phrases = self._phrase_hits(text)
        regexes = self._regex_hits(text)
        tags = (_match_topic(self.topics[t], text, phrases.get(t, []), regexes.get(t, {}))
                for t in sorted(phrases.keys() | regexes.keys()))
        return [tag for tag in tags if tag is not None]

    def _phrase_hits(self, text: _Text) -> dict[int, list[_Hit]]:
        """Whole-word phrase hits per topic index, each list sorted leftmost, longest first."""
        by_topic: dict[int, list[_Hit]] = {}
        if self._automaton is None:
            return by_topic
        for last, (key, owners) in self._automaton.iter(text.whole):
            start = last + 1 - len(key)
            if not _whole_word(text.whole, start, last + 1):
                continue
            hit = _Hit(start, last + 1, key, bisect_right(text.starts, start) - 1)
            for index in owners:
                by_topic.setdefault(index, []).append(hit)
        for hits in by_topic.values():
            hits.sort(key=lambda h: (h.start, h.start - h.end))
        return by_topic

    def _regex_hits(self, text: _Text) -> dict[int, dict[int, list[int]]]:
        """Topic index → its pattern index → the sentences that pattern matches."""
        by_topic: dict[int, dict[int, list[int]]] = {}
        if self._regexes is None:
            return by_topic
        for i, folded in enumerate(text.folds):
            for g in self._regexes.Match(folded) or ():  # None when nothing matched
                t, j = self._regex_owners[g]
                by_topic.setdefault(t, {}).setdefault(j, []).append(i)
        return by_topic
