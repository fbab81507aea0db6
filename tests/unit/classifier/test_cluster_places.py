"""Places, sanctioning states and cluster age: what keeps two same-day events apart."""

import pytest
from redis.asyncio import Redis

from services.classifier.clustering.anchors import place_conflict, place_facts, sponsors
from services.classifier.clustering.gazetteer import places
from services.classifier.clustering.matching import choose, score
from services.classifier.clustering.memory_store import MemoryStore
from services.classifier.clustering.model import (
    Candidate,
    ClusterStore,
    Features,
    Plan,
    Thresholds,
)
from services.classifier.clustering.redis_store import RedisStore
from services.classifier.clustering.similarity import Profile

HOUR = 3600.0


def _where(title: str, summary: str = "") -> frozenset[str]:
    return frozenset(place_facts(title, summary))


def test_places_bring_their_region_and_country() -> None:
    """A town named in text yields its larger regions and its country."""
    assert places("A strike on Makeyevka overnight") == {
        ("makiivka", "ukraine"), ("donetsk", "ukraine"), ("donbas", "ukraine")}


def test_places_ignore_demonyms() -> None:
    """An adjective of nationality names the shooter, not the place: only Poland is a place."""
    assert places("Russian missiles land in Poland") == {("poland", "poland")}


def test_places_know_capital_periphrases() -> None:
    """'the Ukrainian capital' is Kyiv."""
    assert ("kyiv", "ukraine") in places("Drones target the Ukrainian capital at dawn")


def test_two_cities_of_one_country_conflict() -> None:
    """Strikes on two different cities of the same country are two events."""
    assert place_conflict(_where("Missiles hit Kharkiv"), _where("Drones hit Odesa port"))


def test_town_and_its_region_agree() -> None:
    """A town and the region it lies in do not conflict."""
    assert not place_conflict(_where("Shelling of Makiivka barracks"),
                              _where("Dozens killed in Donetsk strike"))


def test_reports_without_places_never_conflict() -> None:
    """A report that says nowhere cannot disagree on where."""
    assert not place_conflict(_where("Strike kills commander"), _where("Missiles hit Kharkiv"))


def test_summary_places_count_when_title_names_none() -> None:
    """With no place in the title, the summary's places decide (Somalia is not the West Bank)."""
    somalia = _where("Senior militant killed in special forces raid", "The raid in Somalia ...")
    assert place_conflict(somalia, _where("Troops raid Jenin refugee camp"))


def test_sanctioning_states_conflict_but_subject_guess_about_place_dropped() -> None:
    """EU and US packages are two actions; 'Russia' guessed as authority of Russia sanctions
    is dropped because the report names Russia as the place."""
    eu = frozenset(sponsors(["EU"], set()))
    us = frozenset(sponsors(["US Treasury"], set()))
    assert place_conflict(eu, us)
    assert sponsors(["Russia"], {"tco:russia"}) == set()


def _feat(title: str, when: float = 0.0) -> Features:
    profile = Profile(when, frozenset({1, 2, 3}), frozenset({1, 2, 3, 4}), _where(title))
    return Features(kind="military_strike", signature=(0,), profile=profile, facts=set(),
                    novelty=[], casualties=0, alerting=True, when=when)


def _member(title: str, words: frozenset[int], when: float = 0.0) -> Profile:
    return Profile(when, frozenset({1, 7}), words, _where(title))


def test_disputed_place_blocks_join_through_one_bridge_member() -> None:
    """A report whose place disagrees with most members does not join through the one
    member that shares its place, unless wording is near-identical."""
    mostly_gaza = Candidate("c", [_member("Jets strike Gaza", frozenset({1, 2, 3, 9})),
                                  _member("Rockets over Gaza", frozenset({1, 2, 9})),
                                  _member("Jerusalem on edge", frozenset({4, 8, 9}))], set())
    limits = Thresholds(text=0.9, with_fact=0.9, with_place=0.2)
    assert score(_feat("Shooting in Jerusalem"), mostly_gaza, limits) == 0.0
    alone = Candidate("c", [_member("Jerusalem on edge", frozenset({4, 8, 9}))], set())
    assert score(_feat("Shooting in Jerusalem"), alone, limits) > 0.2


def test_choose_skips_clusters_older_than_window() -> None:
    """A cluster takes reports only for the window after its first report."""
    cand = Candidate("old", [_member("Missiles hit Kharkiv", frozenset({1, 2, 3, 4}), 47 * HOUR)],
                     set(), opened=0.0)
    limits = Thresholds()
    assert choose(_feat("Missiles hit Kharkiv", 47 * HOUR), [cand], limits, None, 48 * HOUR) \
        == "old"
    assert choose(_feat("Missiles hit Kharkiv", 49 * HOUR), [cand], limits, None, 48 * HOUR) \
        is None


def test_profile_round_trip_keeps_places_and_reads_old_entries() -> None:
    """Places survive the Redis encoding; entries written before places existed decode."""
    profile = Profile(5.0, frozenset({1}), frozenset({1, 2}), _where("Strike on West Bank"))
    assert Profile.decode(profile.encode()) == profile
    assert Profile.decode("5/1/1.2").places == frozenset()


async def _opened(store: ClusterStore) -> None:
    plan = Plan("a1", _feat("Missiles hit Kharkiv", 1000.0), ["military_strike:b0:x"], [],
                {"id": "a1", "feed": "f"}, None, "c1", 48 * HOUR)
    assert await store.commit(plan) is not None
    later = Plan("a2", _feat("Missiles hit Kharkiv", 2000.0), plan.keys, [],
                 {"id": "a2", "feed": "g"}, "c1", "c2", 48 * HOUR)
    assert await store.commit(later) is not None
    (cand,) = await store.candidates(plan.keys, 0.0)
    assert cand.opened == 1000.0
    assert cand.members[-1].places == _where("Missiles hit Kharkiv")


async def test_memory_store_remembers_opening_time() -> None:
    """The in-memory store reports when a cluster opened and members' places."""
    await _opened(MemoryStore())


@pytest.mark.integration
async def test_redis_store_remembers_opening_time(redis: Redis) -> None:
    """The Redis store reports when a cluster opened and members' places."""
    await _opened(RedisStore(redis))
