"""Resemblance and word commonness: the scoring clustering decides on."""

import math

import pytest

from services.classifier.clustering.similarity import PRIOR_DOCS, Commonness, Profile, resemblance

SCALE = 3600.0


def test_commonness_starts_uniform() -> None:
    """Before any report is counted every word weighs the same (plain Jaccard)."""
    common = Commonness()
    assert common.weight(1) == common.weight(2) == pytest.approx(math.log(PRIOR_DOCS))


def test_commonness_frequent_words_weigh_less() -> None:
    """A word in every report weighs less than one seen once, which weighs less than a new one."""
    common = Commonness()
    for i in range(50):
        common.add(frozenset({1, 100 + i}), float(i))
    assert common.weight(1) < common.weight(100) < common.weight(999)


def test_commonness_counts_fade_with_half_life() -> None:
    """Counts from many half-lives ago barely lower a word's weight any more."""
    common = Commonness(half_life=3600.0)
    for i in range(20):
        common.add(frozenset({1}), float(i))
    before = common.weight(1)
    for i in range(20):
        common.add(frozenset({2}), 20 * 3600.0 + i)
    assert common.weight(1) > before and common.weight(1) == pytest.approx(common.weight(3),
                                                                          rel=0.01)


def test_commonness_cached_weight_follows_new_counts() -> None:
    """The cached weight of a word is refreshed when the word is counted again."""
    common = Commonness()
    for i in range(30):
        common.add(frozenset({100 + i}), float(i))
    first = common.weights[1]
    common.add(frozenset({1}), 30.0)
    assert common.weights[1] < first and common.weights[1] == pytest.approx(common.weight(1))


def test_resemblance_gives_title_half_the_say() -> None:
    """Same title, half-shared text: mean of title (1) and text (1/3) Jaccard."""
    a = Profile(0.0, frozenset({1, 2}), frozenset({1, 2, 3, 4}))
    b = Profile(0.0, frozenset({1, 2}), frozenset({1, 2, 5, 6}))
    assert resemblance(a, b, SCALE) == pytest.approx((1 + 2 / 6) / 2)


def test_resemblance_fades_with_time_between_reports() -> None:
    """Identical reports one scale apart resemble by 1/e, either order."""
    a = Profile(0.0, frozenset({1}), frozenset({1, 2}))
    b = Profile(SCALE, frozenset({1}), frozenset({1, 2}))
    assert resemblance(a, b, SCALE) == resemblance(b, a, SCALE) == pytest.approx(math.exp(-1))


def test_resemblance_rare_shared_word_counts_more() -> None:
    """Sharing a rare word scores higher than sharing a common one under the same weights."""
    weight = {1: 5.0, 2: 1.0, 3: 1.0, 4: 1.0}
    rare = resemblance(Profile(0.0, frozenset({1, 2}), frozenset({1, 2})),
                       Profile(0.0, frozenset({1, 3}), frozenset({1, 3})), SCALE, weight)
    common = resemblance(Profile(0.0, frozenset({2, 1}), frozenset({2, 1})),
                         Profile(0.0, frozenset({2, 4}), frozenset({2, 4})), SCALE, weight)
    assert rare == pytest.approx(5 / 7) and common == pytest.approx(1 / 7)
