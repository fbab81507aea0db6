"""User watch topics: phrase lists (any/all/none) and RE2 regexes matched per sentence.

Phrases match whole words, ignoring case, diacritics, apostrophes and hyphen/space
differences: "Hizballah" matches "Hizballāh", "Kataib" matches "Kata'ib", but "Iran" does
not match "Iranian" (list the demonym as its own phrase when it is wanted).
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import re2  # type: ignore[import-untyped,unused-ignore]

from services.classifier.sentences import Sentence, fold, split_sentences
from shared.config import WatchTopic
from shared.schemas import Evidence, Modality, Tag

_APOSTROPHES = re.compile(r"'")
_SEPARATORS = re.compile(r"[\s-]+")


def normalise(text: str) -> str:
    """The form both phrases and texts are compared in."""
    return _SEPARATORS.sub(" ", _APOSTROPHES.sub("", fold(text)))


def _phrase_rx(phrases: Sequence[str]) -> re.Pattern[str] | None:
    keys = sorted({normalise(p).strip() for p in phrases} - {""}, key=len, reverse=True)
    if not keys:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(k) for k in keys) + r")(?!\w)")


@dataclass(frozen=True, slots=True)
class CompiledTopic:
    """One topic with its phrase lists and regexes compiled."""

    name: str
    any: re.Pattern[str] | None
    all: tuple[re.Pattern[str], ...]
    none: re.Pattern[str] | None
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
    compiled = []
    for topic in topics:
        all_rx = tuple(rx for p in topic.all if (rx := _phrase_rx([p])) is not None)
        compiled.append(CompiledTopic(
            name=topic.name,
            any=_phrase_rx(topic.any),
            all=all_rx,
            none=_phrase_rx(topic.none),
            regex=tuple(_compile_regex(topic, p) for p in topic.regex),
        ))
    return compiled


@dataclass(frozen=True, slots=True)
class _Text:
    sentences: list[Sentence]
    norms: list[str]
    folds: list[str]
    whole: str


def _hits(rx: Any, text: _Text, raw: bool = False) -> list[tuple[int, str]]:
    """(sentence index, matched text) for each match of ``rx``, sentence by sentence.

    Phrases run on the normalised text; regexes (``raw``) on the folded text, which keeps
    hyphens and apostrophes that a user's pattern may spell out."""
    texts = text.folds if raw else text.norms
    return [(i, m.group()) for i, t in enumerate(texts) for m in rx.finditer(t)]


def _match_topic(topic: CompiledTopic, text: _Text) -> Tag | None:
    if topic.none is not None and topic.none.search(text.whole):
        return None
    found: list[tuple[int, str]] = []
    if topic.all:
        for rx in topic.all:
            hits = _hits(rx, text)
            if not hits:
                return None
            found += hits[:1]
    optional = [h for rx in topic.regex for h in _hits(rx, text, raw=True)]
    if topic.any is not None:
        optional += _hits(topic.any, text)
    if not optional and (topic.any is not None or topic.regex or not topic.all):
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

    def match(self, title: str, summary: str) -> list[Tag]:
        """One watch tag per topic that matches the article."""
        if not self.topics:
            return []
        sentences = split_sentences(title, summary)
        norms = [normalise(s.text) for s in sentences]
        text = _Text(sentences, norms, [s.low for s in sentences], "\n".join(norms))
        return [tag for topic in self.topics if (tag := _match_topic(topic, text)) is not None]
