"""Text normalisation and sentence splitting shared by the rules and the watch matcher."""

import html
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Feeds mix typographic and ASCII punctuation; cue tables are written in ASCII only.
_PUNCT = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u02bc": "'", "\u201c": '"', "\u201d": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
    "\u00a0": " ", "\\": " ",
})
# A line break is matched from the start of its run of blanks only (the lookbehind): tried
# from every blank, a long run without a line break was rescanned once per blank (quadratic).
_SPLIT = re.compile(r"(?<=[.!?])[\"')\]]?\s+(?=[\"'(\[]?[A-Z0-9])|(?<!\s)\s*[\r\n]+\s*")
_SPACES = re.compile(r"\s+")
# Feed summaries often carry HTML; block tags end a sentence, inline tags are dropped.
_BLOCK_TAG = re.compile(r"</?(?:p|li|ul|ol|br|div|h\d|blockquote)\b[^>]*>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]{0,400}>")
# Long round-ups would dominate throughput; the news value sits in the first paragraphs.
MAX_CHARS = 6000


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence: ``text`` as published (for evidence), ``low`` folded for matching."""

    text: str
    low: str
    is_title: bool


_CACHED_LEN = 4096


@lru_cache(maxsize=4096)
def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold(text: str) -> str:
    """Lower-case, ASCII punctuation, no diacritics; keeps one character per input character
    whenever the input is already ASCII, which is the common case."""
    text = text.translate(_PUNCT)
    if not text.isascii():
        # Only short texts go through the cache: a cap-sized hostile summary would pin
        # thousands of megabyte-sized keys there.
        text = _strip_marks(text) if len(text) <= _CACHED_LEN else _strip_marks.__wrapped__(text)
    return text.lower()


def strip_markup(text: str) -> str:
    """Plain text of a feed field: block tags become line breaks, entities are decoded."""
    if "<" in text:
        text = _TAG.sub(" ", _BLOCK_TAG.sub("\n", text))
    return html.unescape(text) if "&" in text else text


def split_sentences(title: str, summary: str) -> list[Sentence]:
    """The title as one sentence, then the summary's sentences (capped at ``MAX_CHARS``)."""
    out: list[Sentence] = []
    title = _SPACES.sub(" ", strip_markup(title).translate(_PUNCT)).strip()
    if title:
        out.append(Sentence(title, fold(title), True))
    body = strip_markup(summary[:MAX_CHARS]).translate(_PUNCT)
    for part in _SPLIT.split(body):
        part = _SPACES.sub(" ", part).strip()
        # Feeds often repeat the headline as the first line of the summary.
        if len(part) > 2 and part != title:
            out.append(Sentence(part, fold(part), False))
    return out
