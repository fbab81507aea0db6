"""Features of one article for the learned decision: hashed word and character n-grams of the
title and summary, and the rules' cues (does each tag fire, with which modality and confidence).

Hashing keeps the model file free of a vocabulary: the same stateless vectorizers run at
training and at classification time, so the file holds only coefficients.
"""

import itertools
import re
import zlib
from collections import Counter

import numpy as np
from scipy import sparse

from services.classifier.rules.sentences import MAX_CHARS
from shared.schemas import ALERTING_MODALITIES, EventType, Modality, Tag

N_FEATURES = 1 << 18
TAGS = (EventType.MILITARY_STRIKE.value, EventType.SANCTION.value)
MODALITIES = tuple(Modality)
# Per tag: fires, alerts, confidence, one column per modality.
CUES_PER_TAG = 3 + len(MODALITIES)
N_CUES = len(TAGS) * CUES_PER_TAG
WIDTH = 3 * N_FEATURES + N_CUES
_WORD = re.compile(r"\w+")
# The cue columns are scaled up so the L2 penalty does not drown the rules' verdict among
# hundreds of thousands of n-gram weights (chosen by cross-validated F1 on the train split).
CUE_SCALE = 4.0


def cue_vector(tags: list[Tag]) -> np.ndarray:
    """The rules' verdict as numbers, in the fixed order of TAGS and MODALITIES."""
    out = np.zeros(N_CUES, dtype=np.float64)
    for tag in tags:
        if tag.name not in TAGS:
            continue
        base = TAGS.index(tag.name) * CUES_PER_TAG
        out[base] = 1.0
        out[base + 1] = float(tag.modality in ALERTING_MODALITIES)
        out[base + 2] = tag.confidence
        out[base + 3 + MODALITIES.index(tag.modality)] = 1.0
    return out * CUE_SCALE


def _block(grams: list[str], block: int) -> Counter[int]:
    """Hashed counts of one block; crc32 is stable across processes, unlike hash()."""
    base = block * N_FEATURES
    return Counter(base + (zlib.crc32(g.encode()) & (N_FEATURES - 1)) for g in grams)


def _words(words: list[str]) -> list[str]:
    return words + [f"{a} {b}" for a, b in itertools.pairwise(words)]


def _chars(words: list[str]) -> list[str]:
    """Character 3- to 5-grams inside each space-padded word (whole-word n-grams only)."""
    out: list[str] = []
    for word in words:
        padded = f" {word} "
        for n in (3, 4, 5):
            out.extend(padded[i:i + n] for i in range(len(padded) - n + 1))
    return out


def row(title: str, summary: str) -> tuple[np.ndarray, np.ndarray]:
    """(column indices, values) of one article's text features: title words, whole-text
    words, whole-text characters, each block L2-normalised. The title gets its own block
    because a headline verb weighs more than one in a summary."""
    title_words = _WORD.findall(title.lower())
    whole_words = _WORD.findall(f"{title}\n{summary[:MAX_CHARS]}".lower())
    columns: list[int] = []
    values: list[float] = []
    for block, grams in enumerate((_words(title_words), _words(whole_words), _chars(whole_words))):
        counts = _block(grams, block)
        norm = float(np.sqrt(sum(c * c for c in counts.values()))) or 1.0
        columns.extend(counts)
        values.extend(c / norm for c in counts.values())
    return np.array(columns, dtype=np.int64), np.array(values, dtype=np.float64)


def featurize(titles: list[str], summaries: list[str], cues: np.ndarray) -> sparse.csr_matrix:
    """One row per article: the text features, then the rules' cues in the last columns."""
    indptr, columns, values = [0], [], []
    for i, (title, summary) in enumerate(zip(titles, summaries, strict=True)):
        cols, vals = row(title, summary)
        cue_cols = np.flatnonzero(cues[i])
        columns += [cols, cue_cols + 3 * N_FEATURES]
        values += [vals, cues[i][cue_cols]]
        indptr.append(indptr[-1] + len(cols) + len(cue_cols))
    matrix = sparse.csr_matrix((np.concatenate(values), np.concatenate(columns), indptr),
                               shape=(len(titles), WIDTH))
    matrix.sum_duplicates()
    return matrix
