"""A hostile, cap-sized summary cannot make a clustering profile (and its caches) large."""

import random

from services.classifier.clustering import similarity
from services.classifier.clustering.features import MAX_SUMMARY_WORDS, features
from services.classifier.rules.sentences import fold
from tests.web_support import make_event


def test_profile_words_are_capped_for_a_huge_summary() -> None:
    """90,000 characters of distinct made-up words give a profile of at most the title's words
    plus MAX_SUMMARY_WORDS, while a short summary keeps every content word."""
    rng = random.Random(5)
    junk = " ".join("".join(rng.choice("bcdfghjklmnpqrstvwz") for _ in range(8))
                    for _ in range(10_000))[:90_000]
    big = features(make_event(1, summary=junk), when=0.0)
    short = "Jets struck a fuel depot near the harbour."
    small = features(make_event(2, summary=short), when=0.0)
    assert big is not None and small is not None
    assert len(big.profile.words) <= len(big.profile.title) + MAX_SUMMARY_WORDS
    assert small.profile.words >= similarity.shingles(similarity.tokens(short))


def test_fold_of_a_long_accented_text_matches_the_cached_path() -> None:
    """Long texts bypass fold's cache but fold exactly as short ones do."""
    assert fold("Café " * 2000) == "cafe " * 2000
    assert fold("Café") == "cafe"
