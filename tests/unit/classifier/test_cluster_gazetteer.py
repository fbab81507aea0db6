"""The GeoNames gazetteer and the place hierarchy clustering decides with."""

from services.classifier.clustering.anchors import (
    authorities_differ,
    counter_evidence,
    more_specific,
    place_conflict,
    place_facts,
    same_place,
)
from services.classifier.clustering.gazetteer import COUNTRY, REGION, TOWN, places


def _where(title: str, summary: str = "", extra: frozenset[str] = frozenset()) -> frozenset[str]:
    return frozenset(place_facts(title, summary)) | extra


def test_finds_towns_far_from_the_hand_list_with_region_and_country() -> None:
    """Bahawalpur, Goma, Tehran and Port-au-Prince are found, each with its region and country."""
    found = {p.id: p for p in places(
        "Blasts in Bahawalpur and Goma; Iranian officials met in Tehran; unrest in Port-au-Prince")}
    assert set(found) == {"pk-bahawalpur", "cd-goma", "ir-tehran", "ht-port-au-prince"}
    assert {p.country for p in found.values()} == {"pakistan", "congo", "iran", "haiti"}
    assert all(p.level == TOWN and len(p.regions) == 1 for p in found.values())


def test_named_region_and_country_levels() -> None:
    """'Gaza' is the region, 'Gaza City' a town in it; 'the Kharkiv region' is a region."""
    gaza = {p.id: p.level for p in places("Strikes across Gaza as Gaza City is encircled")}
    assert gaza == {"ps.gz": REGION, "ps-gaza-city": TOWN}
    assert {p.level for p in places("Russia shells the Kharkiv region")} == {COUNTRY, REGION}


def test_words_that_are_small_towns_need_their_country() -> None:
    """'Hit' and 'Bank' are towns of 15,000+, but only count when their country is named."""
    assert places("Bank shares hit a record") == set()
    assert {p.id for p in places("Rockets fall on Hit in western Iraq")} == {"iq-hit", "iraq"}


def test_capital_speaking_is_its_government() -> None:
    """'Kyiv says' is the government speaking, not a strike in Kyiv."""
    assert {p.id for p in places("Kyiv says drones hit Odesa port")} == {"ua-odesa"}


def test_respellings_but_not_translations() -> None:
    """'Kiev' is Kyiv; 'White House' is not Casablanca (a GeoNames alternate name)."""
    assert {p.id for p in places("Missiles over Kiev")} == {"ua-kyiv"}
    assert places("The White House said on Monday") == set()


def test_two_towns_of_one_region_conflict() -> None:
    """Rafah and Khan Younis are both in Gaza, and still two events."""
    assert place_conflict(_where("Air strike on Rafah home"),
                          _where("Drone hits car in Khan Younis"))


def test_region_only_report_is_compatible_but_does_not_lower_the_bar() -> None:
    """A report naming only Gaza fits a Rafah strike but is no 'same place' evidence, and
    the Rafah report is the more specific one."""
    town, region = _where("Air strike on Rafah home"), _where("Israeli strikes across Gaza")
    assert not place_conflict(town, region)
    assert not same_place(town, region)
    assert more_specific(town, region) and not more_specific(region, town)
    assert same_place(town, _where("Six killed in Rafah strike"))


def test_tolls_weapons_countries_count_against_unless_same_town() -> None:
    """'14 killed' vs '2 killed', a drone vs artillery, or two countries named are evidence
    of two events unless one town pins both reports together."""
    many, few = frozenset({"cas:14"}), frozenset({"cas:2"})
    assert counter_evidence(_where("Strike in the Donetsk region", extra=many),
                            _where("Strike in the Donetsk region", extra=few))
    assert not counter_evidence(_where("Strike in Kramatorsk", extra=many),
                                _where("Strike in Kramatorsk", extra=few))
    assert not counter_evidence(frozenset({"cas:12"}), frozenset({"cas:9"}))
    assert counter_evidence(_where("Drone strike in the Donetsk region", extra=_weapons("drone")),
                            _where("Shelling in the Donetsk region", extra=_weapons("artillery")))
    assert not counter_evidence(_where("Drone strike in Sumy", extra=_weapons("drone")),
                                _where("Shelling of Sumy", extra=_weapons("artillery")))
    assert counter_evidence(_where("US sanctions network in Lebanon"),
                            _where("US sanctions smugglers in Venezuela"))


def _weapons(*names: str) -> frozenset[str]:
    return frozenset(f"wpn:{n}" for n in names)


def test_two_sanctioning_states_differ() -> None:
    """The US's and the EU's actions are two, however alike their wording."""
    assert authorities_differ(frozenset({"aut:united states"}), frozenset({"aut:eu"}))
    assert not authorities_differ(frozenset({"aut:united states"}), frozenset())
