"""Wording similarity for story clustering: MinHash (one-permutation) over word shingles.

Pure Python and stable across processes (blake2b, never the salted built-in ``hash``), so
every classifier replica computes the same signature and LSH bucket for the same text.
"""

import hashlib
import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

SIGNATURE_SIZE: Final = 32
BAND_ROWS: Final = 1
EMPTY: Final = (1 << 56) - 1
_WORD: Final = re.compile(r"[a-z0-9]+")
# Feed summaries embed HTML and links; their 'href', 'www' and host names are no evidence.
_MARKUP: Final = re.compile(r"<[^>]*>|https?://\S+|&#?\w+;")
# Function words and newsroom boilerplate carry no information about which event it is.
_STOP_TEXT: Final = """
a an the of to in on at by for from with as and or but not no is are was were be been being
has have had it its this that these those their his her they he she we you i our after over
into onto amid about than then more most new says said say tells told report reports reported
will would could may might can also just who what why how when where which while during
live latest update updates news video watch photos pictures see day week year us what's
monday tuesday wednesday thursday friday saturday sunday early late morning night overnight
"""
_STOP: Final = frozenset(_STOP_TEXT.split())
_SUFFIXES: Final = ("ing", "ed", "es", "s")
PRIOR_DOCS: Final = 20.0
_LONG_WORD: Final = 40


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    """A crude stem: outlets write 'strikes'/'struck'/'striking'; prefixes align most forms."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)]
            break
    return word[:7]


def tokens(text: str) -> list[str]:
    """Normalised content words (accents folded, stop words dropped, crude stems)."""
    folded = _MARKUP.sub(" ", text).casefold()
    if not folded.isascii():  # most feed text is; NFKD is the costly step
        folded = unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode()
    # A word longer than any real one stems to its first 7 letters anyway; keeping it out
    # of _stem's cache stops hostile 20,000-letter "words" from pinning gigabytes there.
    return [_stem(w) if len(w) <= _LONG_WORD else w[:7]
            for w in _WORD.findall(folded.replace("'s", "")) if w not in _STOP and len(w) > 2]


@lru_cache(maxsize=65536)
def _hash(token: str) -> int:
    return int.from_bytes(hashlib.blake2b(token.encode(), digest_size=8).digest(), "big")


def signature(words: list[str]) -> tuple[int, ...]:
    """One-permutation MinHash: bin by hash, keep each bin's minimum, densify empty bins.

    One hash per shingle instead of one per (shingle, permutation) keeps clustering cheap
    next to the classifier; densification borrows the next filled bin so that empty bins
    of short headlines still compare meaningfully.
    """
    bins = [EMPTY] * SIGNATURE_SIZE
    for value in map(_hash, set(words)):
        slot, rest = value % SIGNATURE_SIZE, value >> 8
        if rest < bins[slot]:
            bins[slot] = rest
    if all(v == EMPTY for v in bins):
        return tuple(bins)
    for i in range(SIGNATURE_SIZE):
        j, hops = i, 0
        while bins[j] == EMPTY:
            j, hops = (j + 1) % SIGNATURE_SIZE, hops + 1
        if hops:
            bins[i] = (bins[j] + hops * 0x9E3779B1) & EMPTY
    return tuple(bins)


def shingles(words: list[str]) -> frozenset[int]:
    """32-bit hashes of the distinct words: exact Jaccard for scoring, compact in Redis."""
    return frozenset(_hash(w) >> 32 for w in words)


def jaccard(a: frozenset[int], b: frozenset[int]) -> float:
    """Exact Jaccard of two shingle sets (MinHash only finds candidates: at the 0.15-0.3
    similarity of one story told by different outlets, its estimate is too noisy to use)."""
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def bands(sig: tuple[int, ...]) -> list[str]:
    """LSH band keys: texts sharing any band become candidates of each other.

    MinHash values are already uniform hashes, so a one-row band is keyed by its value
    (48 bits) directly; wider bands hash their rows together.
    """
    if BAND_ROWS == 1:
        return [f"b{i}:{v & 0xFFFFFFFFFFFF:x}" for i, v in enumerate(sig)]
    out = []
    for start in range(0, SIGNATURE_SIZE, BAND_ROWS):
        chunk = ",".join(str(v) for v in sig[start:start + BAND_ROWS])
        digest = hashlib.blake2b(chunk.encode(), digest_size=6).hexdigest()
        out.append(f"b{start // BAND_ROWS}:{digest}")
    return out


def encode(values: frozenset[int]) -> str:
    """Compact text form for Redis."""
    return ".".join(format(v, "x") for v in sorted(values))


def decode(text: str) -> frozenset[int]:
    """Inverse of :func:`encode`."""
    return frozenset(int(v, 16) for v in text.split(".") if v)


@dataclass(frozen=True)
class Profile:
    """One report as clustering compares it: when, the words of its title and text, and
    the places it names (``tco:``/``tpl:``/``pla:`` facts, see anchors.place_facts)."""

    when: float
    title: frozenset[int]
    words: frozenset[int]
    places: frozenset[str] = frozenset()

    def encode(self) -> str:
        """``when/title/words/places``, one entry of a cluster's member list in Redis."""
        where = ",".join(sorted(p.replace(" ", "_") for p in self.places))
        return f"{self.when:.0f}/{encode(self.title)}/{encode(self.words)}/{where}"

    @classmethod
    def decode(cls, text: str) -> "Profile":
        """Inverse of :meth:`encode` (entries written before places existed have none)."""
        return _decode_profile(text)


@lru_cache(maxsize=32768)
def _decode_profile(text: str) -> Profile:
    # Every new report fetches the latest members of each candidate cluster: the same
    # strings over and over, and parsing ~100 hex words each was most of clustering's cost.
    when, title, words, *rest = text.split("/")
    where = frozenset(p.replace("_", " ") for p in rest[0].split(",") if p) if rest \
        else frozenset()
    return Profile(float(when), decode(title), decode(words), where)


def resemblance(a: Profile, b: Profile, scale: float,
                weight: Mapping[int, float] | None = None) -> float:
    """Mean of title and whole-text Jaccard, decayed with the time between the reports.

    Titles carry the event while summaries often retell yesterday's related event as
    background, so the title gets half the say. The decay is what separates a strike
    from the next day's retaliation in the same place: outlets report one event within
    hours, so similar wording a day later is more likely a new event.
    """
    if weight is None:
        text = (jaccard(a.title, b.title) + jaccard(a.words, b.words)) / 2
    else:
        text = (weighted_jaccard(a.title, b.title, weight)
                + weighted_jaccard(a.words, b.words, weight)) / 2
    return text * math.exp(-abs(a.when - b.when) / scale)


class _Weights(dict[int, float]):
    """Per-word weight cache of a :class:`Commonness`: computed on first use, dropped when
    the word is counted again or the document total has drifted (see ``Commonness.add``)."""

    def __init__(self, common: "Commonness") -> None:
        super().__init__()
        self.common = common

    def __missing__(self, word: int) -> float:
        value = self[word] = self.common.weight(word)
        return value


class Commonness:
    """Decayed document frequency of words among this process's recent reports.

    Words every outlet uses in a busy news cycle ('attack', 'russia', 'kill') say little
    about which event a report is; rare ones ('maternity', 'makiivka') say a lot. The
    counts are learned online from the live stream, per classifier process: replicas see
    similar streams, a restart only means a short cold start (uniform weights = plain
    Jaccard), and no corpus statistics have to ship with the code. Counts grow by
    exp(t / half-life) instead of decaying every entry, rebased now and then.
    """

    # Cached weights are recomputed once the document total has moved this much (relative):
    # IDF is logarithmic, so a 10 % drift changes no weight by more than ~0.1 (of 3-8).
    DRIFT: Final = 0.1

    def __init__(self, half_life: float = 3 * 86400.0, limit: int = 200_000) -> None:
        self.rate, self.limit = math.log(2) / half_life, limit
        self.origin: float | None = None
        self.counts: dict[int, float] = {}
        self.total, self.scale = 0.0, 1.0
        self.weights = _Weights(self)
        self._cached_docs = 0.0

    @property
    def docs(self) -> float:
        """Decayed number of documents counted so far."""
        return self.total * self.scale

    def _rebase(self, when: float) -> None:
        factor = math.exp(-self.rate * (when - (when if self.origin is None else self.origin)))
        self.counts = {w: c * factor for w, c in self.counts.items() if c * factor > 0.05}
        self.total *= factor
        self.origin = when
        self.weights.clear()

    def add(self, words: frozenset[int], when: float) -> None:
        """Count one report's distinct words."""
        if self.origin is None or when - self.origin > 20 / self.rate \
                or len(self.counts) > self.limit:
            self._rebase(when)
        step = math.exp(self.rate * (when - (when if self.origin is None else self.origin)))
        counts, cache = self.counts, self.weights
        for word in words:
            counts[word] = counts.get(word, 0.0) + step
            cache.pop(word, None)
        self.total += step
        self.scale = 1.0 / step
        docs = self.docs
        if abs(docs - self._cached_docs) > self.DRIFT * max(self._cached_docs, 1.0):
            cache.clear()
            self._cached_docs = docs

    def weight(self, word: int) -> float:
        """Inverse document frequency, smoothed by PRIOR_DOCS: right after a start the
        weights are near uniform (plain Jaccard) instead of trusting a handful of reports.
        (Uncached; ``self.weights[word]`` is the cached form scoring uses.)"""
        seen = self.counts.get(word, 0.0) * self.scale
        return math.log((self.total * self.scale + PRIOR_DOCS) / (seen + 1.0))


def weighted_jaccard(a: frozenset[int], b: frozenset[int], weight: Mapping[int, float]) -> float:
    """Jaccard with each word counted by its weight (``weight`` covers both sets)."""
    get = weight.__getitem__
    shared = sum(map(get, a & b))
    union = sum(map(get, a)) + sum(map(get, b)) - shared
    return shared / union if union > 0 else 0.0
