"""Places, sanctioning states and cluster age: what keeps two same-day events apart."""

from services.classifier.clustering.anchors import counter_evidence, place_conflict, sponsors
from services.classifier.clustering.gazetteer import places
from services.classifier.clustering.matching import choose, score
from services.classifier.clustering.memory_store import MemoryStore
from services.classifier.clustering.model import Candidate, Thresholds
from services.classifier.clustering.similarity import Profile
from shared.config import ClusterSettings
from tests.cluster_scenarios import HOUR, remembers_opening_time, strike_features, where


def test_places_bring_their_region_and_country() -> None:
    """A town named in text yields its region and its country as anchors."""
    (town,) = places("A strike on Makeyevka overnight")
    assert (town.id, town.country, town.regions) == ("ua-makiivka", "ukraine",
                                                     frozenset({"ua.05"}))
    assert where("A strike on Makeyevka overnight") == {
        "ttn:ua-makiivka", "pla:ua-makiivka", "trg:ua.05", "tco:ukraine"}


def test_places_ignore_demonyms() -> None:
    """An adjective of nationality names the shooter, not the place: only Poland is a place."""
    assert {p.id for p in places("Russian missiles land in Poland")} == {"poland"}


def test_places_know_capital_periphrases() -> None:
    """'the Ukrainian capital' is Kyiv."""
    assert "ua-kyiv" in {p.id for p in places("Drones target the Ukrainian capital at dawn")}


def test_two_cities_of_one_country_conflict() -> None:
    """Strikes on two different cities of the same country are two events."""
    assert place_conflict(where("Missiles hit Kharkiv"), where("Drones hit Odesa port"))


def test_town_and_its_region_agree() -> None:
    """A town and the region it lies in do not conflict."""
    assert not place_conflict(where("Shelling of Makiivka barracks"),
                              where("Dozens killed in strike in the Donetsk region"))


def test_reports_without_places_never_conflict() -> None:
    """A report that says nowhere cannot disagree on where."""
    assert not place_conflict(where("Strike kills commander"), where("Missiles hit Kharkiv"))


def test_summary_places_count_when_title_names_none() -> None:
    """With no place in the title, the summary's places decide (Somalia is not the West Bank)."""
    somalia = where("Senior militant killed in special forces raid", "The raid in Somalia ...")
    assert counter_evidence(somalia, where("Troops raid Jenin refugee camp"))


def test_sanctioning_states_conflict_but_subject_guess_about_place_dropped() -> None:
    """EU and US packages are two actions; 'Russia' guessed as authority of Russia sanctions
    is dropped because the report names Russia as the place."""
    eu = frozenset(sponsors(["EU"], set()))
    us = frozenset(sponsors(["US Treasury"], set()))
    assert place_conflict(eu, us)
    assert sponsors(["Russia"], {"tco:russia"}) == set()


def _member(title: str, words: frozenset[int], when: float = 0.0) -> Profile:
    return Profile(when, frozenset({1, 7}), words, where(title))


def test_disputed_place_blocks_join_through_one_bridge_member() -> None:
    """A report whose place disagrees with most members does not join through the one
    member that shares its place, unless wording is near-identical."""
    mostly_gaza = Candidate("c", [_member("Jets strike Gaza", frozenset({1, 2, 3, 9})),
                                  _member("Rockets over Gaza", frozenset({1, 2, 9})),
                                  _member("Jerusalem on edge", frozenset({4, 8, 9}))], set())
    limits = Thresholds(text=0.9, with_fact=0.9, with_place=0.2)
    assert score(strike_features("Shooting in Jerusalem"), mostly_gaza, limits) == 0.0
    alone = Candidate("c", [_member("Jerusalem on edge", frozenset({4, 8, 9}))], set())
    assert score(strike_features("Shooting in Jerusalem"), alone, limits) > 0.2


def test_choose_skips_clusters_older_than_window() -> None:
    """A cluster takes reports only for the window after its first report."""
    cand = Candidate("old", [_member("Missiles hit Kharkiv", frozenset({1, 2, 3, 4}), 47 * HOUR)],
                     set(), opened=0.0)
    limits = Thresholds.of(ClusterSettings())
    late = strike_features("Missiles hit Kharkiv", 49 * HOUR)
    assert choose(strike_features("Missiles hit Kharkiv", 47 * HOUR), [cand], limits, None,
                  48 * HOUR) == "old"
    assert choose(late, [cand], limits, None, 48 * HOUR) is None


def test_profile_round_trip_keeps_places_and_reads_old_entries() -> None:
    """Places survive the Redis encoding; entries written before places existed decode."""
    profile = Profile(5.0, frozenset({1}), frozenset({1, 2}), where("Strike on West Bank"))
    assert Profile.decode(profile.encode()) == profile
    assert Profile.decode("5/1/1.2").places == frozenset()


async def test_memory_store_remembers_opening_time() -> None:
    """The in-memory store reports when a cluster opened and members' places."""
    await remembers_opening_time(MemoryStore())
